"""`python -m pipeline.inspect` / `divafn-inspect` on every artifact of a real run, and the documentation of each."""
import json
import os
import subprocess
import sys
from pathlib import Path

import h5py

from pipeline import inspect
from pipeline.inspect.meanings import MEANINGS
from tests.helpers.inspect_cli import cli, run_main
from tests.helpers.luigi_process import REPO, run_folder


def _artifact_files(cwd):
    """Every artifact file of the run (the generated dataset's own files aside)."""
    return sorted(p for p in (cwd / "artifacts").rglob("*") if p.is_file() and "/data/" not in p.as_posix())


def test_every_artifact_of_a_run(tiny_run, capsys):
    files = _artifact_files(tiny_run)
    kinds = set()
    for path in files:
        rc, out, err = run_main(capsys, path)
        assert rc == 0 and err == "" and str(path) in out, (path, err)
        rc, out, err = run_main(capsys, path, "--json")
        assert rc == 0, (path, err)
        doc = json.loads(out)
        kinds.add(doc["kind"])
        if path.suffix == ".h5":
            with h5py.File(path) as f:
                want = {}
                f.visititems(lambda n, o: want.__setitem__(n, list(o.shape)) if hasattr(o, "shape") else None)
            assert {d["name"]: d["shape"] for d in doc["datasets"]} == want, path
            assert doc["made_by"] == doc["attrs"]["task"] and doc["attrs"]["classes"]
    assert {"images", "keyframes", "video_features", "classnames", "features", "semantic", "manifest", "model",
            "results", "metrics", "report"} <= kinds
    (data,) = (tiny_run / "artifacts" / "SYNTHETIC").glob("MakeSyntheticData-*/data")   # the generated dataset
    rc, out, _ = run_main(capsys, data, "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["kind"] == "dataset" and doc["made_by"] == "MakeSyntheticData"
    assert {".avi", ".jpg", ".txt"} <= set(doc["files_by_extension"])


def test_cli_entry_points_on_a_run(tiny_run):
    features = next((tiny_run / "artifacts").rglob("features.h5")).relative_to(tiny_run)
    r = cli(features, "--json", cwd=tiny_run)
    assert r.returncode == 0 and json.loads(r.stdout)["kind"] == "features"
    script = Path(sys.executable).with_name("divafn-inspect")
    if script.exists():   # installed by `pip install -e .` (pyproject's [project.scripts])
        env = dict(os.environ, PYTHONPATH=str(REPO))
        r = subprocess.run([str(script), str(features), "--dataset", "video_labels", "--head", "3"], cwd=tiny_run,
                           env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and r.stdout.strip(), r.stderr


def test_run_folder_lists_what_made_it(tiny_run, capsys):
    folder = run_folder(tiny_run)
    s = inspect.summarize(folder)
    assert s["kind"] == "run" and s["made_by"] == "RunExperiment"
    assert {Path(e["path"]).name for e in s["entries"]} >= {"report.md", "metrics.json", "confusion.png",
                                                            "training_curves.png", "projection.png"}
    tasks = {u["task"] for u in s["upstream"]}
    assert {"BuildManifest", "PrepareImages", "ExtractKeyframes", "ExtractVideoFeatures", "EmbedClassNames",
            "TrainDIVAFN", "DumpFeatures", "ProjectSemantics", "FitClassifier"} <= tasks
    assert all(u["exists"] for u in s["upstream"])
    rc, out, _ = run_main(capsys, folder)
    assert rc == 0 and "artifacts this run was made from" in out and "TrainDIVAFN" in out
    links = inspect.summarize(folder / "report.md")["attrs"]["links"]
    assert sorted(links) == sorted({"metrics.json", "confusion.png", "training_curves.png", "projection.png"})
    pair = inspect.summarize(folder.parent)
    assert {st["task"] for st in pair["stages"]} >= tasks | {"RunExperiment"}


def test_every_dataset_is_documented(tiny_run):
    """artifacts/README.md and MEANINGS document every dataset a run writes."""
    readme = (REPO / "artifacts" / "README.md").read_text()
    for path in _artifact_files(tiny_run):
        if path.suffix != ".h5":
            continue
        s = inspect.summarize(path)
        section = readme.split(f"kind `{s['kind']}`", 1)
        assert len(section) == 2, f"artifacts/README.md has no section for kind {s['kind']}"
        for d in s["datasets"]:
            assert (s["kind"], d["name"]) in MEANINGS, (s["kind"], d["name"])
            assert f"| `{d['name']}` |" in section[1].split("\n### ", 1)[0], (s["kind"], d["name"])
