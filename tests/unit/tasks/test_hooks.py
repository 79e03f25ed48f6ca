"""The hooks around every task's run (tasks/hooks.py): one GPU task per machine, by a lock file."""
import subprocess
import sys


def test_one_gpu_task_per_machine(tmp_path, monkeypatch):
    """Besides luigid's `gpu` resource, a CUDA task holds its GPU's lock file on its machine while it runs."""
    from tasks import hooks as base
    from tasks import params
    from tasks.train import DumpFeatures, TrainDIVAFN

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(base, "LOCK_DIR", str(tmp_path))
    monkeypatch.setattr(params, "cuda_device_count", lambda: 2)     # as on a machine with two GPUs
    assert TrainDIVAFN.resources == DumpFeatures.resources == {"gpu": 1}
    assert base.gpu_lock_path(TrainDIVAFN(pair="SYNTHETIC", device="cpu")) is None
    task = TrainDIVAFN(pair="SYNTHETIC", device="cuda:1")
    lock = base.gpu_lock_path(task)
    assert lock == str(tmp_path / "divafn-gpu-cuda1.lock")
    probe = ["-c", "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
                   "try: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError: sys.exit(1)"]
    base._before_run(task)
    try:
        assert subprocess.run([sys.executable, *probe, lock]).returncode == 1      # held
    finally:
        base._after_run(task)
    assert subprocess.run([sys.executable, *probe, lock]).returncode == 0          # released


def test_a_ctrl_c_inside_a_stage_callback_stops_the_run_instead_of_being_swallowed(tmp_path, monkeypatch, request):
    """Luigi's trigger_event returns quietly on a KeyboardInterrupt raised by a callback (the stage would then run
    to the end): the hooks keep it, and the stage's run() raises it — and the next stage's, if the Ctrl-C landed
    as a stage ended."""
    import luigi
    import pytest
    from tasks import hooks, luigi_compat
    from luigi.task_register import Register
    from tasks.train import DumpFeatures, TrainDIVAFN

    request.addfinalizer(Register.clear_instance_cache)      # the instances below keep a run() that raises

    def ctrl_c(*args):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(luigi_compat, "_interrupted", False)
    monkeypatch.setattr(hooks.cli_logging, "open_run_log", ctrl_c)          # the Ctrl-C lands in the START callback
    task = TrainDIVAFN(pair="SYNTHETIC", device="cpu", seed=913)
    task.trigger_event(luigi.Event.START, task)                             # Luigi's own call: it does not raise
    with pytest.raises(KeyboardInterrupt):
        task.run()
    monkeypatch.setattr(hooks.cli_logging, "open_run_log", lambda folder: None)
    later = DumpFeatures(pair="SYNTHETIC", device="cpu", seed=913)
    later.trigger_event(luigi.Event.START, later)                           # no Ctrl-C now, but one is pending
    with pytest.raises(KeyboardInterrupt):
        later.run()
