"""Running under luigid with several workers (docs/cluster.md), and what a run shows."""
import re
import subprocess

from tests.helpers.luigi_process import (
    FAST_CFG,
    REPO,
    check_artifacts,
    metrics_of,
    scheduler_api,
    start_luigi,
    stop_group,
)

STAGES = {"MakeSyntheticData", "BuildManifest", "PrepareImages", "ExtractKeyframes", "ExtractVideoFeatures", "CheckRejects",
          "EmbedClassNames", "TrainDIVAFN", "DumpFeatures", "ProjectSemantics", "FitClassifier", "CompareMethods", "RunExperiment"}
N_TASKS = 18        # 2 shards of each video stage; beside the main chain, CompareMethods' Train→Dump→Project chain
                    # without keyframes (FAST_CFG: no other chain)


def wait(proc, timeout):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(proc)
        raise


def test_luigid_two_workers_matches_local_run(fast_baseline, luigid, tmp_path):
    port, _ = luigid()
    out = tmp_path / "luigi.out"
    # docs/cluster.md's command: conf/cluster.cfg turns the local scheduler off and names the scheduler host.
    proc = start_luigi(["RunExperiment", "--pair", "SYNTHETIC", "--workers", "2", "--scheduler-port", str(port)],
                       tmp_path, FAST_CFG, config_path=REPO / "conf" / "cluster.cfg", log=out)
    try:
        rc = wait(proc, 240)
    finally:
        stop_group(proc)
    log = out.read_text()
    assert rc == 0, log[-3000:]
    assert "Running Worker with 2 processes" in log
    assert metrics_of(tmp_path) == fast_baseline[1]
    check_artifacts(tmp_path)

    done = scheduler_api(port, "task_list", status="DONE")
    assert {t["name"] for t in done.values()} == STAGES
    assert len(done) == N_TASKS
    for status in ("PENDING", "RUNNING", "FAILED", "DISABLED"):
        assert scheduler_api(port, "task_list", status=status) == {}, status
    gpu = {t["name"]: t["resources"] for t in done.values() if t["resources"]}
    assert gpu == {"TrainDIVAFN": {"gpu": 1}, "DumpFeatures": {"gpu": 1}}
    train = next(t for t in done.values() if t["name"] == "TrainDIVAFN")      # what the visualiser shows
    assert train["progress_percentage"] == 100 and train["status_message"]
    fit = next(t for t in done.values() if t["name"] == "FitClassifier")      # a task without progress of its own
    assert fit["progress_percentage"] == 100 and fit["status_message"].startswith("started on ")
    run_logs = list((tmp_path / "artifacts" / "SYNTHETIC" / "logs").glob("*.log"))
    assert len(run_logs) == 1 and "done      TrainDIVAFN(" in run_logs[0].read_text()   # a forked worker's line


def test_two_worker_processes_share_one_luigid(fast_baseline, luigid, tmp_path):
    """Two machines, as far as luigid can tell: each task runs in exactly one of them."""
    port, _ = luigid()
    (tmp_path / "luigi.cfg").write_text(FAST_CFG)
    outs = [tmp_path / f"worker{i}.out" for i in (1, 2)]
    procs = [start_luigi(["RunExperiment", "--pair", "SYNTHETIC", "--scheduler-port", str(port)], tmp_path,
                         config_path=REPO / "conf" / "cluster.cfg", log=o) for o in outs]
    try:
        rcs = [wait(p, 240) for p in procs]
    finally:
        for p in procs:
            stop_group(p)
    logs = [o.read_text() for o in outs]
    # Each process's exit code speaks for the tasks it ran itself: 10 ([retcode] already_running) or 25 (not_run)
    # when the other one ran some of its tasks (docs/cluster.md, "Several machines"). Neither failed.
    assert set(rcs) <= {0, 10, 25}, [lg[-2000:] for lg in logs]
    ran = [line for lg in logs for line in lg.splitlines() if " running   " in line]
    assert len(ran) == N_TASKS, ran                                   # every task once, none twice
    assert metrics_of(tmp_path) == fast_baseline[1]
    check_artifacts(tmp_path)
    again = start_luigi(["RunExperiment", "--pair", "SYNTHETIC", "--scheduler-port", str(port)], tmp_path,
                        config_path=REPO / "conf" / "cluster.cfg", log=tmp_path / "again.out")
    try:
        assert wait(again, 120) == 0                            # docs/cluster.md's check that the graph is done
    finally:
        stop_group(again)
    assert " running   " not in (tmp_path / "again.out").read_text()


def test_run_log_per_invocation(fast_baseline):
    logs = list((fast_baseline[0] / "artifacts" / "SYNTHETIC" / "logs").glob("*.log"))
    assert len(logs) == 1, logs
    text = logs[0].read_text()
    assert "command: " in text and "--pair SYNTHETIC" in text
    for stage in STAGES:
        assert f"done      {stage}(" in text, stage
    progress = re.findall(r"TrainDIVAFN\(SYNTHETIC\): +(\d+)% ", text)   # every 10 %, in the file only
    assert len(progress) >= 3 and progress[-1] == "100", progress
    assert "Luigi Execution Summary" in text
