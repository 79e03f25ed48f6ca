"""Every item used or rejected once, the budget over the whole collection, classes left (pipeline/data/accounting.py)."""
import numpy as np
import pytest

from pipeline.data import accounting
from pipeline.data.manifest import Item, Manifest
from pipeline.errors import DataError


def manifest(n_videos=120, n_images=40, classes=("A", "B")) -> Manifest:
    videos = [Item(f"V/{i:03d}.avi", f"/d/V/{i:03d}.avi", i % len(classes), "test" if i % 4 == 0 else "train")
              for i in range(n_videos)]
    images = [Item(f"I/{i:03d}.jpg", f"/d/I/{i:03d}.jpg", i % len(classes), "train") for i in range(n_images)]
    return Manifest("P", list(classes), images, videos)


def files(items, rejected: dict, n_shards=1, warnings=None, source="shard") -> list:
    """[(path, arrays)] as a stage writes them: the items of each part used, but those in `rejected` (id → reason)."""
    out = []
    for s in range(n_shards):
        part = accounting._part(items, s, n_shards)
        out.append((f"{source}-{s:03d}.h5", dict(
            ids=np.array([it.id for it in part if it.id not in rejected], dtype=str),
            rejects=np.array([[it.id, rejected[it.id], f"{source}-{s:03d}.h5"] for it in part if it.id in rejected],
                             dtype=str).reshape(-1, 3),
            warnings=np.array([[i, w] for i, w in (warnings or {}).items() if i in {it.id for it in part}],
                              dtype=str).reshape(-1, 2))))
    return out


def doc_of(m, image_rejects=None, kf=None, vf=None, n_shards=4, warnings=None):
    return accounting.account(m, [("PrepareImages", "image", files(m.images, image_rejects or {})),
                                  ("ExtractKeyframes", "video", files(m.videos, kf or {}, n_shards, warnings)),
                                  ("ExtractVideoFeatures", "video", files(m.videos, vf or {}, n_shards, warnings))])


def test_each_reject_once_with_every_reason_and_stage():
    m = manifest()
    doc = doc_of(m, image_rejects={"I/003.jpg": "not an image file"},
                 kf={"V/007.avi": "empty file (0 bytes)", "V/002.avi": "has 1 frame"},
                 vf={"V/007.avi": "empty file (0 bytes)", "V/050.avi": "not a video file"},
                 warnings={"V/010.avi": "its container states 444 frames", "V/002.avi": "odd"})
    assert [(r["modality"], r["id"], r["reason"], r["stages"]) for r in doc["rejects"]] == [
        ("image", "I/003.jpg", "not an image file", ["PrepareImages"]),
        ("video", "V/002.avi", "has 1 frame", ["ExtractKeyframes"]),          # one stage rejects it: left out of all
        ("video", "V/007.avi", "empty file (0 bytes)", ["ExtractKeyframes", "ExtractVideoFeatures"]),
        ("video", "V/050.avi", "not a video file", ["ExtractVideoFeatures"])]
    assert doc["rejects"][0]["path"] == "/d/I/003.jpg"
    # a used video's warning, once although both stages gave it; none for a rejected video
    assert [(w["id"], w["warning"], w["stages"]) for w in doc["warnings"]] == [
        ("V/010.avi", "its container states 444 frames", ["ExtractKeyframes", "ExtractVideoFeatures"])]
    assert (doc["n_images"], doc["n_videos"]) == (40, 120)


def test_a_file_that_does_not_account_for_its_part_names_itself_and_the_fix():
    m = manifest()
    stage = files(m.videos, {}, 4)
    stage[2][1]["ids"] = stage[2][1]["ids"][1:]          # a video neither used nor rejected (the old default extractor)
    with pytest.raises(DataError, match=r"^shard-002.h5: 1 of its 30 videos are neither used nor rejected in it "
                                        r"\(e.g. V/060.avi\); it was written by older code.*re-run ExtractVideoFeatures"):
        accounting.account(m, [("ExtractVideoFeatures", "video", stage)])


def test_the_budget_is_checked_once_over_the_whole_collection_whatever_the_shards():
    """2 broken videos of 120 (1.7 %) fall into one shard of 30 (6.7 %): the budget of 5 % holds for any n_shards."""
    m = manifest()
    broken = {"V/031.avi": "empty file (0 bytes)", "V/032.avi": "not a video file"}
    docs = [doc_of(m, kf=broken, vf=broken, n_shards=n) for n in (1, 4, 7)]
    assert docs[0] == docs[1] == docs[2]
    accounting.check_budget(docs[1], 0.05)
    broken = {f"V/{i:03d}.avi": f"reason {i}" for i in range(0, 120, 15)}        # 8 of 120: 6.7 %
    images = {"I/001.jpg": "truncated", "I/002.jpg": "empty", "I/009.jpg": "not an image file"}
    with pytest.raises(DataError) as e:
        accounting.check_budget(doc_of(m, images, broken), 0.05, "artifacts/P/BuildManifest-0123456789ab")
    msg = str(e.value)
    assert msg.startswith("8 of 120 videos (6.7%) cannot be used, e.g. /d/V/000.avi: reason 0; /d/V/015.avi: reason 15;")
    assert "and 3 more (the run log lists each)" in msg and " and 3 of 40 images (7.5%) cannot be used" in msg
    assert "more than max_reject_fraction = 0.05 allows (checked once, over the whole collection)" in msg
    assert "delete artifacts/P/BuildManifest-0123456789ab/ and run again" in msg
    assert "--CheckRejects-max-reject-fraction 0.08 (luigi.cfg [CheckRejects] max_reject_fraction)" in msg
    accounting.check_budget(doc_of(m, images, broken), 0.08)                      # the budget it names suffices


def test_a_class_left_without_images_or_training_or_test_videos_is_one_error_naming_it():
    m = manifest(n_videos=12, n_images=6, classes=("A", "B", "C"))
    accounting.check_classes(m, doc_of(m, {"I/001.jpg": "x"}, n_shards=1))         # B keeps I/004.jpg
    lost = {"I/001.jpg": "x", "I/004.jpg": "y"}                                     # every image of B
    train_a = {v.id: "gone" for v in m.videos if v.label == 0 and v.split == "train"}
    test_c = {v.id: "gone" for v in m.videos if v.label == 2 and v.split == "test"}
    with pytest.raises(DataError) as e:
        accounting.check_classes(m, doc_of(m, lost, {**train_a, **test_c}, n_shards=1), "artifacts/P/BuildManifest-x")
    msg = str(e.value)
    assert "class A has no training videos left: all 3 were rejected (/d/V/003.avi: gone;" in msg
    assert "class B has no images left: all 2 were rejected (/d/I/001.jpg: x; /d/I/004.jpg: y)" in msg
    assert "class C has no test videos left: all 1 were rejected" in msg
    assert msg.count(" left: all ") == 3 and "delete artifacts/P/BuildManifest-x/ and run again" in msg
