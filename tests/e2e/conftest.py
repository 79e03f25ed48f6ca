"""End-to-end tests: each runs `luigi --module tasks ...` as a user does (or reads a run that did).

Every test collected under tests/e2e is marked `e2e` (deselect them with `-m "not e2e"`). The fixtures here
are the runs and servers these tests share: the tiny SYNTHETIC run (once per session), luigid, a baseline run.
"""
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.luigi_process import (
    FAST_CFG,
    LUIGI,
    REPO,
    TINY_CFG,
    cfg_with,
    free_port,
    luigi_env,
    metrics_of,
    run_luigi,
    scheduler_api,
    stop_group,
)

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `e2e` (the hook sees the whole session's items: only ours are marked)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def tiny_cfg():
    return TINY_CFG


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The folder in which `luigi --module tasks RunExperiment --pair SYNTHETIC --no-lock` ran with TINY_CFG, once
    per session (tests.helpers.luigi_process.run_folder(tiny_run) is its RunExperiment folder). Tests only read it;
    one that runs Luigi there or changes a file takes tiny_run_copy instead."""
    cwd = tmp_path_factory.mktemp("tiny_run")
    # --no-lock: another run of the same command elsewhere on the machine must not make this one a no-op.
    r = run_luigi(["RunExperiment", "--pair", "SYNTHETIC", "--no-lock"], cwd, TINY_CFG)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    return cwd


@pytest.fixture
def tiny_run_copy(tiny_run, tmp_path) -> Path:
    """A copy of the tiny run, for a test that runs Luigi in it or changes it: tiny_run itself is shared by the
    session's tests, which read it as the fixture left it. copytree's copy2 keeps the files' times, on which the
    stages' freshness rests, so the copy is as complete as the original."""
    cwd = tmp_path / "tiny_run"
    shutil.copytree(tiny_run, cwd)
    return cwd


@pytest.fixture
def luigid(tmp_path):
    """A real luigid on a free loopback port, configured by conf/cluster.cfg (+ overrides); yields a handle."""
    procs = []

    def start(extra: dict = None):
        cfg_path = REPO / "conf" / "cluster.cfg"
        if extra:
            cfg_path = tmp_path / "luigid.cfg"
            cfg_path.write_text(cfg_with((REPO / "conf" / "cluster.cfg").read_text(), **extra))
        port = free_port()
        d = tmp_path / f"luigid-{port}"
        d.mkdir()
        luigid_bin = str(Path(sys.executable).with_name("luigid"))
        proc = subprocess.Popen([luigid_bin, "--address", "127.0.0.1", "--port", str(port), "--state-path", str(d / "state.pickle"),
                                 "--logdir", str(d)], cwd=d, env=luigi_env(cfg_path), stdout=open(d / "luigid.out", "w"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        deadline = time.time() + 30
        while True:
            try:
                scheduler_api(port, "task_list", status="DONE")
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"luigid did not start: {(d / 'luigid.out').read_text()}")
                time.sleep(0.2)
        return port, cfg_path

    yield start
    for p in procs:
        stop_group(p, signal.SIGTERM)


@pytest.fixture(scope="session")
def fast_baseline(tmp_path_factory):
    """One uninterrupted local-scheduler run of FAST_CFG: (its folder, its metrics.json)."""
    d = tmp_path_factory.mktemp("baseline")
    (d / "luigi.cfg").write_text(FAST_CFG)
    r = subprocess.run([LUIGI, "--module", "tasks", "RunExperiment", "--pair", "SYNTHETIC"], cwd=d, env=luigi_env(),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return d, metrics_of(d)
