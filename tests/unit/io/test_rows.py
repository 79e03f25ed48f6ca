"""Reading pictures a batch at a time (pipeline/io/rows.py): the same items as the in-memory arrays, in the order
asked for, and never more than the batch read or held; the artifacts' one-picture chunks (pipeline/io/h5io.py)."""
import tracemalloc

import h5py
import numpy as np
import pytest
import torch

from pipeline.data.manifest import Item
from pipeline.io import assemble, h5io
from pipeline.io.rows import Rows, concat

@pytest.fixture
def rng():
    """A generator of each test's own: its data does not depend on which tests ran before it."""
    return np.random.default_rng(0)


def write(path, kind, **arrays):
    h5io.write(path, kind, arrays, dict(task="test"))
    return str(path)


@pytest.fixture
def files(tmp_path, rng):
    """images.h5 (10 images) and two keyframe shards (3 + 4 videos of k = 3), as the stages write them."""
    X = rng.integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    K = rng.integers(0, 256, (7, 3, 8, 8, 3), dtype=np.uint8)
    images = write(tmp_path / "images.h5", "images", X=X)
    shards = [write(tmp_path / "s0.h5", "keyframes", K=K[:3]), write(tmp_path / "s1.h5", "keyframes", K=K[3:])]
    return X, K, images, shards


def test_items_equal_the_arrays_for_slices_index_tensors_and_selections(files):
    X, K, images, shards = files
    rx, rk = Rows.of_h5([images], "X", "images"), Rows.of_h5(shards, "K", "keyframes")
    assert rx.shape == X.shape and rk.shape == K.shape and len(rk) == 7
    assert torch.equal(rx[2:7], torch.from_numpy(X[2:7])) and rx[2:7].dtype == torch.uint8
    assert torch.equal(rk[:], torch.from_numpy(K))
    every = rk.keyframes(3)                                    # in order, as the feature dump reads them
    assert torch.equal(every[:], torch.from_numpy(K.reshape(-1, 8, 8, 3)))
    assert torch.equal(every[4:17], torch.from_numpy(K.reshape(-1, 8, 8, 3)[4:17]))
    order = torch.tensor([6, 0, 3, 3, 2])                     # unsorted, repeated, across both shards
    assert torch.equal(rk[order], torch.from_numpy(K[order.numpy()]))
    pick = np.array([5, 1, 2])
    assert torch.equal(rk.take(pick)[:], torch.from_numpy(K[pick]))
    flat = rk.take(pick).keyframes(2)                          # the first 2 keyframes of videos 5, 1, 2
    want = K[pick][:, :2].reshape(-1, 8, 8, 3)
    assert flat.shape == want.shape and torch.equal(flat[:], torch.from_numpy(want))
    both = concat(rx, flat)                                    # images then keyframes, as training reads them
    perm = torch.randperm(len(both), generator=torch.Generator().manual_seed(0))
    assert torch.equal(both[perm], torch.from_numpy(np.concatenate([X, want])[perm.numpy()]))
    assert torch.equal(concat(X, want)[perm], both[perm])     # arrays in place of Rows: the same


def test_a_pass_reads_each_item_once_never_more_than_a_batch_at_a_time_and_holds_one_batch(tmp_path, rng):
    n, batch, px = 400, 16, 64
    X = rng.integers(0, 256, (n, px, px, 3), dtype=np.uint8)
    rows = Rows.of_h5([write(tmp_path / "images.h5", "images", X=X)], "X")
    del X
    item = px * px * 3
    tracemalloc.start()
    total = 0
    for i in range(0, n, batch):
        total += int(rows[i:i + batch].sum())                  # uses the batch, keeps nothing
    _, peak = tracemalloc.get_traced_memory()
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(1))
    tracemalloc.reset_peak()
    for i in range(0, n, batch):
        rows[perm[i:i + batch]]
    _, peak_random = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total > 0 and rows.reads == 2 * n and rows.largest_read == batch
    assert peak < 4 * batch * item and peak_random < 4 * batch * item     # the dataset is 25 batches


def test_pictures_are_written_one_per_chunk_other_arrays_as_before(tmp_path):
    path = write(tmp_path / "k.h5", "keyframes", K=np.zeros((5, 3, 8, 8, 3), np.uint8), Y=np.zeros((5, 4), np.float32))
    with h5py.File(path) as f:
        assert f["K"].chunks == (1, 1, 8, 8, 3) and f["K"].compression == "lzf"
        assert f["Y"].chunks is not None and f["Y"].chunks != (1, 1)


def test_training_data_from_the_files_equals_the_one_from_arrays(files, rng):
    X, K, images, shards = files

    class M:
        images = [Item(id=f"i{r}", path="", label=r % 2, split="train") for r in range(10)]
        videos = [Item(id=f"v{r}", path="", label=r % 2, split="train" if r % 3 else "test") for r in range(7)]
    ids = np.array([f"v{r}" for r in range(7)])
    kf = dict(ids=ids, rejects=np.empty((0, 3), str))
    vf = dict(ids=ids, Y=rng.normal(size=(7, 4)).astype(np.float32), rejects=np.empty((0, 3), str))
    img = dict(ids=np.array([f"i{r}" for r in range(10)]), labels=np.arange(10) % 2)
    S = np.eye(2, dtype=np.float32)
    mem = assemble.training_data(M, dict(img, X=X), dict(kf, K=K), vf, S, use_keyframes=True)
    lazy = assemble.training_data(M, dict(img, X=Rows.of_h5([images], "X")), dict(kf, K=Rows.of_h5(shards, "K")), vf, S)
    assert isinstance(lazy.K, Rows) and torch.equal(lazy.K[:], torch.from_numpy(mem.K))
    assert torch.equal(lazy.X[:], torch.from_numpy(mem.X)) and np.array_equal(lazy.y_K, mem.y_K)
