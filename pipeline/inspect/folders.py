"""Summaries of folders: a stage folder, a run folder (with what it was made from), a pair folder, artifacts/."""
from pathlib import Path

from pipeline.errors import DataError
from pipeline.inspect.files import file_entry, load_json
from pipeline.io.artifacts import STAGE_DIR, in_pair_folder, made_by_folder


def _stage_listing(folder: Path) -> list:
    return [file_entry(p) for p in sorted(folder.iterdir()) if "-luigi-tmp-" not in p.name]


def summarize_folder(path: Path) -> dict:
    m = STAGE_DIR.match(path.name)
    if m:
        out = dict(path=str(path), format="folder", kind="stage", made_by=m["task"], digest=m["digest"],
                   entries=_stage_listing(path), notes=[])
        metrics = path / "metrics.json"
        if metrics.is_file():     # a run folder: its upstream artifacts, from metrics.json
            doc = load_json(metrics)
            ups = doc.get("artifacts", {}) if isinstance(doc, dict) else {}
            out["kind"] = "run"
            out["upstream"] = [dict(task=task, path=p, exists=in_pair_folder(path.parent, p).exists())
                               for task, paths in ups.items() for p in paths]
        return out
    stages = sorted(p for p in path.iterdir() if p.is_dir() and STAGE_DIR.match(p.name))
    if stages:
        return dict(path=str(path), format="folder", kind="pair", made_by=None, notes=[],
                    stages=[dict(path=str(s), task=STAGE_DIR.match(s.name)["task"],
                                 digest=STAGE_DIR.match(s.name)["digest"], entries=_stage_listing(s)) for s in stages])
    pairs = sorted(p for p in path.iterdir()
                   if p.is_dir() and any(STAGE_DIR.match(q.name) for q in p.iterdir() if q.is_dir()))
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
