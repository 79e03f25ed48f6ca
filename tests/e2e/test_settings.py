"""Shared settings on the root task's command line, refusals as one line, and recomputation after a deletion,
as a user meets them: `luigi --module tasks ...` in a subprocess."""
import json
import re
import shutil

import h5py
import pytest

from tests.helpers.luigi_process import FAST_CFG, run_folder, run_luigi

# shared settings that differ from the configuration's (n_shards 2, image_size 64), and a stage's own setting
ARGS = ["--n-shards", "3", "--image-size", "48", "--FitClassifier-svm-c", "0.5", "--FitClassifier-scaling", "standardise"]


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory):
    """RunExperiment with shared settings that differ from the configuration's (n_shards 2, image_size 64)."""
    cwd = tmp_path_factory.mktemp("shared_settings")
    r = run_luigi(["RunExperiment", "--pair", "SYNTHETIC", *ARGS, "--no-lock"], cwd, FAST_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    return cwd, r


def test_shared_settings_given_to_the_root_reach_every_stage(shared_run):
    cwd, r = shared_run
    art = cwd / "artifacts" / "SYNTHETIC"
    (images,) = art.glob("PrepareImages-*/images.h5")
    with h5py.File(images) as f:
        assert f["X"].shape[1:] == (48, 48, 3)
    (keyframes,) = {p.parent for p in art.glob("ExtractKeyframes-*/shard-*.h5")}
    assert sorted(p.name for p in keyframes.iterdir()) == ["shard-000.h5", "shard-001.h5", "shard-002.h5"]
    with h5py.File(keyframes / "shard-000.h5") as f:
        assert f["K"].shape[2:] == (48, 48, 3)
    metrics = json.loads((run_folder(cwd) / "metrics.json").read_text())
    assert metrics["parameters"]["TrainDIVAFN"]["image_size"] == "48"
    assert metrics["parameters"]["TrainDIVAFN"]["n_shards"] == "3"
    assert metrics["parameters"]["FitClassifier"]["svm_c"] == "0.5"
    assert metrics["parameters"]["FitClassifier"]["scaling"] == "standardise"
    (classifier,) = art.glob("FitClassifier-*/classifier.h5")
    with h5py.File(classifier) as f:                          # the coordinates' standard deviations, not ones
        assert f.attrs["scaling"] == "standardise" and not (f["input_scale"][:] == 1).all()
    (compare,) = art.glob("CompareMethods-*/results.json")    # CompareMethods scores with FitClassifier's SVM
    assert json.loads(compare.read_text())["provenance"]["scoring"]["scaling"] == "standardise"
    # the last line names the output (the one this command line made: the stage flag shapes its path too)
    assert r.stderr.strip().splitlines()[-1] == f"RunExperiment SYNTHETIC: {run_folder(cwd).relative_to(cwd)}/"


def test_deleting_a_stage_recomputes_it_and_everything_after_it(shared_run, tmp_path):
    cwd = tmp_path / "copy"
    shutil.copytree(shared_run[0], cwd)                 # copy2 keeps the times the freshness rule compares
    report = run_folder(cwd) / "metrics.json"
    before = report.read_text()
    for stage in (cwd / "artifacts" / "SYNTHETIC").glob("ProjectSemantics-*"):
        shutil.rmtree(stage)
    r = run_luigi(["RunExperiment", "--pair", "SYNTHETIC", *ARGS, "--no-lock"], cwd)
    assert r.returncode == 0, r.stderr[-3000:]
    ran = re.search(r"\* (\d+) ran successfully:\n((?:    - .*\n)+)", r.stderr)
    # ProjectSemantics ×2 (divafn, no keyframes: FAST_CFG trains no other chain), FitClassifier, CompareMethods,
    # RunExperiment
    assert ran and int(ran[1]) == 5, r.stderr[-2000:]
    for family in ("ProjectSemantics", "FitClassifier", "CompareMethods", "RunExperiment"):
        assert family in ran[2]
    assert "TrainDIVAFN" not in ran[2] and "DumpFeatures" not in ran[2]
    assert json.loads(report.read_text())["accuracy"] == json.loads(before)["accuracy"]


@pytest.mark.parametrize("args, says", [
    (["--ExtractKeyframes-keyframes", "5"], "give it as --keyframes 5"),
    (["--n-shardz", "2"], "unrecognized arguments: --n-shardz 2 (did you mean --n-shards?)"),
    (["--FitClassifier-scaling", "l2"], "l2"),
])
def test_a_refused_setting_is_one_line_and_a_failure(tmp_path, args, says):
    r = run_luigi(["RunExperiment", "--pair", "SYNTHETIC", *args], tmp_path)
    assert r.returncode != 0
    lines = [ln for ln in (r.stdout + r.stderr).splitlines() if says in ln]
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "artifacts").exists()


def test_a_missing_pair_is_one_line_naming_the_flag_and_the_pairs(tmp_path):
    # `--seed x` and the other malformed values take the same way out (tests/unit/tasks/test_settings.py)
    r = run_luigi(["RunExperiment"], tmp_path)
    assert r.returncode == 40, r.stderr[-3000:]                # [retcode] unhandled_exception, as every refusal
    assert r.stderr.strip().splitlines() == [r.stderr.strip()], r.stderr[-3000:]
    assert r.stderr.startswith("ERROR: --pair is missing: RunExperiment needs it (image→video pair: one of SYNTHETIC, ")
    assert "e.g. `luigi --module tasks RunExperiment --pair SYNTHETIC`" in r.stderr
    assert not (tmp_path / "artifacts").exists()
