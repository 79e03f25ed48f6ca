import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LUIGI = str(Path(sys.executable).with_name("luigi"))


def run_luigi(args, cwd, extra_cfg: str = "", timeout=600):
    """Run `luigi --module tasks ARGS` in `cwd` as a user would; returns the CompletedProcess.

    `extra_cfg` is written to cwd/luigi.cfg (read after the repository's own luigi.cfg).
    """
    cwd = Path(cwd)
    if extra_cfg:
        (cwd / "luigi.cfg").write_text(extra_cfg)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("LUIGI_CONFIG_PATH", None)
    return subprocess.run([LUIGI, "--module", "tasks", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


# The smallest SYNTHETIC configuration: every stage runs, in well under a minute on 2 cores.
TINY_CFG = """
[MakeSyntheticData]
size = tiny
[pair:SYNTHETIC]
image_size = 64
fc_dim = 128
video_hidden = 128
epochs = 3
batch_size = 64
n_shards = 2
c = 16
"""


@pytest.fixture
def tiny_cfg():
    return TINY_CFG


# ---- helpers for the scale-out and fault tests (tests/test_cluster.py, tests/test_faults.py) -------------------
import configparser  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402


def cfg_with(base: str, **sections) -> str:
    """`base` (a config text) with options set: cfg_with(TINY_CFG, **{"pair:SYNTHETIC": {"epochs": 6}})."""
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str
    cp.read_string(base)
    for section, options in sections.items():
        if not cp.has_section(section):
            cp.add_section(section)
        for k, v in options.items():
            cp.set(section, k, str(v))
    out = io.StringIO()
    cp.write(out)
    return out.getvalue()


# TINY_CFG with one λ instead of a grid: the λ search is the slowest stage of the tiny run and these tests
# are about running, not about λ.
FAST_CFG = cfg_with(TINY_CFG, **{"pair:SYNTHETIC": {"lambda_grid": "[1.0]"}})


def luigi_env(config_path=None) -> dict:
    """The environment of a luigi process in these tests: one BLAS/torch thread per task process.

    Results compared across runs must come from the same thread count (a float sum's order may depend on
    it), and on 2 cores shared by `--workers 2` more threads only oversubscribe (OpenBLAS then runs 4x slower).
    """
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1")
    env.pop("LUIGI_CONFIG_PATH", None)
    if config_path:
        env["LUIGI_CONFIG_PATH"] = str(config_path)
    return env


def start_luigi(args, cwd, extra_cfg: str = "", config_path=None, log=None) -> subprocess.Popen:
    """Start `luigi --module tasks ARGS` in its own process group (stop it with stop_group); output to `log`."""
    cwd = Path(cwd)
    if extra_cfg:
        (cwd / "luigi.cfg").write_text(extra_cfg)
    out = open(log or cwd / f"luigi-{time.monotonic_ns()}.out", "w")
    return subprocess.Popen([LUIGI, "--module", "tasks", *args], cwd=cwd, env=luigi_env(config_path),
                            stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def stop_group(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    """Signal the process group of `proc` (it was started with start_new_session) and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    try:                                   # forked task processes left in the group
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scheduler_api(port: int, method: str, **data):
    """Call luigid's JSON API (what the visualiser uses), e.g. scheduler_api(port, "task_list", status="DONE")."""
    query = urllib.parse.urlencode({"data": json.dumps(data)})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/{method}?{query}", timeout=10) as r:
        return json.loads(r.read())["response"]


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


def metrics_of(root) -> dict:
    """metrics.json of the one completed RunExperiment under root/artifacts/SYNTHETIC (temporaries excluded)."""
    runs = [p for p in (Path(root) / "artifacts" / "SYNTHETIC").glob("RunExperiment-*") if "-luigi-tmp-" not in p.name]
    assert len(runs) == 1, runs
    return json.loads((runs[0] / "metrics.json").read_text())


def check_artifacts(root, allow_temporaries=False) -> list:
    """Assert that every final target under root/artifacts is complete; returns the leftover temporaries."""
    import h5py
    import torch

    root = Path(root) / "artifacts"
    temps = sorted(p for p in root.rglob("*-luigi-tmp-*"))
    finals = [p for p in root.rglob("*") if not any("-luigi-tmp-" in part for part in p.relative_to(root).parts)]
    for p in finals:
        if p.suffix == ".h5":
            with h5py.File(p, "r") as f:
                assert f.attrs.get("schema_version") is not None, p
                for name in f:
                    f[name][()]                       # every dataset reads back
        elif p.suffix == ".pt":
            ckpt = torch.load(p, map_location="cpu", weights_only=False)
            assert "state_dict" in ckpt, p
        elif p.suffix == ".json":
            json.loads(p.read_text())
    for run in root.glob("*/RunExperiment-*"):
        if "-luigi-tmp-" not in run.name:
            assert {"metrics.json", "report.md", "confusion.png"} <= {q.name for q in run.iterdir()}, run
    for data in root.glob("*/MakeSyntheticData-*/data"):
        assert (data / "UCF101").is_dir() and (data / "Stanford40").is_dir(), data
    if not allow_temporaries:
        assert not temps, f"temporaries left behind: {temps}"
    return temps


@pytest.fixture(scope="session")
def fast_baseline(tmp_path_factory):
    """One uninterrupted local-scheduler run of FAST_CFG: (its folder, its metrics.json)."""
    d = tmp_path_factory.mktemp("baseline")
    (d / "luigi.cfg").write_text(FAST_CFG)
    r = subprocess.run([LUIGI, "--module", "tasks", "RunExperiment", "--pair", "SYNTHETIC"], cwd=d, env=luigi_env(),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return d, metrics_of(d)
