"""Assembling the stages' arrays (pipeline/io/assemble.py): a rejected video leaves every later stage."""
import numpy as np
import pytest

from pipeline.data.manifest import Item
from pipeline.errors import DataError
from pipeline.io import assemble


def test_rejected_videos_leave_every_later_stage():
    class M:
        videos = [Item(id=f"v{i}", path="", label=i % 2, split="train" if i < 3 else "test") for i in range(5)]
    kf = dict(ids=np.array(["v0", "v2", "v3", "v4"]), K=np.arange(4)[:, None] * np.ones((4, 2)),
              rejects=np.array([["v1", "empty file", "s0"]]))
    vf = dict(ids=np.array(["v0", "v1", "v2", "v4"]), Y=np.arange(4)[:, None] * np.ones((4, 3)),
              rejects=np.array([["v3", "truncated", "s1"]]))
    out = assemble.video_arrays(M, kf, vf)
    assert list(out["ids"]) == ["v0", "v2", "v4"]
    assert out["K"][:, 0].tolist() == [0, 1, 3] and out["Y"][:, 0].tolist() == [0, 2, 3]
    assert out["labels"].tolist() == [0, 0, 0] and out["split"].tolist() == ["train", "train", "test"]
    # a video neither used nor rejected (shards written by older code, whose default extractor listed no rejects)
    with pytest.raises(DataError, match=r"1 of the manifest's 5 videos are neither used nor rejected in them "
                                        r"\(e.g. v1\); they were written by older code or for another manifest"):
        assemble.video_arrays(M, dict(kf, rejects=np.empty((0, 3), str)), vf)


def test_images_are_the_usable_ones_in_manifest_order():
    class M:
        images = [Item(id=f"i{i}", path="", label=0, split="train") for i in range(4)]
    images = dict(ids=np.array(["i0", "i2", "i3"]), X=np.zeros((3, 2, 2, 3), np.uint8))
    assert assemble.image_arrays(M, images) is images                 # i1 was rejected
    for bad in (["i0", "i9"], ["i2", "i0"], ["i0", "i0"]):
        with pytest.raises(DataError, match="written by older code or for another manifest.*PrepareImages"):
            assemble.image_arrays(M, dict(ids=np.array(bad)), "images.h5")
