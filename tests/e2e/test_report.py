"""report.md, its figures and the feature probe on a real run (the tiny SYNTHETIC run)."""
import json
import shutil
import subprocess

import h5py
import numpy as np
import pytest
import torch

from pipeline.io import h5io
from pipeline.method import train
from pipeline.method.pretrained import default_weights, load_pretrained
from pipeline.report.write import FIGURES
from tests.helpers.luigi_process import run_folder
from tests.helpers.reports import SECTIONS, assert_links_exist, assert_png


def test_report_of_a_real_run(tiny_run):
    folder = run_folder(tiny_run)
    md = (folder / "report.md").read_text()
    for s in SECTIONS:
        assert s in md, s
    assert_links_exist(folder, md)
    for png in folder.glob("*.png"):
        assert_png(png)
    assert {p.name for p in folder.glob("*.png")} == set(FIGURES.values())
    metrics = json.loads((folder / "metrics.json").read_text())
    results = json.loads(next((tiny_run / "artifacts").rglob("results.json")).read_text())
    assert set(results["methods"]) <= set(metrics["accuracy"])        # plus CompareMethods' ablations
    for m, r in results["methods"].items():
        assert f"{r['accuracy']:.1%}" in md, m
    assert set(metrics["alignment"]) == {"before", "after"}
    assert metrics["rejects"] == [] and "None:" in md
    for stage in ("TrainDIVAFN", "DumpFeatures", "ProjectSemantics", "FitClassifier", "BuildManifest"):
        assert f"| {stage} |" in md.split("## Parameters", 1)[1], stage


def test_before_training_features_come_from_the_initial_weights(tiny_run):
    """The main chain's features.h5 holds F0, H0, G0; the no-keyframes chain's (CompareMethods) does not repeat them."""
    chains = {h5io.attrs(p)["params"]["train_overrides"]: p for p in (tiny_run / "artifacts").rglob("features.h5")}
    with h5py.File(chains['{"use_keyframes": false}']) as f:
        assert {"F", "H", "G"} <= set(f) and not {"F0", "H0", "G0"} & set(f)
    with h5py.File(chains["{}"]) as f:
        for name in "FHG":
            assert f[name + "0"].shape == f[name].shape
            assert not np.allclose(f[name + "0"][()], f[name][()]), name
        F0, n = f["F0"][()], len(f["F0"])
    ckpt = torch.load(next((tiny_run / "artifacts").rglob("model.pt")), weights_only=True)
    model = train.build_model(ckpt["dims"], 0)               # TrainDIVAFN's seed in TINY_CFG: the default 0
    assert ckpt["pretrained"] == default_weights(ckpt["dims"]["backbone"]) != ""   # θx⁰: the installed ImageNet file
    load_pretrained(model.f, ckpt["pretrained"], ckpt["dims"]["backbone"])
    model.eval()
    with h5py.File(next((tiny_run / "artifacts").rglob("images.h5"))) as f:
        images = f["X"][:4]
    with torch.no_grad():
        assert np.allclose(model.f(torch.from_numpy(images)).numpy(), F0[:4], atol=1e-5)
    assert n >= 4


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed (apt-get install pandoc)")
def test_report_renders_to_html_with_its_images(tiny_run, tmp_path):
    folder = run_folder(tiny_run)
    html = tmp_path / "report.html"
    subprocess.run(["pandoc", "-s", "--metadata", "pagetitle=report", str(folder / "report.md"), "-o", str(html)],
                   check=True, timeout=120)
    text = html.read_text()
    for name in FIGURES.values():
        assert f'src="{name}"' in text, name
    assert_links_exist(folder, text)


def test_feature_probe_reads_a_real_run_and_agrees_with_the_pipeline(tiny_run):
    """benchmarks/probe_features.py (the README's evidence for the method choices) on the run's own artifacts."""
    from benchmarks import probe_features
    art = tiny_run / "artifacts" / "SYNTHETIC"
    semantic = next(p for p in art.glob("ProjectSemantics-*/semantic.h5") if h5io.attrs(p)["params"]["train_overrides"] == "{}")
    features, classnames = h5io.attrs(semantic)["inputs"]                 # the inputs it was made from
    out = probe_features.main([str(tiny_run / features), str(tiny_run / classnames)])
    assert set(out) == {"y (raw video feature)", "before training", "after training"}
    metrics = json.loads((run_folder(tiny_run) / "metrics.json").read_text())
    assert out["after training"]["divafn"] == pytest.approx(metrics["accuracy"]["divafn"])
    assert out["y (raw video feature)"]["accuracy"] == pytest.approx(metrics["accuracy"]["video_only"])
    assert all(0 <= v <= 1 for v in out["before training"]["mean cosine F/H/G"])


def test_supervised_probe_scores_the_runs_own_model_as_the_pipeline_did(tiny_run):
    """benchmarks/probe_supervised.py (docs/results.md, "What bounds the lead"): its divafn side is the run's model
    scored as CompareMethods scored it; its cross-entropy side trains f with the run's recipe and lowers its loss."""
    from benchmarks import probe_supervised
    from pipeline.method import checkpoint
    art = tiny_run / "artifacts" / "SYNTHETIC"
    metrics = json.loads((run_folder(tiny_run) / "metrics.json").read_text())
    semantic = next(p for p in art.glob("ProjectSemantics-*/semantic.h5") if h5io.attrs(p)["params"]["train_overrides"] == "{}")
    features = h5io.attrs(semantic)["inputs"][0]                          # the features it was made from
    (model,) = [p for p in h5io.attrs(tiny_run / features)["inputs"] if p.endswith("/model.pt")]   # and the data
    model = tiny_run / model
    out = probe_supervised.main([str(model)])
    for method in ("divafn", "keyframe_only", "image_only"):
        assert out["divafn"][method] == round(100 * metrics["accuracy"][method], 1), method    # the probe rounds so
    assert out["video_only"] == round(100 * metrics["accuracy"]["video_only"], 1)
    losses = out["cross_entropy loss per epoch"]
    assert len(losses) == checkpoint.load(model)["config"]["epochs"] and losses[-1] < losses[0]
    assert 0 <= out["cross_entropy"]["keyframe_only"] <= 100
