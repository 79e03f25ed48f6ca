"""The rejected items a shard artifact records (the report and divafn-inspect list them)."""
from pathlib import Path

from pipeline.io.h5io import decode_attr, open_h5, values


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
                raw = [{k: (x[k].decode() if isinstance(x[k], bytes) else x[k]) for k in obj.dtype.names} for x in obj[()]]
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
