"""Import of precomputed per-video features (e.g. the DIVAFN authors' C3D fc6 features), matched by video id.

Formats (the file's suffix decides):
  .npz            arrays `ids` (n,) str and `features` (n, D) (or the array named by `dataset`);
  .npy            a (n, D) array, its ids one per line in the text file of the same name with suffix .txt;
  .h5/.hdf5/.mat  HDF5, which includes MATLAB v7.3 MAT files: datasets `ids` and `features` (or `dataset`);
                  MATLAB's column-major (D, n) storage, char matrices and cell arrays of strings are read;
  .mat (v5..v7)   older MAT files through scipy.io.loadmat: variables `ids` (cell array of strings or char
                  matrix) and `features` (n, D).
An id matches a manifest video when it equals the video's id (its path under the dataset root, e.g.
`UCF-101/Archery/v_Archery_g01_c01.avi`), or, failing that, its file name with or without extension
(`v_Archery_g01_c01.avi`, `v_Archery_g01_c01`). Videos without features stop the stage with DataError.
"""
from pathlib import Path, PurePosixPath

import h5py
import numpy as np

from pipeline.errors import DataError


def load(path, dataset: str = "features") -> tuple:
    """(ids (n,) str, features (n, D) float32) from a file of one of the formats above."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: precomputed features file not found (--ExtractVideoFeatures-precomputed-path).")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            _need(path, dataset, z.files)
            ids, X = z["ids"], z[dataset]
    elif suffix == ".npy":
        X = np.load(path, allow_pickle=False)
        ids_file = path.with_suffix(".txt")
        if not ids_file.is_file():
            raise DataError(f"{path}: a .npy file needs its video ids, one per line, in {ids_file}.")
        ids = np.array([ln.strip() for ln in ids_file.read_text().splitlines() if ln.strip()])
    elif suffix in (".h5", ".hdf5", ".mat") and h5py.is_hdf5(path):
        with h5py.File(path, "r") as f:
            _need(path, dataset, list(f.keys()))
            ids, X = _h5_strings(f, f["ids"]), f[dataset][()]
    elif suffix == ".mat":
        import scipy.io
        m = scipy.io.loadmat(path)
        _need(path, dataset, [k for k in m if not k.startswith("__")])
        ids, X = _mat5_strings(m["ids"]), m[dataset]
    else:
        raise DataError(f"{path}: unknown precomputed feature format {suffix!r}; use .npz, .npy (+ .txt ids), .h5 "
                        f"or .mat.")
    ids = np.asarray(ids).astype(str).ravel()
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 2 and X.shape[0] != len(ids) and X.shape[1] == len(ids):
        X = X.T                                       # MATLAB stores (n, D) as (D, n) in HDF5
    if X.ndim != 2 or X.shape[0] != len(ids):
        raise DataError(f"{path}: {dataset} has shape {X.shape} for {len(ids)} ids; want (n, D) with one row per id.")
    return ids, X


def _need(path, dataset, names):
    missing = [n for n in ("ids", dataset) if n not in names]
    if missing:
        raise DataError(f"{path}: missing {missing}; found {sorted(names)}. The file needs `ids` (video ids) and "
                        f"`{dataset}` (n, D) (--ExtractVideoFeatures-precomputed-dataset names another).")


def _chars(a) -> str:
    a = np.asarray(a).ravel()
    return "".join(map(chr, a)) if a.dtype.kind in "ui" else "".join(a.astype(str))


def _h5_strings(f, ds) -> list:
    if h5py.check_string_dtype(ds.dtype) is not None:
        return list(ds.asstr()[()].ravel())
    if ds.dtype == h5py.ref_dtype:                    # MATLAB v7.3 cell array: references to uint16 strings
        return [_chars(f[r][()]) for r in ds[()].ravel()]
    a = ds[()]
    if a.dtype.kind in "ui" and a.ndim == 2:          # MATLAB char matrix, stored transposed (len, n)
        return [_chars(col).rstrip() for col in a.T]
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a.ravel()]


def _mat5_strings(a) -> list:
    a = np.asarray(a)
    if a.dtype == object:                             # cell array
        return [str(np.asarray(x).ravel()[0]) if np.asarray(x).size else "" for x in a.ravel()]
    if a.dtype.kind == "U" and a.ndim == 2:           # char matrix: one id per row
        return [s.rstrip() for s in a[:, 0]] if a.shape[1] == 1 else ["".join(r).rstrip() for r in a]
    return [str(x) for x in a.ravel()]


def match(ids, X: np.ndarray, wanted: list, source="") -> np.ndarray:
    """Rows of X (n, D) for the `wanted` video ids, in their order: by id, else by file name/stem."""
    ids = [str(i) for i in ids]
    by_id = {i: r for r, i in enumerate(ids)}
    by_name = {}
    for r, i in enumerate(ids):
        p = PurePosixPath(i.replace("\\", "/"))
        for key in {p.name, p.stem}:
            by_name.setdefault(key, []).append(r)
    rows, missing = [], []
    for w in wanted:
        if w in by_id:
            rows.append(by_id[w])
            continue
        p = PurePosixPath(w)
        hits = by_name.get(p.name) or by_name.get(p.stem) or []
        if len(hits) == 1:
            rows.append(hits[0])
        else:
            missing.append(w)
    if missing:
        raise DataError(f"{source}: no features for {len(missing)} of {len(wanted)} videos "
                        f"(e.g. {', '.join(missing[:5])}); its {len(ids)} ids look like {', '.join(ids[:3])}. "
                        f"Ids match a video's path under the dataset root or its file name (with or without "
                        f"extension).")
    return X[np.array(rows, np.int64)]
