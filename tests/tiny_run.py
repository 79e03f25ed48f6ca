"""One tiny SYNTHETIC run, shared by every test module of a pytest session (test_inspect, test_report)."""
from pathlib import Path

from conftest import TINY_CFG, run_luigi

_RUN = {}


def tiny_run(tmp_path_factory) -> Path:
    """The folder in which `luigi --module tasks RunExperiment --pair SYNTHETIC` ran with TINY_CFG (run once)."""
    if "cwd" not in _RUN:
        cwd = tmp_path_factory.mktemp("tiny_run")
        # --no-lock: another run of the same command elsewhere on the machine must not make this one a no-op.
        r = run_luigi(["RunExperiment", "--pair", "SYNTHETIC", "--no-lock"], cwd, TINY_CFG)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
        _RUN["cwd"] = cwd
    return _RUN["cwd"]


def run_folder(cwd: Path) -> Path:
    (folder,) = (cwd / "artifacts" / "SYNTHETIC").glob("RunExperiment-*")
    return folder
