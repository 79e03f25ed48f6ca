"""HDF5 artifacts (pipeline/io/h5io.py): pixels stored uncompressed one row per chunk, the rest chunked with LZF."""
import h5py
import numpy as np

from pipeline.io import h5io


def test_uncompressed_arrays_keep_their_values_one_row_per_chunk(tmp_path):
    rng = np.random.default_rng(0)
    K = rng.integers(0, 256, (5, 3, 32, 32, 3), dtype=np.uint8)
    Y = rng.standard_normal((5, 7)).astype(np.float32)
    path = tmp_path / "shard.h5"
    h5io.write(path, "keyframes", dict(K=K, Y=Y, ids=np.array(list("abcde"))), {"task": "test"}, uncompressed=("K",))
    back = h5io.read(path, "keyframes")
    assert np.array_equal(back["K"], K) and back["K"].dtype == np.uint8 and np.array_equal(back["Y"], Y)
    assert list(back["ids"]) == list("abcde")
    with h5py.File(path) as f:
        assert f["K"].chunks == (1, 3, 32, 32, 3) and f["K"].compression is None     # one video's keyframes a chunk
        assert f["Y"].compression == "lzf"                                           # everything else as before
        assert np.array_equal(f["K"][2], K[2])
