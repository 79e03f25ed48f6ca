"""Real collections never break a run (issue 14): RunExperiment on a tree holding every kind of bad and odd file.

The tree (tests/helpers/bad_files.py, ASD_UCF101 in its official layouts) holds real clips and images and one file
of every odd kind (used) and every bad kind (rejected): 5 of 113 videos and 5 of 111 images cannot be used, within
the default budget of 5 %. One run with the default extractor and 4 shards is shared by the assertions; in copies
of its folder, one shard stops over a lower budget, before training, and with the budget raised gives the same
metrics; the precomputed extractor rejects the same videos; a 3D CNN (random weights) on a small tree rejects for
all what one stage rejects. One keyframe per video (k = 1) keeps the runs short.
"""
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.io import h5io
from tests.helpers import bad_files as B
from tests.helpers.inspect_cli import run_main
from tests.helpers.luigi_process import cfg_with, run_luigi

PAIR = B.PAIR
CFG = f"""
[pair:{PAIR}]
image_size = 64
fc_dim = 32
video_hidden = 32
epochs = 1
batch_size = 256
n_shards = 4
keyframes = 1
c = 8
embedding_dim = 16
lambda_grid = [1.0]
svm_c = 0.01
# divafn's chains only: the compared methods' (finetune, dann, divafn_plus) are tested on SYNTHETIC's tiny run
chains = []
# the default backbone with its ImageNet trunk frozen (computed once per still): fast
lr_trunk = 0
augment = false
"""
BAD = [("video", k) for k in B.BAD_VIDEOS] + [("image", k) for k in B.BAD_IMAGES]
VOLATILE = ("code_version", "parameters", "artifacts")   # the version string; n_shards and the folders it names


@pytest.fixture(scope="session")
def bad_tree(tmp_path_factory):
    data = tmp_path_factory.mktemp("bad_tree") / "data"
    return data, B.make_tree(data)


def run_folder(cwd, stderr) -> Path:
    """The run folder a successful RunExperiment names in its last line."""
    return Path(cwd) / re.findall(r"^RunExperiment \S+: (\S+)/$", stderr, re.M)[-1]


@pytest.fixture(scope="session")
def bad_run(bad_tree, tmp_path_factory):
    """RunExperiment with the default settings (default extractor, budget 5 %) and 4 shards: (cwd, stderr, run folder)."""
    work = tmp_path_factory.mktemp("bad_run")
    r = run_luigi(["RunExperiment", "--pair", PAIR, "--data-root", str(bad_tree[0])], work, CFG)
    assert r.returncode == 0, r.stderr[-4000:]
    return work, r.stderr, run_folder(work, r.stderr)


def _metrics(folder) -> dict:
    return json.loads((folder / "metrics.json").read_text())


def _artifacts(cwd, metrics, stage) -> list:
    """The paths of `stage`'s outputs that the run of `metrics` was made from."""
    return [Path(cwd) / p for p in metrics["artifacts"][stage]]


def test_every_decodable_file_is_used_and_every_bad_one_listed_once(bad_tree, bad_run, capsys):
    _, placed = bad_tree
    work, stderr, folder = bad_run
    assert "Traceback" not in stderr
    m = _metrics(folder)
    ids = [r["id"] for r in m["rejects"]]
    assert sorted(ids) == sorted(placed[b] for b in BAD)                        # the bad files, each once
    for modality, kind in BAD:
        (r,) = [r for r in m["rejects"] if r["id"] == placed[modality, kind]]
        assert r["modality"] == modality and B.REASONS[kind] in r["reason"], (kind, r)
        # a video rejected by one video stage is rejected for all
        assert r["stages"] == (["ExtractKeyframes", "ExtractVideoFeatures"] if modality == "video" else ["PrepareImages"])
    # odd files are used; those whose container or stream is off, with a warning naming what was odd
    assert {w["id"]: w["warning"] for w in m["warnings"]}.keys() == {placed["video", k] for k in B.WARNED}
    for kind, text in B.WARNED.items():
        assert any(w["id"] == placed["video", kind] and text in w["warning"] for w in m["warnings"]), kind
    assert m["n_images"] == 111 - 5 and m["n_train_videos"] + m["n_test_videos"] == 113 - 5
    assert sum(c["train"] + c["test"] for c in m["data"]["videos"].values()) == 113 - 5     # the data used per class

    report = (folder / "report.md").read_text()
    section = report.split("## Rejected items", 1)[1].split("\n## ", 1)[0]
    assert "10 items (5 images, 5 videos) could not be used" in section
    assert all(section.count(f"`{i}`") == 1 for i in ids)
    assert all(f"`{placed['video', k]}`" in section.split("with a warning", 1)[1] for k in B.WARNED)
    (checked,) = _artifacts(work, m, "CheckRejects")
    rc, out, _ = run_main(capsys, checked, "--dataset", "rejects", "--head", "0")
    assert rc == 0 and all(sum(i in ln for ln in out.splitlines()) == 1 for i in ids)   # divafn-inspect: each once

    # the default extractor's shards carry the keyframe shards' rejects (it copies their features); the warnings
    # are in the shards and the run log too
    for kf, vf in zip(_artifacts(work, m, "ExtractKeyframes"), _artifacts(work, m, "ExtractVideoFeatures"), strict=True):
        assert np.array_equal(h5io.read(kf, "keyframes", ["rejects"])["rejects"],
                              h5io.read(vf, "video_features", ["rejects"])["rejects"])
    warned = h5io.read_shards(_artifacts(work, m, "ExtractKeyframes"), "keyframes")["warnings"]
    assert sorted(warned[:, 0]) == sorted(placed["video", k] for k in B.WARNED)
    assert all(f"ExtractKeyframes: used {placed['video', k]}, but {t}" in stderr for k, t in B.WARNED.items())
    assert all(f"rejected {placed[b]}: " in stderr for b in BAD)


@pytest.fixture(scope="session")
def one_shard_runs(bad_tree, bad_run, tmp_path_factory):
    """The same tree with one shard, in a copy of the 4-shard run's folder (its stages complete: copytree keeps the
    times): first over a budget of 1 %, then with the budget raised back to 5 %."""
    work = tmp_path_factory.mktemp("one_shard") / "work"
    shutil.copytree(bad_run[0], work)
    args = ["RunExperiment", "--pair", PAIR, "--data-root", str(bad_tree[0]), "--n-shards", "1"]
    over = run_luigi([*args, "--CheckRejects-max-reject-fraction", "0.01"], work)
    raised = run_luigi([*args, "--CheckRejects-max-reject-fraction", "0.05"], work)
    return work, over, raised


def test_over_budget_stops_once_before_training(one_shard_runs, bad_tree):
    work, over, _ = one_shard_runs
    assert over.returncode != 0 and "Traceback" not in over.stderr
    errors = [ln for ln in over.stderr.splitlines() if ln.startswith("ERROR")]
    assert len(errors) == 1, over.stderr[-3000:]
    for part in ("5 of 113 videos (4.4%) cannot be used", "5 of 111 images (4.5%) cannot be used",
                 "max_reject_fraction = 0.01", str(bad_tree[0] / "UCF101" / bad_tree[1]["video", "empty"]) + ": empty file",
                 "--CheckRejects-max-reject-fraction 0.05", "[CheckRejects] max_reject_fraction"):
        assert part in errors[0], part
    assert over.stderr.count("running   ExtractKeyframes") == 1 and "running   TrainDIVAFN" not in over.stderr


def test_raising_the_budget_reruns_only_what_follows_and_one_shard_equals_four(one_shard_runs, bad_run):
    work, _, raised = one_shard_runs
    assert raised.returncode == 0, raised.stderr[-3000:]
    for stage in ("BuildManifest", "PrepareImages", "ExtractKeyframes", "ExtractVideoFeatures"):
        assert f"running   {stage}" not in raised.stderr, stage                # the shards are reused
    assert "running   CheckRejects" in raised.stderr and "running   TrainDIVAFN" in raised.stderr
    one, four = _metrics(run_folder(work, raised.stderr)), _metrics(bad_run[2])
    one.get("training", {}).pop("seconds", None)
    four.get("training", {}).pop("seconds", None)
    assert one.keys() == four.keys()
    for k in one:
        if k not in VOLATILE:
            assert one[k] == four[k], k


def test_precomputed_extractor_rejects_the_same_videos(bad_tree, bad_run, tmp_path):
    """Imported features exist for every video (the broken ones too, as in a published feature file): the videos
    ExtractKeyframes cannot decode are rejected all the same, once, and the rest trains and is classified
    (FitClassifier: RunExperiment's report adds nothing extractor-specific). In a copy of the 4-shard run's folder,
    whose keyframe shards it reuses."""
    work = tmp_path / "work"
    shutil.copytree(bad_run[0], work)
    checked = set((work / "artifacts" / PAIR).glob("CheckRejects-*/rejects.json"))
    (path,) = _artifacts(work, _metrics(bad_run[2]), "BuildManifest")
    ids = [v["id"] for v in json.loads(path.read_text())["videos"]]
    feats = np.random.default_rng(0).normal(size=(len(ids), 12)).astype(np.float32)
    np.savez(work / "features.npz", ids=np.array(ids), features=feats)
    r = run_luigi(["FitClassifier", "--pair", PAIR, "--data-root", str(bad_tree[0]), "--ExtractVideoFeatures-extractor",
                   "precomputed", "--ExtractVideoFeatures-precomputed-path", str(work / "features.npz")], work, CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "running   ExtractKeyframes" not in r.stderr and "running   ExtractVideoFeatures" in r.stderr
    assert r.stderr.count("running   CheckRejects(") == 1
    (new,) = set((work / "artifacts" / PAIR).glob("CheckRejects-*/rejects.json")) - checked
    doc = json.loads(new.read_text())
    videos = [x for x in doc["rejects"] if x["modality"] == "video"]
    assert sorted(x["id"] for x in videos) == sorted(bad_tree[1]["video", k] for k in B.BAD_VIDEOS)
    assert all(x["stages"] == ["ExtractKeyframes"] for x in videos)            # the imported file has them all
    (results,) = re.findall(r"^FitClassifier \S+: (\S+results\.json)", r.stderr, re.M)
    assert len(json.loads((work / results).read_text())["test_ids"]) == 30 + 3 - 1   # every usable test video


def test_3d_cnn_extractor_rejects_for_all_what_one_stage_rejects(tmp_path):
    """r3d_18 (random weights) on a small tree: the 1-frame clip, and the clip that breaks after its first frame,
    give a 3D CNN clip but not the default feature ExtractKeyframes computes (2 frames), so they are rejected for
    every stage; every bad video is listed once."""
    data = tmp_path / "data"
    (tmp_path / "work").mkdir()
    placed = B.make_tree(data, per_class=2, n_test=1, videos=list(B.BAD_VIDEOS), images=[])
    r = run_luigi(["CheckRejects", "--pair", PAIR, "--data-root", str(data), "--n-shards", "1", "--ExtractVideoFeatures-extractor",
                   "r3d_18", "--ExtractVideoFeatures-allow-random-weights", "--ExtractVideoFeatures-clip-frames", "1"],
                  tmp_path / "work", cfg_with(CFG, CheckRejects={"max_reject_fraction": 0.25}))
    assert r.returncode == 0, r.stderr[-3000:]
    (path,) = (tmp_path / "work" / "artifacts" / PAIR).glob("CheckRejects-*/rejects.json")
    doc = json.loads(path.read_text())
    stages = {x["id"]: x["stages"] for x in doc["rejects"]}
    assert sorted(stages) == sorted(placed["video", k] for k in B.BAD_VIDEOS) and len(doc["rejects"]) == len(stages)
    partial = [placed["video", k] for k in ("one_frame", "damaged_early")]
    assert all(stages.pop(i) == ["ExtractKeyframes"] for i in partial)
    assert all(s == ["ExtractKeyframes", "ExtractVideoFeatures"] for s in stages.values())
    (shard,) = (tmp_path / "work" / "artifacts" / PAIR).glob("ExtractVideoFeatures-*/shard-000.h5")
    cnn = h5io.read(shard, "video_features", ["ids", "Y"])
    assert set(partial) <= set(cnn["ids"]) and cnn["Y"].shape[1] == 512
