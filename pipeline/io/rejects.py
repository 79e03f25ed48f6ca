"""The rejected items an artifact records: written by the stages that read files, read by divafn-inspect.

A stage that reads files (PrepareImages, ExtractKeyframes, ExtractVideoFeatures) writes a `rejects` dataset,
(r, 3) str rows [item id, reason, the file that records it], and the video stages a `warnings` dataset, (w, 2)
str rows [video id, warning], for the videos they used although something was odd. CheckRejects joins them
(pipeline.data.accounting); the report lists its rejects.json.
"""
from pathlib import Path

import numpy as np

from pipeline.io.h5io import decode_attr, open_h5, values


def rejects_array(rejects: list, source: str) -> np.ndarray:
    """(n, 3) str rows [item id, reason, source] of [(id, reason)]."""
    return np.array([[i, r, source] for i, r in rejects], dtype=str).reshape(len(rejects), 3)


def warnings_array(warnings: list) -> np.ndarray:
    """(n, 2) str rows [item id, warning] of [(id, warning)]."""
    return np.array([[i, w] for i, w in warnings], dtype=str).reshape(len(warnings), 2)


def read_rejects(path) -> list:
    """Rejected items recorded in a shard artifact: [{"path", "reason"}], [] when it records none.

    Accepts a `rejects` attr (JSON list of {path, reason} objects, of [path, reason] pairs or of strings)
    or a `rejects` dataset (strings, an (n, 2) string array, a compound with fields path/reason, or a
    group holding `path` and `reason` datasets), so that the report does not depend on one layout.
    """
    with open_h5(Path(path)) as f:
        raw = None
        if "rejects" in f:
            obj = f["rejects"]
            if hasattr(obj, "keys"):          # a group
                cols = {k: [str(x) for x in values(obj[k]).tolist()] for k in obj.keys()}
                n = max((len(v) for v in cols.values()), default=0)
                raw = [{k: v[i] for k, v in cols.items() if i < len(v)} for i in range(n)]
            elif obj.dtype.names:             # a compound dataset
                raw = [{k: (x[k].decode() if isinstance(x[k], bytes) else x[k]) for k in obj.dtype.names}
                       for x in obj[()]]
            else:
                raw = values(obj).tolist()
        elif "rejects" in f.attrs:
            raw = decode_attr(f.attrs["rejects"])
    return _normalise_rejects(raw, path)


def _normalise_rejects(raw, source) -> list:
    if raw is None or raw == "" or raw == []:
        return []
    if isinstance(raw, str):
        raw = [raw]
    out = []
    for r in raw:
        if isinstance(r, dict):
            p = r.get("path", r.get("id", ""))
            reason = r.get("reason", r.get("error", ""))
        elif isinstance(r, (list, tuple)):
            p, reason = (str(r[0]) if r else ""), (str(r[1]) if len(r) > 1 else "")
        else:
            p, _, reason = str(r).partition("\t")
        out.append(dict(path=str(p), reason=str(reason), source=str(source)))
    return out


# --------------------------------------------------------------------------------------------- summaries
