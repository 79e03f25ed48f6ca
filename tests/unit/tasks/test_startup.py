"""`import tasks` and `luigi --module tasks <Task> --help` load none of the heavy libraries (torch, scikit-learn,
matplotlib…): each stage imports what it needs in run(), so every luigi command starts in about a second."""
import subprocess
import sys

from tests.helpers.luigi_process import REPO, luigi_env
from tests.helpers.startup import HEAVY, probe


def test_importing_tasks_imports_no_heavy_library():
    code = f"import sys, tasks; print([m for m in {HEAVY!r} if m in sys.modules])"
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=luigi_env(), capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == "[]", f"`import tasks` imported {r.stdout.strip()}: import them in run()"


def test_help_imports_no_heavy_library(tmp_path):
    code, heavy, _ = probe(["RunExperiment", "--help"], tmp_path)
    assert code == 0 and heavy == [], heavy
