"""The walking pipeline from the command line, as a user runs it (smallest SYNTHETIC size)."""
import json
import shutil

import h5py

from tests.helpers.luigi_process import TINY_CFG, run_folder, run_luigi

STAGES = ["MakeSyntheticData", "BuildManifest", "PrepareImages", "ExtractKeyframes", "ExtractVideoFeatures",
          "CheckRejects", "EmbedClassNames", "TrainDIVAFN", "DumpFeatures", "ProjectSemantics", "FitClassifier", "RunExperiment"]


def test_every_stage_ran_and_metrics_are_complete(tiny_run):
    cwd = tiny_run
    for stage in STAGES:
        assert list((cwd / "artifacts" / "SYNTHETIC").glob(f"{stage}-*")), f"{stage} wrote nothing"
    m = json.loads((run_folder(cwd) / "metrics.json").read_text())
    for key in ("pair", "seed", "classes", "n_train_videos", "n_test_videos", "accuracy", "per_class_accuracy"):
        assert key in m
    assert m["pair"] == "SYNTHETIC" and len(m["classes"]) == 8
    assert {"divafn", "video_only"} <= set(m["accuracy"])
    assert all(0.0 <= a <= 1.0 for a in m["accuracy"].values())
    assert set(m["per_class_accuracy"]) == set(m["classes"])
    assert (run_folder(cwd) / "report.md").is_file() and (run_folder(cwd) / "confusion.png").stat().st_size > 1000


def test_hdf5_artifacts_have_named_datasets_and_provenance(tiny_run):
    cwd = tiny_run
    files = list((cwd / "artifacts" / "SYNTHETIC").glob("*/*.h5"))
    assert len(files) >= 6
    for path in files:
        with h5py.File(path, "r") as f:
            for attr in ("schema_version", "kind", "task_id", "params", "code_version", "created_utc", "classes"):
                assert attr in f.attrs, f"{path.name}: no {attr}"
            assert len(f.keys()) >= 2
    dumps = list((cwd / "artifacts" / "SYNTHETIC").glob("DumpFeatures-*/features.h5"))
    assert len(dumps) == 5          # DIVAFN; CompareMethods': without keyframes, finetune, dann, divafn_plus
    for features in dumps:
        with h5py.File(features, "r") as f:
            assert {"F", "H", "G", "video_labels", "video_ids", "image_ids"} <= set(f)
            assert f["G"].shape[0] == f["video_ids"].shape[0] == f["H"].shape[0]


def _times(cwd):
    """{path: modification time in ns} of every file and folder under cwd/artifacts."""
    return {p.relative_to(cwd): p.stat().st_mtime_ns for p in (cwd / "artifacts").rglob("*")}


def test_rerun_does_nothing_and_one_deleted_stage_reruns_alone(tiny_run_copy):
    cwd = tiny_run_copy
    before = _times(cwd)
    again = run_luigi(["RunExperiment", "--pair", "SYNTHETIC", "--no-lock"], cwd)
    assert again.returncode == 0, again.stderr[-3000:]
    ran = [ln for ln in again.stderr.splitlines() if " running   " in ln or "ran successfully" in ln]
    assert ran == [], ran                                          # no stage ran, none was even started
    assert "Did not run any tasks" in again.stderr, again.stderr[-3000:]
    assert _times(cwd) == before                                   # no output rewritten, no log written

    # the configured chain's stage (CompareMethods adds a second chain, trained without keyframes)
    (path,) = json.loads((run_folder(cwd) / "metrics.json").read_text())["artifacts"]["ProjectSemantics"]
    stage = (cwd / path).parent
    shutil.rmtree(stage)
    r = run_luigi(["ProjectSemantics", "--pair", "SYNTHETIC", "--no-lock"], cwd)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "1 ran successfully" in r.stderr and "ProjectSemantics(" in r.stderr.split("ran successfully")[1].split("\n")[1]
    assert (stage / "semantic.h5").is_file()
    logs = cwd / "artifacts" / "SYNTHETIC" / "logs"
    changed = {cwd / p for p, t in _times(cwd).items() if before.get(p) != t}
    elsewhere = {p for p in changed if not (p.is_relative_to(stage) or p.is_relative_to(logs))}
    assert elsewhere == {stage.parent}, elsewhere           # the pair's folder, where the stage's folder was made again


def test_unknown_pair_is_one_clear_line(tmp_path):
    r = run_luigi(["RunExperiment", "--pair", "NOPE"], tmp_path, TINY_CFG)
    assert r.returncode != 0
    errors = [ln for ln in (r.stdout + r.stderr).splitlines() if "unknown pair" in ln]
    assert len(errors) == 1 and "SYNTHETIC" in errors[0] and "Traceback" not in r.stderr
    assert not (tmp_path / "artifacts").exists()


def test_missing_data_root_is_one_clear_line(tmp_path):
    r = run_luigi(["RunExperiment", "--pair", "EAD_HMDB51", "--data-root", str(tmp_path / "nowhere")], tmp_path, TINY_CFG)
    assert r.returncode != 0
    errors = [ln for ln in (r.stdout + r.stderr).splitlines() if "nowhere" in ln and "does not exist" in ln]
    assert len(errors) == 1 and "--data-root" in errors[0] and "Traceback" not in r.stderr
    assert not list(tmp_path.glob("artifacts/**/*.*"))
