"""The readable text of a summary (divafn-inspect without --json)."""
import json
from pathlib import Path

import numpy as np

from pipeline.text import count


def _fmt_size(n) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def table(rows, header) -> list:
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
           f"  {s['format']} · kind {s.get('kind')!s} · {_fmt_size(s.get('size_bytes'))} · "
           f"made by {s.get('made_by') or '?'}"
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
        out += ["  " + ln for ln in table(rows, header)]
    if s.get("attrs"):
        out += ["", "attrs:"] + [f"  {k}: {_short(v)}" for k, v in s["attrs"].items()]
    for label, by_split in (s.get("class_counts") or {}).items():
        splits = list(by_split)
        classes = list(by_split[splits[0]])
        rows = [[c, *(by_split[sp].get(c, 0) for sp in splits)] for c in classes]
        rows.append(["(total)", *(sum(by_split[sp].values()) for sp in splits)])
        out += ["", f"per-class counts of {label}:"] + ["  " + ln for ln in table(rows, ["class", *splits])]
    if s.get("notes"):
        out += ["", "notes:"] + [f"  {n}" for n in s["notes"]]
    return "\n".join(out)


def _format_entries(entries, indent="  ") -> list:
    rows = [[Path(e["path"]).name + ("/" if e.get("kind") == "folder" else ""), e.get("kind") or "",
             e.get("made_by") or "?", _fmt_size(e.get("size_bytes")),
             e.get("created_utc") or (count(e["files"], "file") if e.get("files") is not None else "")]
            for e in entries]
    lines = [indent + ln for ln in table(rows, ["artifact", "kind", "made by", "size", "created (UTC)"])]
    lines += [f"{indent}! {e['error']}" for e in entries if e.get("error")]
    return lines


def _format_folder(s: dict) -> str:
    if s["kind"] in ("stage", "run"):
        out = [f"{s['path']}", f"  {s['kind']} folder of {s['made_by']} (parameter hash {s['digest']})", ""]
        out += _format_entries(s["entries"])
        if s.get("upstream"):
            rows = [[u["task"], u["path"] + ("" if u["exists"] else "  (missing)")] for u in s["upstream"]]
            out += ["", "  artifacts this run was made from:"] + ["  " + ln for ln in table(rows, ["made by", "path"])]
        return "\n".join(out)
    if s["kind"] == "pair":
        out = [s["path"], f"  {count(len(s['stages']), 'stage folder')}", ""]
        for st in s["stages"]:
            out += ([f"  {Path(st['path']).name}/  (made by {st['task']})"] + _format_entries(st["entries"], "      ")
                    + [""])
        return "\n".join(out).rstrip()
    if s["kind"] == "dataset":
        return "\n".join([s["path"], f"  dataset folder written by {s['made_by']}: {count(s['files'], 'file')}, "
                                     f"{_fmt_size(s['size_bytes'])}; subfolders: {', '.join(s['subfolders']) or '–'}",
                           "  files by extension: "
                           + ", ".join(f"{k} {v}" for k, v in s["files_by_extension"].items())])
    out = [s["path"], "  pairs:"] + [f"    {Path(p['path']).name}/: {count(len(p['stages']), 'stage folder')}"
                                     for p in s["pairs"]]
    return "\n".join(out)


def jsonable(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v
