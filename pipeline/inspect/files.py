"""Summaries of one artifact file: HDF5, JSON, model.pt, and the report's Markdown, PNG and log files."""
import json
import re
import zipfile
from pathlib import Path

import numpy as np

from pipeline.errors import DataError
from pipeline.inspect.meanings import LABELS, MEANINGS
from pipeline.io.artifacts import fix_hint, made_by_folder
from pipeline.io.h5io import SCHEMA_VERSION, decode_attr, open_h5, values
from pipeline.io.rejects import read_rejects
from pipeline.method import checkpoint
from pipeline.text import count

HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")


def summarize_h5(path: Path) -> dict:
    with open_h5(path) as f:
        try:
            attrs = {k: decode_attr(v) for k, v in f.attrs.items()}
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
            raise DataError(f"{path}: HDF5 file is damaged ({e}); {fix_hint(path)}.") from None
    notes = []
    if attrs.get("schema_version") != SCHEMA_VERSION:
        notes.append(f"schema_version {attrs.get('schema_version')!r}: this code reads {SCHEMA_VERSION}; "
                     f"{fix_hint(path)} before using it")
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
            split = values(f[split_name]) if split_name in f and f[split_name].shape == f[name].shape else None
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


def load_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: not valid JSON ({e}); it is truncated or damaged: {fix_hint(path)}.") from None


def summarize_json(path: Path) -> dict:
    doc = load_json(path)
    if not isinstance(doc, dict):
        raise DataError(f"{path}: a JSON {type(doc).__name__}, not an artifact of this pipeline; {fix_hint(path)}.")
    datasets = []
    for name, v in _json_datasets(doc):
        shape, dtype = _json_shape_dtype(v)
        datasets.append(dict(name=name, shape=shape, dtype=dtype))
    whole = {d["name"] for d in datasets}
    holds = {d["name"].split("/")[0] for d in datasets}
    attrs = {k: (_scalars_only(v) if k in holds else v) for k, v in doc.items() if k not in whole}
    attrs = {k: v for k, v in attrs.items() if v != {} or k not in holds}
    classes = doc.get("classes")
    counts, kind, notes = {}, path.stem, []
    if isinstance(doc.get("images"), list) and isinstance(doc.get("videos"), list):     # manifest.json
        kind = "manifest"
        for what in ("images", "videos"):
            items = doc[what]
            if items:
                counts[what] = _count([it["label"] for it in items], classes, [it["split"] for it in items])
        if isinstance(doc.get("ignored"), dict):       # a pair file's tree: the files that are no items, counted
            attrs["ignored"] = {side: len(paths) for side, paths in doc["ignored"].items()}
            notes.append("ignored: files under each root that are not images/videos (hidden files, notes.txt, "
                         "Thumbs.db …), not used; manifest.json lists them")
    elif isinstance(doc.get("test_labels"), list):                                       # results.json
        counts["test_labels"] = _count(doc["test_labels"], classes)
    prov = doc.get("provenance") if isinstance(doc.get("provenance"), dict) else {}
    return dict(path=str(path), format="json", kind=kind, made_by=prov.get("task") or made_by_folder(path),
                task_id=prov.get("task_id"), size_bytes=path.stat().st_size, datasets=datasets, attrs=attrs,
                class_counts=counts, notes=notes)


def _scalars_only(d):
    if isinstance(d, dict):
        keep = lambda v: not isinstance(v, list) or not v or all(isinstance(x, str) for x in v)
        out = {k: _scalars_only(v) for k, v in d.items() if keep(v)}
        return {k: v for k, v in out.items() if v != {}}
    return d


def summarize_torch(path: Path) -> dict:
    ckpt = checkpoint.load(path)
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
        notes.append(f"{count(len(history), 'epoch')}; loss terms first → last epoch: "
                     + ", ".join(f"{k} {first.get(k, float('nan')):.4g} → {last[k]:.4g}" for k in terms))
    classes = attrs.get("classes")
    return dict(path=str(path), format="torch", kind="model", made_by=prov.get("task") or made_by_folder(path),
                task_id=prov.get("task_id"), size_bytes=path.stat().st_size, datasets=datasets, attrs=attrs,
                class_counts={}, notes=notes, classes=classes)


def check_torch(path: Path) -> None:
    """That a model.pt is whole, without reading its arrays: torch.save writes a zip archive, whose index sits at its
    end (a truncated file has none) and whose data.pkl (the dict of names, shapes and facts) reads back with its CRC."""
    try:
        with zipfile.ZipFile(path) as z:
            pickles = [n for n in z.namelist() if n.rpartition("/")[2] == "data.pkl"]
            if not pickles:
                raise zipfile.BadZipFile("no data.pkl in the archive")
            z.read(pickles[0])
            if any(i.header_offset + i.compress_size > path.stat().st_size for i in z.infolist()):
                raise zipfile.BadZipFile("an entry ends past the end of the file")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        raise checkpoint.unreadable(path, e) from None


def summarize_other(path: Path) -> dict:
    info = dict(path=str(path), format=path.suffix.lower().lstrip("."), kind=path.stem,
                made_by=made_by_folder(path), task_id=None, size_bytes=path.stat().st_size,
                datasets=[], attrs={}, class_counts={}, notes=[])
    if path.suffix.lower() == ".png":
        head = path.read_bytes()[:24]
        if head[:8] != b"\x89PNG\r\n\x1a\n":
            raise DataError(f"{path}: not a PNG image; {fix_hint(path)}.")
        w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        info["attrs"] = dict(width=w, height=h)
    elif path.suffix.lower() == ".log":      # a run log (artifacts/<pair>/logs/): its extent and last lines
        lines = path.read_text(errors="replace").splitlines()
        info.update(kind="run log", made_by="the luigi command that wrote it")
        info["attrs"] = dict(lines=len(lines), first=lines[0] if lines else "", last=lines[-3:])
    else:
        text = path.read_text(errors="replace")
        info["attrs"] = dict(title=next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")),
                                        ""),
                             sections=[ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("## ")],
                             links=list(dict.fromkeys(re.findall(r"\]\(([^)\s]+)\)", text))))   # each once
    return info


def file_entry(path: Path) -> dict:
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
            with open_h5(path) as f:
                a = {k: decode_attr(f.attrs[k]) for k in ("kind", "task", "task_id", "created_utc") if k in f.attrs}
            entry.update(kind=a.get("kind"), made_by=a.get("task") or entry["made_by"], task_id=a.get("task_id"),
                         created_utc=a.get("created_utc"))
        elif path.suffix.lower() == ".json":
            doc = load_json(path)
            prov = doc.get("provenance", {}) if isinstance(doc, dict) else {}
            entry.update(kind="manifest" if isinstance(doc, dict) and "videos" in doc else path.stem,
                         made_by=prov.get("task") or entry["made_by"], created_utc=prov.get("created_utc"))
        else:
            if path.suffix.lower() in (".pt", ".pth"):
                check_torch(path)
            entry["kind"] = {".pt": "model", ".md": "report", ".png": "figure"}.get(path.suffix.lower(),
                                                                                    path.suffix.lstrip("."))
    except DataError as e:
        entry.update(kind="UNREADABLE", error=str(e))
    entry["created_utc"] = entry["created_utc"] or modified
    return entry


def _mtime_utc(path: Path) -> str:
    import datetime
    t = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc)
    return t.isoformat(timespec="seconds")
