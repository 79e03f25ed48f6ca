"""Uint8 items (still images, keyframes) read from their HDF5 artifacts a batch at a time, never all at once.

A `Rows` is a sequence of n items of one shape, each a row of an HDF5 dataset (or of an in-memory array) or,
for keyframes, one keyframe (row, q) of a row. Indexing it with a slice or an index array (numpy or torch)
reads just those items (keyframes of consecutive rows: those rows whole, for the moment of the read; see `_read`)
and returns them as one (b, *item) uint8 torch tensor, in the order asked for; nothing else is kept, so what
training or the feature dump holds in memory is one batch, whatever n is. Selecting
(`take`, `keyframes`, `concat`) only rearranges the small index arrays.

    X = concat(Rows.of_h5([images_h5], "X"), K)       # images, then keyframes
    xb = X[perm[:256]]                                # (256, px, px, 3) uint8: 256 items read, in that order

PrepareImages and ExtractKeyframes write these datasets with one item per HDF5 chunk (pipeline.io.h5io.write),
so reading an item decompresses that item only.
"""
import numpy as np
import torch

from pipeline.io import h5io


WHOLE = -1        # `sub` of an item that is a whole row


class Rows:
    """Items `sources[src[i]][row[i]]`, or `[row[i], sub[i]]` (one keyframe of a row) where sub[i] ≥ 0;
    i = 0..n−1."""

    def __init__(self, sources, src, row, sub=None, item_shape=None, pin=False, files=()):
        self.sources, self.src, self.row = list(sources), np.asarray(src, np.int64), np.asarray(row, np.int64)
        self.sub = np.full(len(self.row), WHOLE, np.int64) if sub is None else np.asarray(sub, np.int64)
        if item_shape is None:
            item_shape = self.sources[0].shape[1:] if self.sources else ()
        self.shape, self.pin = (len(self.row), *item_shape), pin
        self.files = tuple(files)                         # the open h5py files, kept open while in use
        self.reads, self.largest_read = 0, 0              # what was read: items in all, and the most in one call

    @classmethod
    def of_array(cls, a) -> "Rows":
        a = np.asarray(a)
        return cls([a], np.zeros(len(a)), np.arange(len(a)))

    @classmethod
    def of_h5(cls, paths, name: str, kind=None) -> "Rows":
        """Dataset `name` of the files `paths` (shards of one stage), their rows concatenated in that order."""
        files = [h5io.open_artifact(p, kind, [name]) for p in paths]
        sizes = [len(f[name]) for f in files]
        return cls([f[name] for f in files], np.repeat(np.arange(len(files)), sizes),
                   np.concatenate([np.arange(s) for s in sizes]) if sizes else [], files=files)

    def __len__(self) -> int:
        return len(self.row)

    def take(self, index) -> "Rows":
        """The items at `index` (a selection: nothing is read)."""
        index = np.asarray(index, np.int64)
        return Rows(self.sources, self.src[index], self.row[index], self.sub[index], self.shape[1:], self.pin,
                    self.files)

    def keyframes(self, k: int) -> "Rows":
        """Of rows holding (k', px, px, 3) keyframes each: the first k of every row, one item each, row by row."""
        assert (self.sub == WHOLE).all(), "already keyframes"
        return Rows(self.sources, np.repeat(self.src, k), np.repeat(self.row, k), np.tile(np.arange(k), len(self)),
                    self.shape[2:], self.pin, self.files)

    def pin_memory(self) -> "Rows":
        """The same items, each batch read into pinned (page-locked) memory, for asynchronous copies to a GPU."""
        return Rows(self.sources, self.src, self.row, self.sub, self.shape[1:], True, self.files)

    def __getitem__(self, index) -> torch.Tensor:
        """(b, *item) uint8: the items at `index` (a slice, or integers as a numpy array or torch tensor)."""
        if isinstance(index, slice):
            index = np.arange(len(self))[index]
        index = index.cpu().numpy() if isinstance(index, torch.Tensor) else np.asarray(index, np.int64)
        out = np.empty((len(index), *self.shape[1:]), np.uint8)
        src, row, sub = self.src[index], self.row[index], self.sub[index]
        for s, q in sorted(set(zip(src.tolist(), sub.tolist()))):
            mine = np.flatnonzero((src == s) & (sub == q))
            rows, where = np.unique(row[mine], return_inverse=True)      # h5py reads rows in increasing order
            got = self._read(self.sources[s], rows, q)
            if len(rows) == len(mine):
                out[mine[np.argsort(where)]] = got                            # no temporary copy of the batch
            else:
                out[mine] = got[where]
        t = torch.from_numpy(out)
        return t.pin_memory() if self.pin else t

    def _read(self, ds, rows, q: int) -> np.ndarray:
        """ds[rows] (or ds[rows, q]) for increasing `rows`: one read per run of consecutive rows, straight into the
        result (h5py's own fancy indexing is ~50× slower on a random batch).

        A run of keyframes (ds[rows, q]) is read as the run's whole rows, every keyframe of each, and q taken from
        them: HDF5 selects one keyframe of many rows at ~1.3 ms a row, whole rows at ~0.03 ms (what the feature
        dump, reading the keyframes in order, meets; a random batch's runs are mostly one row long;
        benchmarks/bench_keyframe_reads.py)."""
        self.reads += len(rows)
        self.largest_read = max(self.largest_read, len(rows))
        if isinstance(ds, np.ndarray):
            return ds[rows] if q == WHOLE else ds[rows, q]
        out = np.empty((len(rows), *self.shape[1:]), ds.dtype)
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        for a, b in zip(np.r_[0, breaks], np.r_[breaks, len(rows)]):
            src = slice(int(rows[a]), int(rows[b - 1]) + 1)
            if q != WHOLE and b - a > 1:
                out[a:b] = ds[src][:, q]
            else:
                ds.read_direct(out, np.s_[src] if q == WHOLE else np.s_[src, q], np.s_[a:b])
        return out

    def close(self) -> None:
        for f in self.files:
            f.close()


def as_rows(a) -> Rows:
    return a if isinstance(a, Rows) else Rows.of_array(a)


def concat(*parts) -> Rows:
    """The items of `parts` (Rows or arrays of one item shape), one after the other."""
    parts = [as_rows(p) for p in parts]
    shapes = {p.shape[1:] for p in parts if len(p)}
    if len(shapes) > 1:
        raise ValueError(f"concat: items of shapes {sorted(shapes)}")
    sources, src = [], []
    for p in parts:
        src.append(p.src + len(sources))
        sources += p.sources
    return Rows(sources, np.concatenate(src), np.concatenate([p.row for p in parts]),
                np.concatenate([p.sub for p in parts]), next(iter(shapes), parts[0].shape[1:]),
                any(p.pin for p in parts), [f for p in parts for f in p.files])


def take(a, index):
    """a[index] of an array (a copy) or of Rows (a selection)."""
    return a.take(index) if isinstance(a, Rows) else a[index]


def first_keyframes(K, k: int):
    """(n·k, px, px, 3) the first k keyframes of each of n videos (K: (n, k', px, px, 3) array or Rows), video by
    video."""
    return K.keyframes(k) if isinstance(K, Rows) else K[:, :k].reshape(-1, *K.shape[2:])
