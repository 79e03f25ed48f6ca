"""Summaries of single files (pipeline/inspect/files.py): every HDF5 kind, per-class counts, checkpoints, manifests."""
import json
import re

import numpy as np
import pytest
import torch

from pipeline import inspect
from tests.helpers.inspect_cli import CLASSES, KINDS, run_main, write_kind


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


def test_model_checkpoint(tmp_path, capsys):
    path = tmp_path / "artifacts" / "SYNTHETIC" / "TrainDIVAFN-0123456789ab" / "model.pt"
    path.parent.mkdir(parents=True)
    history = [dict(epoch=1, seconds=0.5, sim_fg=0.7, auto_f=2.0), dict(epoch=2, seconds=0.5, sim_fg=0.5, auto_f=1.0)]
    dims = dict(c=3, video_dim=6, d=4, fc_dim=8, video_hidden=5, backbone="cnnf", image_size=64)
    torch.save(dict(state_dict={"W_F": torch.zeros(4, 3), "g.full.0.weight": torch.ones(5, 6)}, dims=dims,
                    config=dict(epochs=2), history=history, classes=CLASSES, pretrained="", use_keyframes=True,
                    provenance=dict(task="TrainDIVAFN", task_id="TrainDIVAFN_x")), path)
    s = inspect.summarize(path)
    assert s["made_by"] == "TrainDIVAFN" and s["attrs"]["dims"] == dims
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
