"""Stages that write their pictures as they make them (pipeline.io.h5io.growing): PrepareImages' images and
ExtractKeyframes' keyframes end up in the file exactly as the in-memory arrays were, one picture per chunk."""
import h5py
import numpy as np
from PIL import Image

from pipeline.data import images
from pipeline.data.manifest import Item
from pipeline.io import h5io
from pipeline.video import shards
from pipeline.video.encode import write_video


def _grown(path, name, item_shape, make):
    with h5io.growing(path, name, item_shape) as append:
        arrays = make(append)
    h5io.write(path, "test", arrays, dict(task="test"), mode="a")
    with h5py.File(path) as f:
        return f[name][()], f[name].chunks, arrays, h5io.read(path, "test")


def test_prepare_images_streamed_equals_in_memory(tmp_path):
    rng = np.random.default_rng(0)
    items = []
    for i in range(5):
        Image.fromarray(rng.integers(0, 256, (20 + i, 30, 3), dtype=np.uint8)).save(tmp_path / f"{i}.png")
        items.append(Item(id=f"{i}.png", path=str(tmp_path / f"{i}.png"), label=i % 2, split="train"))
    (tmp_path / "bad.png").write_bytes(b"")
    items.insert(2, Item(id="bad.png", path=str(tmp_path / "bad.png"), label=0, split="train"))
    want, want_rejects = images.prepare(items, 16)
    X, chunks, arrays, back = _grown(tmp_path / "i.h5", "X", (16, 16, 3),
                                     lambda append: images.prepare(items, 16, append=append)[0])
    assert "X" not in arrays and np.array_equal(X, want["X"]) and X.shape == (5, 16, 16, 3) and chunks == (1, 16, 16, 3)
    assert list(back["ids"]) == list(want["ids"]) and np.array_equal(back["labels"], want["labels"])


def test_keyframe_shard_streamed_equals_in_memory(tmp_path):
    rng = np.random.default_rng(1)
    videos = []
    for i in range(3):
        write_video(tmp_path / f"{i}.avi", rng.integers(0, 256, (8, 32, 48, 3), dtype=np.uint8), 25)
        videos.append(Item(id=f"C/{i}.avi", path=str(tmp_path / f"{i}.avi"), label=0, split="train"))
    want, _, _ = shards.keyframe_shard(videos, 2, 24, motion=(4, 8))
    K, chunks, arrays, back = _grown(tmp_path / "k.h5", "K", (2, 24, 24, 3),
                                     lambda append: shards.keyframe_shard(videos, 2, 24, motion=(4, 8), append=append)[0])
    assert "K" not in arrays and np.array_equal(K, want["K"]) and chunks == (1, 1, 24, 24, 3)
    assert np.array_equal(back["Y"], want["Y"]) and list(back["ids"]) == list(want["ids"])
