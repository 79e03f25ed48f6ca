"""Rejected items read back from a shard in any layout (pipeline/io/rejects.py)."""
import json

import h5py
import numpy as np

from pipeline import inspect
from pipeline.io.rejects import read_rejects
from tests.helpers.inspect_cli import write_kind


def test_rejects_in_any_layout(tmp_path):
    base = write_kind(tmp_path, "keyframes")
    assert read_rejects(base) == []
    layouts = {
        "attr_records": lambda f: f.attrs.__setitem__("rejects", json.dumps([{"path": "a.avi", "reason": "no frames"}])),
        "attr_pairs": lambda f: f.attrs.__setitem__("rejects", json.dumps([["a.avi", "no frames"]])),
        "dataset_strings": lambda f: f.create_dataset("rejects", data=np.array(["a.avi\tno frames"], dtype=object),
                                                      dtype=h5py.string_dtype()),
        "dataset_pairs": lambda f: f.create_dataset("rejects", data=np.array([["a.avi", "no frames"]], dtype=object),
                                                    dtype=h5py.string_dtype()),
        "group": lambda f: (f.create_dataset("rejects/path", data=np.array(["a.avi"], dtype=object), dtype=h5py.string_dtype()),
                            f.create_dataset("rejects/reason", data=np.array(["no frames"], dtype=object), dtype=h5py.string_dtype())),
    }
    for name, add in layouts.items():
        path = tmp_path / f"{name}.h5"
        path.write_bytes(base.read_bytes())
        with h5py.File(path, "a") as f:
            add(f)
        got = read_rejects(path)
        assert [(r["path"], r["reason"]) for r in got] == [("a.avi", "no frames")], name
        assert "1 rejected items" in " ".join(inspect.summarize(path)["notes"]), name
