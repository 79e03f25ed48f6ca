"""The hooks around every task's run (tasks/hooks.py): one GPU task per machine, by a lock file."""
import subprocess
import sys


def test_one_gpu_task_per_machine(tmp_path, monkeypatch):
    """Besides luigid's `gpu` resource, a CUDA task holds its GPU's lock file on its machine while it runs."""
    from tasks import hooks as base
    from tasks.train import DumpFeatures, TrainDIVAFN

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(base, "LOCK_DIR", str(tmp_path))
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
