"""Running `luigi --module tasks ...` as a user does, in a subprocess, and checking what a run left behind.

Shared by the end-to-end tests (tests/e2e/) and, for `dead_pid`, by the AtomicTarget tests.
"""
import configparser
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
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


# The smallest SYNTHETIC configuration: every stage runs, in well under a minute on 2 cores. The default
# backbone with its ImageNet trunk frozen and no augmentation: the trunk runs once per still (train.train).
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
lr_trunk = 0
augment = false
"""


def run_folder(cwd) -> Path:
    """The one RunExperiment folder of the SYNTHETIC run started in `cwd`."""
    (folder,) = (Path(cwd) / "artifacts" / "SYNTHETIC").glob("RunExperiment-*")
    return folder


# ---- helpers for the scale-out and fault tests (tests/e2e/test_cluster.py, tests/e2e/test_faults.py) -----------


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


# TINY_CFG with one λ instead of a grid and no chain beside divafn's two (`chains`: finetune, dann, divafn_plus are
# trained by the session's tiny run, TINY_CFG): these tests are about running, not about λ or the compared methods.
FAST_CFG = cfg_with(TINY_CFG, **{"pair:SYNTHETIC": {"lambda_grid": "[1.0]", "chains": "[]"}})


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
                            stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=_ctrl_c_as_in_a_terminal)


def _ctrl_c_as_in_a_terminal():
    """SIGINT at its default in the child, as for a terminal's foreground job: a suite started in the background
    without job control (`pytest &` in a script, nohup) runs with SIGINT ignored, and every child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


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


def dead_pid() -> int:
    """The id of a process that has just exited (no live process has it)."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid
