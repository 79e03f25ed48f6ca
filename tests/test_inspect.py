"""`python -m pipeline.inspect` / `divafn-inspect`: every artifact kind, folders, values, JSON, bad files."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from tiny_run import run_folder, tiny_run

from pipeline import inspect
from pipeline.inspect.meanings import MEANINGS
from pipeline.io import h5io
from pipeline.io.rejects import read_rejects

REPO = Path(__file__).resolve().parent.parent
CLASSES = ["Archery", "BrushingTeeth", "Rowing"]
PROV = dict(task_id="X_1_abc", params={"pair": "SYNTHETIC"}, inputs=["a/b.json"], code_version="0.1.0",
            created_utc="2026-01-01T00:00:00+00:00", classes=CLASSES)
rng = np.random.default_rng(0)
KINDS = {  # kind → (task, filename, arrays): one small artifact of every HDF5 kind, as the stages write them
    "images": ("PrepareImages", "images.h5", dict(X=rng.integers(0, 255, (5, 8, 8, 3), dtype=np.uint8),
                                                  labels=np.array([0, 0, 1, 2, 2]), ids=np.array([f"i{i}" for i in range(5)]),
                                                  split=np.array(["train", "test", "train", "train", "test"]))),
    "keyframes": ("ExtractKeyframes", "shard-000.h5", dict(K=np.zeros((2, 3, 8, 8, 3), np.uint8),
                                                           frame_index=np.array([[0, 5, 9], [1, 4, 8]]), ids=np.array(["v0", "v1"]))),
    "video_features": ("ExtractVideoFeatures", "shard-000.h5", dict(Y=rng.normal(size=(2, 6)).astype(np.float32),
                                                                    ids=np.array(["v0", "v1"]))),
    "classnames": ("EmbedClassNames", "classnames.h5", dict(S=rng.normal(size=(3, 4)).astype(np.float32),
                                                            names=np.array(CLASSES), words=np.array(["archery", "brushing teeth", "rowing"]))),
    "features": ("DumpFeatures", "features.h5", dict(
        F=rng.normal(size=(5, 4)).astype(np.float32), H=rng.normal(size=(4, 3, 4)).astype(np.float32),
        G=rng.normal(size=(4, 4)).astype(np.float32), F0=np.zeros((5, 4), np.float32), H0=np.zeros((4, 3, 4), np.float32),
        G0=np.zeros((4, 4), np.float32), Y=np.ones((4, 6), np.float32), image_labels=np.array([0, 0, 1, 2, 2]),
        image_ids=np.array([f"i{i}" for i in range(5)]), video_labels=np.array([0, 1, 2, 2]),
        video_ids=np.array(["v0", "v1", "v2", "v3"]), video_split=np.array(["train", "test", "train", "test"]))),
    "semantic": ("ProjectSemantics", "semantic.h5", dict(W_F=np.ones((4, 4)), W_H=np.ones((4, 4)), W_G=np.ones((4, 4)),
                                                         W_E=np.ones((4, 8)), SH=np.ones((4, 4)), SG=np.ones((4, 4)),
                                                         SE=np.ones((4, 4)), video_ids=np.array(["v0", "v1", "v2", "v3"]))),
}


def write_kind(root: Path, kind: str) -> Path:
    task, filename, arrays = KINDS[kind]
    path = root / "artifacts" / "SYNTHETIC" / f"{task}-0123456789ab" / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    h5io.write(path, kind, arrays, dict(PROV, task=task))
    return path


def cli(*args, cwd=None):
    """`python -m pipeline.inspect ARGS` as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "pipeline.inspect", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def run_main(capsys, *args):
    rc = inspect.main([str(a) for a in args])
    out = capsys.readouterr()
    return rc, out.out, out.err


# ------------------------------------------------------------------------------------ every kind, fast

@pytest.mark.parametrize("kind", list(KINDS))
def test_summary_of_each_hdf5_kind(tmp_path, capsys, kind):
    path = write_kind(tmp_path, kind)
    s = inspect.summarize(path)
    arrays = KINDS[kind][2]
    assert s["kind"] == kind and s["made_by"] == KINDS[kind][0] and s["task_id"] == "X_1_abc"
    assert {d["name"]: tuple(d["shape"]) for d in s["datasets"]} == {k: v.shape for k, v in arrays.items()}
    assert all(d["meaning"] for d in s["datasets"]), "every dataset of a known kind has its meaning"
    assert s["attrs"]["classes"] == CLASSES and s["attrs"]["params"] == {"pair": "SYNTHETIC"}

    rc, out, err = run_main(capsys, path)
    assert rc == 0 and err == ""
    for name in arrays:
        assert re.search(rf"^\s+{name}\s", out, re.M), name
    rc, out, _ = run_main(capsys, path, "--json")
    doc = json.loads(out)
    assert {d["name"]: d["shape"] for d in doc["datasets"]} == {k: list(v.shape) for k, v in arrays.items()}


def test_per_class_counts_by_split(tmp_path, capsys):
    s = inspect.summarize(write_kind(tmp_path, "features"))
    assert s["class_counts"]["image_labels"] == {"all": {"Archery": 2, "BrushingTeeth": 1, "Rowing": 2}}
    assert s["class_counts"]["video_labels"] == {"train": {"Archery": 1, "BrushingTeeth": 0, "Rowing": 1},
                                                 "test": {"Archery": 0, "BrushingTeeth": 1, "Rowing": 1}}
    rc, out, _ = run_main(capsys, write_kind(tmp_path, "images"))
    assert "per-class counts of labels" in out and re.search(r"Archery\s+1\s+1", out)


def test_dataset_head_text_and_json(tmp_path, capsys):
    path = write_kind(tmp_path, "features")
    rc, out, _ = run_main(capsys, path, "--dataset", "video_ids", "--head", "2")
    assert rc == 0 and "v0" in out and "v1" in out and "v2" not in out
    rc, out, _ = run_main(capsys, path, "--dataset", "F", "--head", "3", "--json")
    doc = json.loads(out)
    assert np.allclose(doc["values"], KINDS["features"][2]["F"][:3])
    rc, out, _ = run_main(capsys, path, "--dataset", "video_split", "--head", "0", "--json")
    assert json.loads(out)["values"] == ["train", "test", "train", "test"]


def test_unknown_dataset_names_the_ones_there(tmp_path, capsys):
    rc, out, err = run_main(capsys, write_kind(tmp_path, "semantic"), "--dataset", "nope")
    assert rc == 1 and "no dataset 'nope'" in err and "W_E" in err and "Traceback" not in err


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


def test_model_checkpoint(tmp_path, capsys):
    path = tmp_path / "artifacts" / "SYNTHETIC" / "TrainDIVAFN-0123456789ab" / "model.pt"
    path.parent.mkdir(parents=True)
    history = [dict(epoch=1, seconds=0.5, sim_fg=0.7, auto_f=2.0), dict(epoch=2, seconds=0.5, sim_fg=0.5, auto_f=1.0)]
    torch.save(dict(state_dict={"W_F": torch.zeros(4, 3), "g.full.0.weight": torch.ones(5, 6)}, dims=dict(c=3),
                    config=dict(epochs=2), history=history, classes=CLASSES,
                    provenance=dict(task="TrainDIVAFN", task_id="TrainDIVAFN_x")), path)
    s = inspect.summarize(path)
    assert s["made_by"] == "TrainDIVAFN" and s["attrs"]["dims"] == {"c": 3}
    assert {d["name"]: d["shape"] for d in s["datasets"]} == {"state_dict/W_F": [4, 3], "state_dict/g.full.0.weight": [5, 6],
                                                              "history": [2]}
    assert any("sim_fg 0.7 → 0.5" in n for n in s["notes"])
    rc, out, _ = run_main(capsys, path, "--dataset", "history", "--head", "1")
    assert rc == 0 and "sim_fg" in out and len(out.strip().splitlines()) == 3 and "0.7" in out.splitlines()[-1]
    rc, out, _ = run_main(capsys, path, "--dataset", "state_dict/g.full.0.weight", "--head", "2", "--json")
    assert np.asarray(json.loads(out)["values"]).shape == (2, 6)


def test_manifest_json(tmp_path, capsys):
    path = tmp_path / "artifacts" / "SYNTHETIC" / "BuildManifest-0123456789ab" / "manifest.json"
    path.parent.mkdir(parents=True)
    item = lambda i, label, split: dict(id=f"x{i}", path=f"/d/x{i}", label=label, split=split)
    path.write_text(json.dumps(dict(pair="SYNTHETIC", classes=CLASSES, images=[item(0, 0, "train"), item(1, 2, "test")],
                                    videos=[item(2, 1, "train"), item(3, 1, "test"), item(4, 1, "test")])))
    s = inspect.summarize(path)
    assert s["kind"] == "manifest" and s["made_by"] == "BuildManifest"
    assert {d["name"]: d["shape"] for d in s["datasets"]} == {"images": [2], "videos": [3]}
    assert s["class_counts"]["videos"] == {"train": {"Archery": 0, "BrushingTeeth": 1, "Rowing": 0},
                                           "test": {"Archery": 0, "BrushingTeeth": 2, "Rowing": 0}}
    rc, out, _ = run_main(capsys, path, "--dataset", "videos", "--head", "2")
    assert rc == 0 and "x2" in out and "x3" in out and "x4" not in out


def test_folders(tmp_path, capsys):
    for kind in KINDS:
        write_kind(tmp_path, kind)
    pair = tmp_path / "artifacts" / "SYNTHETIC"
    s = inspect.summarize(pair / "DumpFeatures-0123456789ab")
    assert s["kind"] == "stage" and s["made_by"] == "DumpFeatures"
    assert [(Path(e["path"]).name, e["made_by"], e["kind"]) for e in s["entries"]] == [("features.h5", "DumpFeatures", "features")]
    s = inspect.summarize(pair)
    assert s["kind"] == "pair" and sorted(st["task"] for st in s["stages"]) == sorted(t for t, _, _ in KINDS.values())
    rc, out, _ = run_main(capsys, pair)
    assert rc == 0 and "ProjectSemantics-0123456789ab/" in out
    assert inspect.summarize(tmp_path / "artifacts")["kind"] == "artifacts"
    (tmp_path / "plain").mkdir()
    rc, _, err = run_main(capsys, tmp_path / "plain")
    assert rc == 1 and "not an artifacts folder" in err


# ------------------------------------------------------------------------------------ bad input: one line, exit 1

def _one_line_error(r, path):
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert str(path) in r.stderr
    return r.stderr


def test_corrupt_hdf5_is_one_clear_line(tmp_path):
    good = write_kind(tmp_path, "features")
    bad = good.with_name("features.h5")
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])          # a truncated artifact
    err = _one_line_error(cli(bad), bad)
    assert "not a readable HDF5 file" in err and "re-run DumpFeatures" in err


def test_non_hdf5_files_are_one_clear_line(tmp_path):
    folder = tmp_path / "artifacts" / "SYNTHETIC" / "FitClassifier-0123456789ab"
    folder.mkdir(parents=True)
    cases = {"notes.h5": b"just text, not HDF5\n", "results.json": b'{"classes": [', "model.pt": b"\x00garbage" * 10,
             "data.bin": b"\x01\x02\x03", "figure.png": b"GIF89a"}
    for name, content in cases.items():
        (folder / name).write_bytes(content)
        err = _one_line_error(cli(folder / name), folder / name)
        assert ("re-run FitClassifier" in err or "check the path" in err), err
    err = _one_line_error(cli(tmp_path / "missing.h5"), tmp_path / "missing.h5")
    assert "no such file" in err


def test_unreadable_file_in_a_folder_is_flagged_not_fatal(tmp_path, capsys):
    path = write_kind(tmp_path, "semantic")
    (path.parent / "broken.h5").write_bytes(b"nope")
    rc, out, _ = run_main(capsys, path.parent)
    assert rc == 0 and "UNREADABLE" in out and "broken.h5" in out


def test_no_luigi_in_the_library():
    code = "import sys, pipeline.inspect, pipeline.report; assert 'luigi' not in sys.modules, 'luigi imported'"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


# ------------------------------------------------------------------------------------ a real run

@pytest.fixture(scope="session")
def run_cwd(tmp_path_factory):
    return tiny_run(tmp_path_factory)


def _artifact_files(cwd):
    """Every artifact file of the run (the generated dataset's own files aside)."""
    return sorted(p for p in (cwd / "artifacts").rglob("*") if p.is_file() and "/data/" not in p.as_posix())


@pytest.mark.e2e
def test_every_artifact_of_a_run(run_cwd, capsys):
    files = _artifact_files(run_cwd)
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
    (data,) = (run_cwd / "artifacts" / "SYNTHETIC").glob("MakeSyntheticData-*/data")   # the generated dataset
    rc, out, _ = run_main(capsys, data, "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["kind"] == "dataset" and doc["made_by"] == "MakeSyntheticData"
    assert {".avi", ".jpg", ".txt"} <= set(doc["files_by_extension"])


@pytest.mark.e2e
def test_cli_entry_points_on_a_run(run_cwd):
    features = next((run_cwd / "artifacts").rglob("features.h5")).relative_to(run_cwd)
    r = cli(features, "--json", cwd=run_cwd)
    assert r.returncode == 0 and json.loads(r.stdout)["kind"] == "features"
    script = Path(sys.executable).with_name("divafn-inspect")
    if script.exists():   # installed by `pip install -e .` (pyproject's [project.scripts])
        env = dict(os.environ, PYTHONPATH=str(REPO))
        r = subprocess.run([str(script), str(features), "--dataset", "video_labels", "--head", "3"], cwd=run_cwd,
                           env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and r.stdout.strip(), r.stderr


@pytest.mark.e2e
def test_run_folder_lists_what_made_it(run_cwd, capsys):
    folder = run_folder(run_cwd)
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
    pair = inspect.summarize(folder.parent)
    assert {st["task"] for st in pair["stages"]} >= tasks | {"RunExperiment"}


@pytest.mark.e2e
def test_every_dataset_is_documented(run_cwd):
    """artifacts/README.md and MEANINGS document every dataset a run writes."""
    readme = (REPO / "artifacts" / "README.md").read_text()
    for path in _artifact_files(run_cwd):
        if path.suffix != ".h5":
            continue
        s = inspect.summarize(path)
        section = readme.split(f"kind `{s['kind']}`", 1)
        assert len(section) == 2, f"artifacts/README.md has no section for kind {s['kind']}"
        for d in s["datasets"]:
            assert (s["kind"], d["name"]) in MEANINGS, (s["kind"], d["name"])
            assert f"| `{d['name']}` |" in section[1].split("\n### ", 1)[0], (s["kind"], d["name"])
