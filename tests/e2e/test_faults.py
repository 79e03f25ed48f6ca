"""Safe to kill, safe to run twice at once, and retries only for what a retry can fix (tasks/targets.py, tasks/retry.py);
Ctrl-C and an artifacts folder that cannot be written are one line each (tasks/cli_logging.py, tasks/targets.py)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.luigi_process import (
    FAST_CFG,
    LUIGI,
    cfg_with,
    check_artifacts,
    dead_pid,
    luigi_env,
    metrics_of,
    run_luigi,
    scheduler_api,
    start_luigi,
    stop_group,
)


def wait_for(path: Path, pattern: str, proc, timeout=120) -> re.Match:
    """Poll the output file of `proc` until a line matches `pattern`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, path.read_text() if path.exists() else "")
        if m:
            return m
        if proc.poll() is not None:
            raise AssertionError(f"exited ({proc.returncode}) before {pattern!r}:\n{path.read_text()[-3000:]}")
        time.sleep(0.02)
    raise AssertionError(f"no {pattern!r} within {timeout} s:\n{path.read_text()[-3000:]}")


# ---- kill and resume -----------------------------------------------------------------------------------------

def kill_inside(tmp_path, name, inside, done) -> int:
    """Run the pipeline and SIGKILL its process group once `inside` shows in its log; returns the invocations used.

    `done()` tells whether the stage finished before the kill landed (a loaded machine can delay this test's
    polling): then the stage's output is removed, as if it had never run, and the kill is tried again.
    """
    for attempt in range(3):
        out = tmp_path / f"{name}-{attempt}.out"
        proc = start_luigi(["RunExperiment", "--pair", "SYNTHETIC"], tmp_path, log=out)
        try:
            inside(out, proc)
        finally:
            stop_group(proc)                                  # SIGKILL to the whole process group
        check_artifacts(tmp_path, allow_temporaries=True)     # every final target complete, right after the kill
        finished = done()
        if not finished:
            return attempt + 1
        for p in finished:
            p.unlink()
    raise AssertionError(f"could not kill the pipeline inside {name} in 3 attempts")


def test_sigkill_during_keyframes_and_training_then_resume(fast_baseline, tmp_path):
    art = tmp_path / "artifacts" / "SYNTHETIC"
    (tmp_path / "luigi.cfg").write_text(FAST_CFG)
    running = {}

    def in_keyframes(out, proc):
        running["shard"] = int(wait_for(out, r"running   ExtractKeyframes\(.*?shard=(\d+)", proc).group(1))

    def in_training(out, proc):
        wait_for(out, r"running   TrainDIVAFN", proc)
        run_log = Path(wait_for(out, r"this run's log: (\S+\.log)", proc).group(1))
        wait_for(run_log, r"TrainDIVAFN\(SYNTHETIC\):  [1-9]\d% ", proc)   # inside the training loop

    invocations = kill_inside(tmp_path, "keyframes", in_keyframes,
                              lambda: list(art.glob(f"ExtractKeyframes-*/shard-{running['shard']:03d}.h5")))
    invocations += kill_inside(tmp_path, "training", in_training, lambda: list(art.glob("TrainDIVAFN-*/model.pt")))

    # What a writer killed in the middle of its write leaves: a temporary, never taken for the target.
    model = subprocess.run([sys.executable, "-c", "import tasks; print(tasks.TrainDIVAFN(pair='SYNTHETIC').output().path)"],
                           cwd=tmp_path, env=luigi_env(), capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f"{model}-luigi-tmp-{socket.gethostname()}-{dead_pid()}-0123456789"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"half a checkpoint")

    out = tmp_path / "resume.out"
    proc = start_luigi(["RunExperiment", "--pair", "SYNTHETIC"], tmp_path, log=out)
    try:
        rc = proc.wait(timeout=240)
    finally:
        stop_group(proc)
    log = out.read_text()
    assert rc == 0, log[-3000:]
    assert "running   MakeSyntheticData" not in log            # resumed: finished stages are not redone
    assert f"removing {stale.relative_to(tmp_path)}" in log
    check_artifacts(tmp_path)                                  # complete, and no temporaries left
    assert metrics_of(tmp_path) == fast_baseline[1]
    assert len(list(art.glob("logs/*.log"))) == invocations + 1   # one log per invocation


# ---- two runs at once -----------------------------------------------------------------------------------------

def test_two_concurrent_runs_on_one_pair(fast_baseline, tmp_path):
    """Both runs start the first stage, at once. A loaded machine can start the second so late that the first has
    finished that stage already (the runs then did not overlap): the test starts again from nothing, up to 3 times."""
    (tmp_path / "luigi.cfg").write_text(FAST_CFG)
    for attempt in range(3):
        outs = [tmp_path / f"run{i}-{attempt}.out" for i in (1, 2)]
        procs = [start_luigi(["RunExperiment", "--pair", "SYNTHETIC"], tmp_path, log=o) for o in outs]
        try:
            rcs = [p.wait(timeout=300) for p in procs]
        finally:
            for p in procs:
                stop_group(p)
        logs = [o.read_text() for o in outs]
        assert rcs == [0, 0], [lg[-2000:] for lg in logs]
        check_artifacts(tmp_path)
        assert metrics_of(tmp_path) == fast_baseline[1]
        if all("running   MakeSyntheticData" in lg for lg in logs):       # both really ran, at once
            return
        shutil.rmtree(tmp_path / "artifacts")
    raise AssertionError("the two runs never overlapped in 3 attempts")


# ---- retries ----------------------------------------------------------------------------------------------------

FAST_RETRY = {"scheduler": {"retry_delay": 1, "retry_count": 3}}


def test_bad_input_fails_once_under_luigid(luigid, tmp_path):
    port, cfg = luigid(FAST_RETRY)
    out = tmp_path / "luigi.out"
    proc = start_luigi(["ExtractKeyframes", "--pair", "SYNTHETIC", "--n-shards", "2", "--shard", "5", "--scheduler-port", str(port)],
                       tmp_path, FAST_CFG, config_path=cfg, log=out)
    try:
        rc = proc.wait(timeout=120)
    finally:
        stop_group(proc)
    log = out.read_text()
    assert rc == 30, log[-3000:]                           # [retcode] task_failed
    assert log.count("running   ExtractKeyframes") == 1     # no retry, though retry_delay is 1 s and keep_alive on
    assert log.count("ERROR: --shard 5 is outside 0..1") == 1
    assert "Traceback" not in log
    disabled = scheduler_api(port, "task_list", status="DISABLED")
    assert [t["name"] for t in disabled.values()] == ["ExtractKeyframes"]


FLAKY = '''
from pathlib import Path
import luigi
from tasks.base import ArtifactTask

class Flaky(ArtifactTask):
    """Fails the first time it runs (a transient error), succeeds the second."""
    marker = luigi.Parameter()

    def output(self):
        return self.artifact("out.txt")

    def run(self):
        if not Path(self.marker).exists():
            Path(self.marker).write_text("failed once")
            raise OSError("transient: the shared file system went away")
        with self.output().temporary_path() as tmp:
            Path(tmp).write_text("ok")
'''


def test_transient_failure_is_retried_under_luigid(luigid, tmp_path):
    port, cfg = luigid(FAST_RETRY)
    (tmp_path / "flaky_tasks.py").write_text(FLAKY)
    env = luigi_env(cfg)
    env["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{env['PYTHONPATH']}"
    r = subprocess.run([LUIGI, "--module", "flaky_tasks", "Flaky", "--pair", "SYNTHETIC", "--marker", str(tmp_path / "marker"),
                        "--scheduler-port", str(port)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stderr.count("running   Flaky") == 2
    assert "transient: the shared file system went away" in r.stderr
    assert list((tmp_path / "artifacts" / "SYNTHETIC").glob("Flaky-*/out.txt"))


# ---- what a user does: Ctrl-C, an artifacts folder that cannot be written ----------------------------------------

def test_ctrl_c_is_one_line_saying_what_was_kept_and_a_rerun_resumes(tmp_path):
    art = tmp_path / "artifacts" / "SYNTHETIC"
    out = tmp_path / "interrupted.out"
    # more epochs than any machine runs before the signal lands: the training is always what the signal stops
    proc = start_luigi(["TrainDIVAFN", "--pair", "SYNTHETIC", "--epochs", "100000"], tmp_path, FAST_CFG, log=out)
    try:
        wait_for(out, r"running   TrainDIVAFN", proc)           # every stage before it finished
        os.killpg(proc.pid, signal.SIGINT)                     # what Ctrl-C in a terminal sends: the whole group
        rc = proc.wait(timeout=60)
    finally:
        stop_group(proc)
    text = out.read_text()
    assert rc == -signal.SIGINT, text[-3000:]                  # 130 in a shell: interrupted
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-3000:]
    (line,) = [ln for ln in text.splitlines() if "interrupted" in ln]
    assert line == text.strip().splitlines()[-1]
    assert line.startswith(f"ERROR: interrupted: the output of every stage that finished is kept in {art}/")
    assert "run the same command again to resume" in line
    run_log = Path(re.search(r"this run's log: (\S+\.log)", line).group(1))
    assert run_log.read_text().strip().splitlines()[-1].endswith(line.removeprefix("ERROR: "))
    check_artifacts(tmp_path)                                  # whole outputs, and no temporaries left
    assert list(art.glob("ExtractVideoFeatures-*/shard-001.h5")) and not list(art.glob("TrainDIVAFN-*"))
    r = subprocess.run([LUIGI, "--module", "tasks", "TrainDIVAFN", "--pair", "SYNTHETIC", "--epochs", "1"], cwd=tmp_path,
                       env=luigi_env(), capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-3000:]
    assert re.search(r"\* 1 ran successfully:\n    - 1 TrainDIVAFN\(", r.stderr), r.stderr[-3000:]   # the rest was kept


def test_an_artifacts_folder_that_cannot_be_written_is_one_line_naming_it(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, where luigi.cfg's [paths] artifacts wants a folder")
    r = run_luigi(["MakeSyntheticData", "--pair", "SYNTHETIC"], tmp_path,      # the first stage to write
                  cfg_with(FAST_CFG, paths={"artifacts": str(tmp_path / "notes.txt" / "artifacts")}))
    assert r.returncode == 30, r.stderr[-3000:]                # [retcode] task_failed, before anything was computed
    assert "Traceback" not in r.stderr and "NotADirectoryError" not in r.stderr, r.stderr[-3000:]
    (line,) = [ln for ln in r.stderr.splitlines() if "cannot write" in ln]
    assert f"({tmp_path / 'notes.txt'} is a file, not a folder); set [paths] artifacts in luigi.cfg" in line
