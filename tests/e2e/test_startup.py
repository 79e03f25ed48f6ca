"""A no-op rerun of a finished run: every stage found complete by its paths' digests and the outputs' times alone,
with no artifact opened and none of the heavy libraries imported (so it takes about a second)."""
import shutil

from tests.helpers.luigi_process import run_folder
from tests.helpers.startup import HEAVY, probe


def test_a_no_op_rerun_opens_no_artifact_and_imports_no_heavy_library(tiny_run_copy):
    code, heavy, opened = probe(["RunExperiment", "--pair", "SYNTHETIC", "--no-lock"], tiny_run_copy)
    assert code == 0
    assert heavy == [], f"the no-op rerun imported {heavy}"
    assert opened == [], f"the no-op rerun opened {opened[:5]}"


def test_with_workers_the_worker_imports_the_libraries_once_before_forking(tiny_run_copy):
    """A stage to run on `--workers 2`: the worker process imports what the stages' run() import before it forks the
    task processes (tasks/hooks.py, RUN_MODULES), so that each of them finds it imported."""
    shutil.rmtree(run_folder(tiny_run_copy))                    # the report: quick to make again
    code, heavy, _ = probe(["RunExperiment", "--pair", "SYNTHETIC", "--no-lock", "--workers", "2"], tiny_run_copy)
    assert code == 0 and run_folder(tiny_run_copy).is_dir()
    # torchvision only with the backbones and 3D CNNs that use it (models.backbones imports it there), not this run's
    assert heavy == [m for m in HEAVY if m != "torchvision"]
