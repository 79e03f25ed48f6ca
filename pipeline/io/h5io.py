"""HDF5 artifacts: named arrays plus provenance attrs (schema in artifacts/README.md).

Every artifact holds `schema_version`, `kind` (what the file is: "features", "keyframes", ...) and the
provenance of the task that wrote it (task, params, code version, time, class names). Attribute values
that are not scalars or flat lists are stored as JSON strings, so `h5ls -v`/`h5dump` show them as text.
"""
import contextlib
import json
from pathlib import Path

import h5py
import numpy as np

from pipeline.errors import DataError
from pipeline.io.artifacts import fix_hint

SCHEMA_VERSION = 1
STR = h5py.string_dtype("utf-8")


def _attr_value(v):
    if isinstance(v, (str, int, float, bool, np.integer, np.floating)):
        return v
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v):
        return np.array(v, dtype=STR)
    return json.dumps(v, sort_keys=True, default=str)


def write(path, kind: str, arrays: dict, provenance: dict, mode: str = "w", uncompressed=()) -> None:
    """Write `arrays` (name → ndarray; str arrays become UTF-8 strings) and attrs to a new file at `path`
    (mode "a": to the file `growing` made).

    `uncompressed`: names of arrays stored without compression, one row per chunk: pixels (keyframes), which LZF
    shrinks by a sixth at a thirtieth of the write speed (artifacts/README.md, "Storage")."""
    with h5py.File(path, mode) as f:
        for name, a in arrays.items():
            a = np.asarray(a)
            if a.dtype.kind in "UO":
                f.create_dataset(name, data=a.astype(object), dtype=STR)
            elif a.size == 0:
                f.create_dataset(name, data=a)
            elif name in uncompressed:
                f.create_dataset(name, data=a, chunks=(1, *a.shape[1:]))
            else:
                # Chunked + lzf: cheap to decompress, and h5py reads one item without the whole array. Images
                # and keyframes (uint8, (n, [k,] px, px, 3)) one per chunk: a batch reads its items only
                # (pipeline.io.rows).
                chunks = item_chunks(a.shape) if a.dtype == np.uint8 and a.ndim >= 4 else True
                f.create_dataset(name, data=a, chunks=chunks, compression="lzf")
        f.attrs["schema_version"] = SCHEMA_VERSION
        f.attrs["kind"] = kind
        for k, v in provenance.items():
            f.attrs[k] = _attr_value(v)


@contextlib.contextmanager
def growing(path, name: str, item_shape, dtype=np.uint8, compression="lzf"):
    """A new file at `path` whose dataset `name`, (n, *item_shape), grows one item at a time (one picture per chunk,
    as `write` stores pictures): yields append(item). Add the other arrays and the attrs with write(..., mode="a").
    compression None: stored as is (keyframes: see `write`'s `uncompressed`)."""
    with h5py.File(path, "w") as f:
        ds = f.create_dataset(name, (0, *item_shape), dtype, maxshape=(None, *item_shape),
                              chunks=item_chunks((1, *item_shape)), compression=compression)

        def append(item):
            ds.resize(len(ds) + 1, axis=0)
            ds[len(ds) - 1] = item
        yield append


def item_chunks(shape) -> tuple:
    """HDF5 chunk shape of a (n, [k,] px, px, 3) array of pictures: one picture each."""
    return (1,) * (len(shape) - 3) + tuple(shape[-3:])


def _check(f, path, kind):
    found = f.attrs.get("schema_version")
    if found != SCHEMA_VERSION:
        raise DataError(f"{path}: schema_version={found!r}, this code reads {SCHEMA_VERSION}. "
                        f"Delete the file and re-run {f.attrs.get('task_id', 'the task that wrote it')}.")
    if kind is not None and f.attrs.get("kind") != kind:
        raise DataError(f"{path}: holds {f.attrs.get('kind')!r}, expected {kind!r}; "
                        f"check which artifact was passed.")


def open_artifact(path, kind=None, names=()):
    """An artifact open for reading, after checking its schema, kind and that it holds `names` (DataError otherwise)."""
    f = open_h5(path)
    try:
        _check(f, path, kind)
        missing = [n for n in names if n not in f]
        if missing:
            raise DataError(f"{path}: missing datasets {missing}; it was written by other code. "
                            f"Delete it and re-run {f.attrs.get('task_id', 'the task that wrote it')}.")
    except DataError:
        f.close()
        raise
    return f


def read(path, kind=None, names=None, skip=()) -> dict:
    """Read datasets (all but `skip`, or `names`) into memory; strings come back as str arrays."""
    with open_artifact(Path(path), kind, names or ()) as f:
        return {n: _decode(f[n]) for n in ([n for n in f.keys() if n not in skip] if names is None else names)}


def _decode(ds):
    if h5py.check_string_dtype(ds.dtype) is not None:
        return ds.asstr()[()].astype(str) if ds.shape else ds.asstr()[()]
    return ds[()]


def decode_attr(v):
    """An attribute value as written by `write`: JSON strings decoded, string arrays as lists, numpy scalars as
    Python."""
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return json.loads(v)
        except ValueError:
            return v
    if isinstance(v, np.ndarray):
        return [x.decode() if isinstance(x, bytes) else x for x in v.tolist()]
    if isinstance(v, np.generic):
        return v.item()
    return v


def attrs(path) -> dict:
    """All attrs, decoded (decode_attr)."""
    with h5py.File(path, "r") as f:
        return {k: decode_attr(v) for k, v in f.attrs.items()}


def open_h5(path):
    """h5py.File(path, "r"); a file that is not readable HDF5 is one DataError naming it and the fix."""
    try:
        return h5py.File(path, "r")
    except OSError as e:
        reason = str(e).split("(")[0].strip().rstrip(",") or type(e).__name__
        raise DataError(f"{path}: not a readable HDF5 file ({reason}); it is truncated, damaged or not an artifact: "
                        f"{fix_hint(path)}.") from None


def values(ds, rows=None):
    """A dataset's values (the first `rows` along axis 0, or all), strings decoded."""
    sel = () if not ds.shape else (slice(0, rows) if rows is not None else slice(None))
    if h5py.check_string_dtype(ds.dtype) is not None:
        v = ds.asstr()[sel]
        return np.asarray(v, dtype=object) if ds.shape else v
    return ds[sel]


def read_shards(paths, kind, skip=()) -> dict:
    """Read several shard files of one kind and concatenate each dataset (but `skip`) along axis 0, in shard order."""
    parts = [read(p, kind, skip=skip) for p in paths]
    return {n: np.concatenate([p[n] for p in parts]) for n in parts[0]}
