"""Look inside any artifact of a run: what it holds, who made it, per-class counts, values.

    python -m pipeline.inspect PATH                      # readable summary
    python -m pipeline.inspect PATH --json               # the same, as JSON for machines
    python -m pipeline.inspect PATH --dataset F --head 5 # the first 5 rows of one dataset
    divafn-inspect PATH ...                              # the same command, installed by `pip install -e .`

PATH is any artifact (an HDF5 file written by pipeline.h5io, manifest.json, model.pt, results.json,
metrics.json, report.md, a PNG), a stage folder `artifacts/<pair>/<Task>-<hash>/` (its files and the
task that made each; for a RunExperiment folder also every upstream artifact of the run), or a pair
folder `artifacts/<pair>/` (every stage folder in it). The schema of each artifact is documented in
artifacts/README.md; `MEANINGS` below is the same table, in code.

A file that cannot be read (truncated by a killed run, not an artifact) gives one line on stderr naming
the file and the fix, and exit status 1. No luigi here: this works without the pipeline's scheduler.
"""
import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from .errors import DataError

# (kind, dataset) → meaning, in the paper's symbols (DESIGN.md §3). Kept in step with artifacts/README.md
# (tests/test_inspect.py checks that every dataset a run writes is documented in both).
MEANINGS = {
    ("images", "X"): "still images X, resized to S×S RGB (n_img, S, S, 3)",
    ("images", "labels"): "class index of each image (into attrs classes)",
    ("images", "ids"): "image id: path relative to the image dataset's root",
    ("images", "split"): "official split of each image: train / test",
    ("keyframes", "K"): "keyframes K of each video of the shard (n, k, S, S, 3)",
    ("keyframes", "frame_index"): "frame number each keyframe was taken from (n, k)",
    ("keyframes", "ids"): "video id: path relative to the video dataset's root",
    ("keyframes", "rejects"): "videos that could not be used: path and reason",
    ("keyframes", "Y"): "offline default video feature y of each video (n, D), from the same decoding pass",
    ("video_features", "Y"): "clip-level video feature y of each video (n, D)",
    ("video_features", "ids"): "video id: path relative to the video dataset's root",
    ("video_features", "rejects"): "videos that could not be used: path and reason",
    ("classnames", "S"): "class-name embeddings S, one row per class (C, d)",
    ("classnames", "names"): "class names, in label order",
    ("classnames", "words"): "the words each class name was embedded from",
    ("features", "F"): "F = f(X; θx): image features after training (n_img, c)",
    ("features", "H"): "H = f(K; θx): every keyframe's features after training (n_vid, k, c)",
    ("features", "G"): "G = g(Y; θy): video features after training (n_vid, c)",
    ("features", "F0"): "F before training: f with its initial weights θx⁰ (n_img, c)",
    ("features", "H0"): "H before training: f with its initial weights θx⁰ (n_vid, k, c)",
    ("features", "G0"): "G before training: g with its initial weights θy⁰ (n_vid, c)",
    ("features", "Y"): "the raw video features y the video net reads (n_vid, D)",
    ("features", "image_labels"): "class index of each image",
    ("features", "image_ids"): "image id (row order of F)",
    ("features", "video_labels"): "class index of each video",
    ("features", "video_ids"): "video id (row order of H, G, Y)",
    ("features", "video_split"): "split of each video: train / test",
    ("semantic", "W_F"): "encoder W_F of Auto-F (d, c), closed form",
    ("semantic", "W_H"): "encoder W_H of Auto-H (d, c), closed form",
    ("semantic", "W_G"): "encoder W_G of Auto-G (d, c), closed form",
    ("semantic", "W_E"): "encoder W_E of Auto-E on E = [ĥ; ĝ] (d, 2c), closed form",
    ("semantic", "mu_F"): "μ_F: mean of the images' F that Auto-F is centred on (c,); zeros when not centred",
    ("semantic", "mu_H"): "μ_H: mean of the training videos' h that Auto-H is centred on (c,)",
    ("semantic", "mu_G"): "μ_G: mean of the training videos' G that Auto-G is centred on (c,)",
    ("semantic", "mu_E"): "μ_E: mean of the training videos' E = [ĥ; ĝ] that Auto-E is centred on (2c,)",
    ("semantic", "SH"): "W_H h: semantic keyframe feature of each video (n_vid, d)",
    ("semantic", "SG"): "W_G g: semantic video feature of each video (n_vid, d)",
    ("semantic", "SE"): "W_E e: semantic fused feature of each video (n_vid, d)",
    ("semantic", "video_ids"): "video id (row order of SH, SG, SE)",
}
LABELS = {"labels": "split", "image_labels": "image_split", "video_labels": "video_split"}  # label dataset → its split
STAGE_DIR = re.compile(r"^(?P<task>[A-Z][A-Za-z0-9]*)-(?P<digest>[0-9a-f]{12})$")
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")


# --------------------------------------------------------------------------------------------- reading

def _fix(path: Path) -> str:
    task = made_by_folder(path)
    return (f"delete it and re-run {task} (the stage in its folder name)" if task
            else "check the path: it should be an artifact under artifacts/<pair>/<Task>-<hash>/")


def made_by_folder(path) -> str | None:
    """The task family that made `path`, from its stage folder's name `<Task>-<hash>`, or None."""
    for part in [Path(path).name, *(p.name for p in Path(path).parents)]:
        if m := STAGE_DIR.match(part):
            return m["task"]
    return None


def _decode_attr(v):
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


def _open_h5(path: Path):
    import h5py
    try:
        return h5py.File(path, "r")
    except OSError as e:
        reason = str(e).split("(")[0].strip().rstrip(",") or type(e).__name__
        raise DataError(f"{path}: not a readable HDF5 file ({reason}); it is truncated, damaged or not an artifact: "
                        f"{_fix(path)}.") from None


def _values(ds, rows=None):
    """A dataset's values (the first `rows` along axis 0, or all), strings decoded."""
    import h5py
    sel = () if not ds.shape else (slice(0, rows) if rows is not None else slice(None))
    if h5py.check_string_dtype(ds.dtype) is not None:
        v = ds.asstr()[sel]
        return np.asarray(v, dtype=object) if ds.shape else v
    return ds[sel]


def read_rejects(path) -> list:
    """Rejected items recorded in a shard artifact: [{"path", "reason"}], [] when it records none.

    Accepts a `rejects` attr (JSON list of {path, reason} objects, of [path, reason] pairs or of strings)
    or a `rejects` dataset (strings, an (n, 2) string array, a compound with fields path/reason, or a
    group holding `path` and `reason` datasets), so that the report does not depend on one layout.
    """
    with _open_h5(Path(path)) as f:
        raw = None
        if "rejects" in f:
            obj = f["rejects"]
            if hasattr(obj, "keys"):          # a group
                cols = {k: [str(x) for x in _values(obj[k]).tolist()] for k in obj.keys()}
                n = max((len(v) for v in cols.values()), default=0)
                raw = [{k: v[i] for k, v in cols.items() if i < len(v)} for i in range(n)]
            elif obj.dtype.names:             # a compound dataset
                raw = [{k: (x[k].decode() if isinstance(x[k], bytes) else x[k]) for k in obj.dtype.names} for x in obj[()]]
            else:
                raw = _values(obj).tolist()
        elif "rejects" in f.attrs:
            raw = _decode_attr(f.attrs["rejects"])
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

def summarize(path) -> dict:
    """A summary of any artifact or artifacts folder (see the module docstring), as plain JSON-able values."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder; give a path under artifacts/<pair>/ "
                        f"(the last log line of a run names its folder).")
    if path.is_dir():
        return _summarize_folder(path)
    suffix = path.suffix.lower()
    if suffix in HDF5_SUFFIXES:
        return _summarize_h5(path)
    if suffix == ".json":
        return _summarize_json(path)
    if suffix in (".pt", ".pth"):
        return _summarize_torch(path)
    if suffix in (".png", ".md", ".log"):
        return _summarize_other(path)
    import h5py
    if h5py.is_hdf5(path):
        return _summarize_h5(path)
    raise DataError(f"{path}: not an artifact this command knows (HDF5 .h5, .json, model .pt, .md, .png, .log, or a folder "
                    f"under artifacts/); check the path.")


def _summarize_h5(path: Path) -> dict:
    with _open_h5(path) as f:
        try:
            attrs = {k: _decode_attr(v) for k, v in f.attrs.items()}
            kind = attrs.get("kind")
            datasets = []

            def visit(name, obj):
                if hasattr(obj, "shape"):
                    datasets.append(dict(name=name, shape=list(obj.shape), dtype=_dtype_name(obj.dtype),
                                         chunks=list(obj.chunks) if obj.chunks else None,
                                         compression=obj.compression, bytes_on_disk=int(obj.id.get_storage_size()),
                                         meaning=MEANINGS.get((kind, name), "")))
            f.visititems(visit)
            counts = _h5_class_counts(f, attrs.get("classes"))
        except (OSError, RuntimeError, KeyError, ValueError) as e:
            raise DataError(f"{path}: HDF5 file is damaged ({e}); {_fix(path)}.") from None
    notes = []
    from .h5io import SCHEMA_VERSION
    if attrs.get("schema_version") != SCHEMA_VERSION:
        notes.append(f"schema_version {attrs.get('schema_version')!r}: this code reads {SCHEMA_VERSION}; "
                     f"{_fix(path)} before using it")
    try:
        rejects = read_rejects(path)
    except DataError:
        rejects = []
    if rejects:
        notes.append(f"{len(rejects)} rejected items (see dataset/attr 'rejects')")
    return dict(path=str(path), format="hdf5", kind=kind, made_by=attrs.get("task") or made_by_folder(path),
                task_id=attrs.get("task_id"), size_bytes=path.stat().st_size, datasets=datasets, attrs=attrs,
                class_counts=counts, rejects=len(rejects), notes=notes)


def _dtype_name(dt) -> str:
    import h5py
    if h5py.check_string_dtype(dt) is not None:
        return "str (utf-8, variable length)"
    return str(dt)


def _count(labels, classes, split=None) -> dict:
    labels = np.asarray(labels).astype(int)
    names = list(classes) if classes else [str(i) for i in range(int(labels.max(initial=-1)) + 1)]
    def one(mask):
        c = np.bincount(labels[mask], minlength=len(names))
        return {names[i] if i < len(names) else str(i): int(c[i]) for i in range(len(c))}
    if split is None:
        return {"all": one(np.ones(len(labels), bool))}
    split = np.asarray(split).astype(str)
    return {s: one(split == s) for s in sorted(set(split.tolist()), key=lambda s: (s != "train", s))}


def _h5_class_counts(f, classes) -> dict:
    out = {}
    for name, split_name in LABELS.items():
        if name in f and f[name].ndim == 1 and f[name].dtype.kind in "iu":
            split = _values(f[split_name]) if split_name in f and f[split_name].shape == f[name].shape else None
            out[name] = _count(f[name][()], classes, split)
    return out


def _json_datasets(obj, prefix=""):
    """(name, value) of every array-like entry of a JSON document; nested names joined by '/'."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("provenance", "parameters", "classes"):
                continue
            yield from _json_datasets(v, f"{prefix}{k}/")
    elif isinstance(obj, list) and obj and (len(obj) > 16 or not all(isinstance(x, str) for x in obj)):
        yield prefix.rstrip("/"), obj


def _json_shape_dtype(v):
    if all(isinstance(x, dict) for x in v):
        keys = sorted({k for x in v for k in x})
        return [len(v)], "record{" + ", ".join(keys) + "}"
    try:
        a = np.asarray(v)
    except ValueError:
        return [len(v)], "ragged"
    return list(a.shape), ("str" if a.dtype.kind == "U" else "object" if a.dtype.kind == "O" else str(a.dtype))


def _load_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: not valid JSON ({e}); it is truncated or damaged: {_fix(path)}.") from None


def _summarize_json(path: Path) -> dict:
    doc = _load_json(path)
    if not isinstance(doc, dict):
        raise DataError(f"{path}: a JSON {type(doc).__name__}, not an artifact of this pipeline; {_fix(path)}.")
    datasets = []
    for name, v in _json_datasets(doc):
        shape, dtype = _json_shape_dtype(v)
        datasets.append(dict(name=name, shape=shape, dtype=dtype))
    whole = {d["name"] for d in datasets}
    holds = {d["name"].split("/")[0] for d in datasets}
    attrs = {k: (_scalars_only(v) if k in holds else v) for k, v in doc.items() if k not in whole}
    attrs = {k: v for k, v in attrs.items() if v != {} or k not in holds}
    classes = doc.get("classes")
    counts, kind = {}, path.stem
    if isinstance(doc.get("images"), list) and isinstance(doc.get("videos"), list):     # manifest.json
        kind = "manifest"
        for what in ("images", "videos"):
            items = doc[what]
            if items:
                counts[what] = _count([it["label"] for it in items], classes, [it["split"] for it in items])
    elif isinstance(doc.get("test_labels"), list):                                       # results.json
        counts["test_labels"] = _count(doc["test_labels"], classes)
    prov = doc.get("provenance") if isinstance(doc.get("provenance"), dict) else {}
    return dict(path=str(path), format="json", kind=kind, made_by=prov.get("task") or made_by_folder(path),
                task_id=prov.get("task_id"), size_bytes=path.stat().st_size, datasets=datasets, attrs=attrs,
                class_counts=counts, notes=[])


def _scalars_only(d):
    if isinstance(d, dict):
        keep = lambda v: not isinstance(v, list) or not v or all(isinstance(x, str) for x in v)
        out = {k: _scalars_only(v) for k, v in d.items() if keep(v)}
        return {k: v for k, v in out.items() if v != {}}
    return d


def _load_torch(path: Path) -> dict:
    import torch
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:   # torch raises many types for a bad file (RuntimeError, UnpicklingError, EOFError…)
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DataError(f"{path}: not a readable torch checkpoint ({msg[:160]}); {_fix(path)}.") from None
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        raise DataError(f"{path}: a torch file without 'state_dict'; not a model.pt of TrainDIVAFN: {_fix(path)}.")
    return ckpt


def _summarize_torch(path: Path) -> dict:
    ckpt = _load_torch(path)
    datasets = [dict(name=f"state_dict/{k}", shape=list(v.shape), dtype=str(v.dtype).replace("torch.", ""))
                for k, v in ckpt["state_dict"].items()]
    history = ckpt.get("history") or []
    if history:
        keys = sorted({k for h in history for k in h}, key=lambda k: (k != "epoch", k))
        datasets.append(dict(name="history", shape=[len(history)], dtype="record{" + ", ".join(keys) + "}",
                             meaning="per-epoch mean of each loss term"))
    attrs = {k: v for k, v in ckpt.items() if k not in ("state_dict", "history")}
    prov = attrs.get("provenance") or {}
    n_params = int(sum(int(np.prod(d["shape"])) for d in datasets if d["name"].startswith("state_dict/")))
    notes = [f"{n_params:,} numbers in state_dict"]
    if history:
        first, last = history[0], history[-1]
        terms = [k for k in last if k not in ("epoch", "seconds") and isinstance(last[k], (int, float))]
        notes.append(f"{len(history)} epochs; loss terms first → last epoch: "
                     + ", ".join(f"{k} {first.get(k, float('nan')):.4g} → {last[k]:.4g}" for k in terms))
    classes = attrs.get("classes")
    return dict(path=str(path), format="torch", kind="model", made_by=prov.get("task") or made_by_folder(path),
                task_id=prov.get("task_id"), size_bytes=path.stat().st_size, datasets=datasets, attrs=attrs,
                class_counts={}, notes=notes, classes=classes)


def _summarize_other(path: Path) -> dict:
    info = dict(path=str(path), format=path.suffix.lower().lstrip("."), kind=path.stem,
                made_by=made_by_folder(path), task_id=None, size_bytes=path.stat().st_size,
                datasets=[], attrs={}, class_counts={}, notes=[])
    if path.suffix.lower() == ".png":
        head = path.read_bytes()[:24]
        if head[:8] != b"\x89PNG\r\n\x1a\n":
            raise DataError(f"{path}: not a PNG image; {_fix(path)}.")
        w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        info["attrs"] = dict(width=w, height=h)
    elif path.suffix.lower() == ".log":      # a run log (artifacts/<pair>/logs/): its extent and last lines
        lines = path.read_text(errors="replace").splitlines()
        info.update(kind="run log", made_by="the luigi command that wrote it")
        info["attrs"] = dict(lines=len(lines), first=lines[0] if lines else "", last=lines[-3:])
    else:
        text = path.read_text(errors="replace")
        info["attrs"] = dict(title=next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), ""),
                             sections=[ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("## ")],
                             links=re.findall(r"\]\(([^)\s]+)\)", text))
    return info


def _file_entry(path: Path) -> dict:
    """One line of a folder listing: the file, its kind and the task that made it (without reading arrays)."""
    entry = dict(path=str(path), size_bytes=path.stat().st_size if path.is_file() else None,
                 made_by=made_by_folder(path), kind=None, created_utc=None)
    modified = _mtime_utc(path)
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        entry.update(kind="folder", size_bytes=sum(p.stat().st_size for p in files), files=len(files))
        return entry
    try:
        if path.suffix.lower() in HDF5_SUFFIXES:
            with _open_h5(path) as f:
                a = {k: _decode_attr(f.attrs[k]) for k in ("kind", "task", "task_id", "created_utc") if k in f.attrs}
            entry.update(kind=a.get("kind"), made_by=a.get("task") or entry["made_by"], task_id=a.get("task_id"),
                         created_utc=a.get("created_utc"))
        elif path.suffix.lower() == ".json":
            doc = _load_json(path)
            prov = doc.get("provenance", {}) if isinstance(doc, dict) else {}
            entry.update(kind="manifest" if isinstance(doc, dict) and "videos" in doc else path.stem,
                         made_by=prov.get("task") or entry["made_by"], created_utc=prov.get("created_utc"))
        else:
            entry["kind"] = {".pt": "model", ".md": "report", ".png": "figure"}.get(path.suffix.lower(), path.suffix.lstrip("."))
    except DataError as e:
        entry.update(kind="UNREADABLE", error=str(e))
    entry["created_utc"] = entry["created_utc"] or modified
    return entry


def _mtime_utc(path: Path) -> str:
    import datetime
    t = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc)
    return t.isoformat(timespec="seconds")


def _stage_listing(folder: Path) -> list:
    return [_file_entry(p) for p in sorted(folder.iterdir()) if "-luigi-tmp-" not in p.name]


def _in_pair_folder(pair_folder: Path, recorded: str) -> Path:
    """Where a recorded artifact path `<root>/<pair>/<Task>-<hash>/<file>` lies relative to `pair_folder`,
    wherever the artifacts folder has been moved since (falls back to the path as recorded)."""
    parts = Path(recorded).parts
    for i, part in enumerate(parts):
        if STAGE_DIR.match(part):
            return pair_folder.joinpath(*parts[i:])
    return Path(recorded)


def _summarize_folder(path: Path) -> dict:
    m = STAGE_DIR.match(path.name)
    if m:
        out = dict(path=str(path), format="folder", kind="stage", made_by=m["task"], digest=m["digest"],
                   entries=_stage_listing(path), notes=[])
        metrics = path / "metrics.json"
        if metrics.is_file():     # a run folder: its upstream artifacts, from metrics.json
            doc = _load_json(metrics)
            ups = doc.get("artifacts", {}) if isinstance(doc, dict) else {}
            out["kind"] = "run"
            out["upstream"] = [dict(task=task, path=p, exists=_in_pair_folder(path.parent, p).exists())
                               for task, paths in ups.items() for p in paths]
        return out
    stages = sorted(p for p in path.iterdir() if p.is_dir() and STAGE_DIR.match(p.name))
    if stages:
        return dict(path=str(path), format="folder", kind="pair", made_by=None, notes=[],
                    stages=[dict(path=str(s), task=STAGE_DIR.match(s.name)["task"], digest=STAGE_DIR.match(s.name)["digest"],
                                 entries=_stage_listing(s)) for s in stages])
    pairs = sorted(p for p in path.iterdir() if p.is_dir() and any(STAGE_DIR.match(q.name) for q in p.iterdir() if q.is_dir()))
    if pairs:
        return dict(path=str(path), format="folder", kind="artifacts", made_by=None, notes=[],
                    pairs=[dict(path=str(p), stages=sorted(q.name for q in p.iterdir() if STAGE_DIR.match(q.name)))
                           for p in pairs])
    task = made_by_folder(path)
    if task:   # a folder that a stage wrote (MakeSyntheticData's data/): what is in it
        files = [p for p in path.rglob("*") if p.is_file()]
        by_ext = {}
        for p in files:
            by_ext[p.suffix.lower() or "(none)"] = by_ext.get(p.suffix.lower() or "(none)", 0) + 1
        return dict(path=str(path), format="folder", kind="dataset", made_by=task, notes=[],
                    subfolders=sorted(p.name for p in path.iterdir() if p.is_dir()), files=len(files),
                    size_bytes=sum(p.stat().st_size for p in files), files_by_extension=dict(sorted(by_ext.items())))
    raise DataError(f"{path}: a folder, but not an artifacts folder (artifacts/, artifacts/<pair>/ or "
                    f"artifacts/<pair>/<Task>-<hash>/); check the path.")


# --------------------------------------------------------------------------------------------- one dataset

def dataset_values(path, name: str, head: int | None = 10):
    """The first `head` rows (all if None) of dataset `name` of an artifact (HDF5, JSON or model.pt)."""
    path = Path(path)
    s = summarize(path)
    names = [d["name"] for d in s.get("datasets", [])]
    if name not in names:
        raise DataError(f"{path}: no dataset {name!r}; it holds: {', '.join(names) or 'no datasets'}.")
    rows = None if head is None else max(head, 0)
    if s["format"] == "hdf5":
        with _open_h5(path) as f:
            return _values(f[name], rows)
    if s["format"] == "json":
        v = _load_json(path)
        for part in name.split("/"):
            v = v[part]
        return v[:rows] if rows is not None else v
    ckpt = _load_torch(path)
    if name == "history":
        return ckpt["history"][:rows] if rows is not None else ckpt["history"]
    t = ckpt["state_dict"][name.split("/", 1)[1]]
    return (t[:rows] if rows is not None and t.ndim else t).numpy()


# --------------------------------------------------------------------------------------------- text

def _fmt_size(n) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def _table(rows, header) -> list:
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]


def _short(v, limit=100) -> str:
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        text = ", ".join(v)
        return (text if len(text) <= limit else text[:limit] + " …") + f"  ({len(v)})"
    text = json.dumps(v, sort_keys=True, default=str) if isinstance(v, (dict, list)) else str(v)
    return text if len(text) <= limit else text[:limit] + " …"


def format_summary(s: dict) -> str:
    if s["format"] == "folder":
        return _format_folder(s)
    out = [s["path"],
           f"  {s['format']} · kind {s.get('kind')!s} · {_fmt_size(s.get('size_bytes'))} · made by {s.get('made_by') or '?'}"
           + (f" ({s['task_id']})" if s.get("task_id") else "")]
    if s.get("datasets"):
        out += ["", "datasets:"]
        rows = [[d["name"], "(" + ", ".join(map(str, d["shape"])) + ")", d["dtype"],
                 "" if not d.get("chunks") else "(" + ", ".join(map(str, d["chunks"])) + ")",
                 d.get("compression") or "", d.get("meaning", "")] for d in s["datasets"]]
        header = ["name", "shape", "dtype", "chunks", "compression", "meaning"]
        if s["format"] != "hdf5":
            rows, header = [[r[0], r[1], r[2], r[5]] for r in rows], ["name", "shape", "dtype", "meaning"]
        if s["format"] == "torch" and len(rows) > 40:
            rows = rows[:40] + [["…", f"{len(rows) - 40} more", "", ""]]
        out += ["  " + ln for ln in _table(rows, header)]
    if s.get("attrs"):
        out += ["", "attrs:"] + [f"  {k}: {_short(v)}" for k, v in s["attrs"].items()]
    for label, by_split in (s.get("class_counts") or {}).items():
        splits = list(by_split)
        classes = list(by_split[splits[0]])
        rows = [[c, *(by_split[sp].get(c, 0) for sp in splits)] for c in classes]
        rows.append(["(total)", *(sum(by_split[sp].values()) for sp in splits)])
        out += ["", f"per-class counts of {label}:"] + ["  " + ln for ln in _table(rows, ["class", *splits])]
    if s.get("notes"):
        out += ["", "notes:"] + [f"  {n}" for n in s["notes"]]
    return "\n".join(out)


def _format_entries(entries, indent="  ") -> list:
    rows = [[Path(e["path"]).name + ("/" if e.get("kind") == "folder" else ""), e.get("kind") or "",
             e.get("made_by") or "?", _fmt_size(e.get("size_bytes")),
             e.get("created_utc") or (f"{e['files']} files" if e.get("files") is not None else "")] for e in entries]
    lines = [indent + ln for ln in _table(rows, ["artifact", "kind", "made by", "size", "created (UTC)"])]
    lines += [f"{indent}! {e['error']}" for e in entries if e.get("error")]
    return lines


def _format_folder(s: dict) -> str:
    if s["kind"] in ("stage", "run"):
        out = [f"{s['path']}", f"  {s['kind']} folder of {s['made_by']} (parameter hash {s['digest']})", ""]
        out += _format_entries(s["entries"])
        if s.get("upstream"):
            rows = [[u["task"], u["path"] + ("" if u["exists"] else "  (missing)")] for u in s["upstream"]]
            out += ["", "  artifacts this run was made from:"] + ["  " + ln for ln in _table(rows, ["made by", "path"])]
        return "\n".join(out)
    if s["kind"] == "pair":
        out = [s["path"], f"  {len(s['stages'])} stage folders", ""]
        for st in s["stages"]:
            out += [f"  {Path(st['path']).name}/  (made by {st['task']})"] + _format_entries(st["entries"], "      ") + [""]
        return "\n".join(out).rstrip()
    if s["kind"] == "dataset":
        return "\n".join([s["path"], f"  dataset folder written by {s['made_by']}: {s['files']} files, "
                                     f"{_fmt_size(s['size_bytes'])}; subfolders: {', '.join(s['subfolders']) or '–'}",
                           "  files by extension: " + ", ".join(f"{k} {v}" for k, v in s["files_by_extension"].items())])
    out = [s["path"], "  pairs:"] + [f"    {Path(p['path']).name}/: {len(p['stages'])} stage folders" for p in s["pairs"]]
    return "\n".join(out)


def _jsonable(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


# --------------------------------------------------------------------------------------------- command line

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="divafn-inspect", description=(
        "Summarise a DIVAFN artifact (HDF5, manifest.json, model.pt, results.json, metrics.json) or an artifacts "
        "folder: datasets, shapes, dtypes, attrs, per-class counts, and the task that made it."))
    ap.add_argument("path", help="an artifact file, a stage folder artifacts/<pair>/<Task>-<hash>/, or artifacts/<pair>/")
    ap.add_argument("--dataset", metavar="NAME", help="print the values of this dataset (names as in the summary)")
    ap.add_argument("--head", metavar="N", type=int, default=None,
                    help="with --dataset: the first N rows (default 10; 0 for all)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = ap.parse_args(argv)
    if args.head is not None and args.dataset is None:
        ap.error("--head needs --dataset NAME")
    try:
        if args.dataset is not None:
            head = 10 if args.head is None else (None if args.head == 0 else args.head)
            values = dataset_values(args.path, args.dataset, head)
            if args.json:
                print(json.dumps(dict(path=args.path, dataset=args.dataset, head=head, values=_jsonable(values))))
            else:
                with np.printoptions(threshold=200, edgeitems=3, linewidth=120):
                    if isinstance(values, list) and values and isinstance(values[0], dict):
                        keys = list(values[0])
                        print("\n".join(_table([[r.get(k, "") for k in keys] for r in values], keys)))
                    else:
                        print(values)
        else:
            s = summarize(args.path)
            print(json.dumps(_jsonable(s), indent=1, default=str) if args.json else format_summary(s))
    except DataError as e:
        print(f"divafn-inspect: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:       # `... | head`
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
