"""Reading one keyframe of many consecutive rows from a keyframe shard (pipeline.io.rows.Rows._read): HDF5's own
selection `ds[a:b, q]` against the whole rows `ds[a:b]` with q taken after, which Rows does.

    PYTHONPATH=. python benchmarks/bench_keyframe_reads.py                          # a shard it writes: 136 × 3 × 64²
    PYTHONPATH=. python benchmarks/bench_keyframe_reads.py artifacts/SYNTHETIC/ExtractKeyframes-*/shard-000.h5

The shard it writes is stored as ExtractKeyframes stores K (pipeline.io.h5io.growing: one keyframe per chunk,
uncompressed). Prints ms per row for each, the median of `--repeats`, and checks that both read the same bytes.
"""
import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from pipeline.io import h5io


def write_shard(path, n=136, k=3, size=64, seed=0):
    rng = np.random.default_rng(seed)
    with h5io.growing(path, "K", (k, size, size, 3), compression=None) as append:
        for _ in range(n):
            append(rng.integers(0, 256, (k, size, size, 3), dtype=np.uint8))
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("shard", nargs="?", help="a keyframe shard (default: one written to a temporary folder)")
    p.add_argument("--q", type=int, default=1, help="which keyframe of each row")
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = a.shard or write_shard(Path(tmp) / "shard.h5")
        with h5py.File(path) as f:
            ds = f["K"]
            n = len(ds)
            times = {"ds[a:b, q]": [], "ds[a:b][:, q]": []}
            for _ in range(a.repeats):
                one = np.empty((n, *ds.shape[2:]), ds.dtype)
                t0 = time.perf_counter()
                ds.read_direct(one, np.s_[0:n, a.q], np.s_[0:n])
                times["ds[a:b, q]"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                whole = ds[0:n][:, a.q]
                times["ds[a:b][:, q]"].append(time.perf_counter() - t0)
            same = bool(np.array_equal(one, whole))
    result = dict(rows=n, ms_per_row={k: round(1e3 * statistics.median(v) / n, 3) for k, v in times.items()},
                  same_bytes=same)
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
