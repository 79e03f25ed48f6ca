"""report.md and its figures: every section, links only to files that exist, a verdict that follows the numbers."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from matplotlib.image import imread
from tiny_run import run_folder, tiny_run

from pipeline import report
from pipeline.report import figures, stats
from pipeline.report.write import FIGURES
from pipeline.method import train

CLASSES = ["Archery", "BrushingTeeth", "Rowing", "Biking"]
SECTIONS = ["## Accuracy on the test videos", "## Per-class accuracy", "## Confusion matrices", "## Training",
            "## Domain alignment: F, H and G before and after training", "## Rejected items", "## Data", "## Parameters",
            "## Artifacts"]


def links(markdown: str) -> list:
    """Targets of every markdown link and image, and of every HTML src/href."""
    return re.findall(r"\]\(([^)\s]+)\)", markdown) + re.findall(r'(?:src|href)="([^"]+)"', markdown)


def assert_links_exist(folder: Path, text: str):
    targets = links(text)
    assert targets, "the report links its figures"
    for t in targets:
        assert not re.match(r"\w+://", t) and not t.startswith("/"), f"report links outside its folder: {t}"
        assert (folder / t).is_file(), f"report links {t}, which is not in {folder}"


def assert_png(path: Path):
    img = imread(path)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300, (path, img.shape)
    assert img[..., :3].std() > 0.02, f"{path} looks blank"


def fake_run(n_test=40, divafn_right=0.9, video_right=0.3, aligned=True, before=True, seed=0):
    """metrics (as RunExperiment fills it), results, features, history of a made-up run."""
    rng = np.random.default_rng(seed)
    C, c, k = len(CLASSES), 8, 3
    y_test = np.arange(n_test) % C

    def predictions(frac):
        pred = y_test.copy()
        wrong = rng.permutation(n_test)[: int(round((1 - frac) * n_test))]
        pred[wrong] = (pred[wrong] + 1) % C
        return pred

    methods = {}
    for name, frac in (("divafn", divafn_right), ("video_only", video_right)):
        pred = predictions(frac)
        cm = np.zeros((C, C), int)
        np.add.at(cm, (y_test, pred), 1)
        methods[name] = dict(accuracy=float((pred == y_test).mean()), per_class=(cm.diagonal() / cm.sum(1)).tolist(),
                             confusion=cm.tolist(), predicted=pred.tolist())
    results = dict(classes=CLASSES, test_labels=y_test.tolist(), methods=methods)

    n_img, n_train = 30, 12
    y_F = np.arange(n_img) % C
    y_V = np.concatenate([np.arange(n_train) % C, y_test])
    split = np.array(["train"] * n_train + ["test"] * n_test)
    centres = rng.normal(size=(C, c)) * 3
    noise = lambda n: rng.normal(size=(n, c)) * 0.3
    if aligned:     # every modality clusters around the same class centres
        F, G = centres[y_F] + noise(n_img), centres[y_V] + noise(len(y_V))
        H = centres[y_V][:, None, :] + rng.normal(size=(len(y_V), k, c)) * 0.3
    else:
        F, G, H = noise(n_img) + 5, noise(len(y_V)) - 5, rng.normal(size=(len(y_V), k, c))
    features = dict(F=F, H=H, G=G, image_labels=y_F, video_labels=y_V, video_split=split)
    if before:
        features.update(F0=rng.normal(size=F.shape) * 0.01, H0=rng.normal(size=H.shape) * 0.01, G0=rng.normal(size=G.shape))
    history = [dict(epoch=e + 1, seconds=1.0, sim_fg=0.69 / (e + 1), sim_hg=0.6 / (e + 1), sim_fh=1.3 / (e + 1),
                    auto_f=2.0 - 0.1 * e, auto_h=1.0, auto_g=3.0 / (e + 1)) for e in range(5)]
    per_class = {cl: dict(train=3, test=n_test // C) for cl in CLASSES}
    metrics = dict(pair="SYNTHETIC", seed=0, classes=CLASSES, n_train_videos=n_train, n_test_videos=n_test, n_images=n_img,
                   chance=1 / C, accuracy={m: r["accuracy"] for m, r in methods.items()}, lambdas=dict(F=1.0, H=0.1, G=10.0, E=1.0),
                   embedding="hashed character n-grams", weights="trained from scratch", device="cpu", code_version="0.1.0+gtest",
                   data=dict(images={cl: dict(train=5, test=2) for cl in CLASSES}, videos=per_class, image_root="data/Stanford40",
                             video_root="data/UCF101", split=1),
                   rejects=[], parameters={"TrainDIVAFN": {"pair": "SYNTHETIC", "epochs": "5"}, "FitClassifier": {"svm_c": "1.0"}},
                   artifacts={"TrainDIVAFN": ["artifacts/SYNTHETIC/TrainDIVAFN-0123456789ab/model.pt"]})
    return metrics, results, features, history


def write(tmp_path, **kw):
    tmp_path.mkdir(parents=True, exist_ok=True)
    metrics, results, features, history = fake_run(**kw)
    out = report.write_report(tmp_path, metrics, results, features, history)
    report.write_metrics(tmp_path, out)
    return out, (tmp_path / "report.md").read_text()


# ------------------------------------------------------------------------------------ fast, on made-up runs

def test_report_has_every_section_and_links_only_existing_files(tmp_path):
    metrics, md = write(tmp_path)
    for s in SECTIONS:
        assert s in md, s
    assert_links_exist(tmp_path, md)
    for name in FIGURES.values():
        assert_png(tmp_path / name)
    assert json.loads((tmp_path / "metrics.json").read_text())["figures"] == FIGURES
    for cl in CLASSES:                       # per-class table and data table
        assert re.search(rf"^\| {cl} \|", md, re.M)
    assert "| **divafn** |" in md and "| video_only |" in md and "| chance |" in md


def test_verdict_follows_the_numbers(tmp_path):
    _, md = write(tmp_path / "a", n_test=60, divafn_right=0.9, video_right=0.3)
    assert "**The adaptation worked on this run.**" in md and "above chance" in md
    _, md = write(tmp_path / "b", n_test=8, divafn_right=0.5, video_right=0.375)
    assert "**Inconclusive.**" in md
    _, md = write(tmp_path / "c", n_test=40, divafn_right=0.25, video_right=0.6)
    assert "**The adaptation did not help on this run.**" in md and "not distinguishable from chance" in md


def test_alignment_before_and_after(tmp_path):
    metrics, md = write(tmp_path, aligned=True)
    after, before = metrics["alignment"]["after"], metrics["alignment"]["before"]
    assert all(v == 1.0 for v in after.values()), after          # one shared set of class centres
    assert all(v < 0.7 for v in before.values()), before         # random initial features
    assert "| images → videos | " in md and "before training" in md and "after training" in md
    assert "| mean cosine between G items (videos) |" in md and set(metrics["feature_cosines"]) == {"before", "after"}
    metrics, _ = write(tmp_path / "a", aligned=False)
    assert metrics["alignment"]["after"]["images → videos"] < 1.0


def test_report_without_before_features_says_so(tmp_path):
    metrics, md = write(tmp_path, before=False)
    assert list(metrics["alignment"]) == ["after"]
    assert "not in this run's features.h5" in md
    assert_links_exist(tmp_path, md)


def test_rejected_items_are_listed(tmp_path):
    m, results, features, history = fake_run()
    m["rejects"] = [dict(path="UCF-101/Biking/v_Biking_g01_c01.avi", reason="no decodable frames", source="shard-000.h5")]
    report.write_report(tmp_path, m, results, features, history)
    md = (tmp_path / "report.md").read_text()
    section = md.split("## Rejected items", 1)[1].split("\n## ", 1)[0]
    assert "1 items were rejected" in section and "v_Biking_g01_c01.avi" in section and "no decodable frames" in section
    _, md = write(tmp_path / "a")
    assert "None:" in md.split("## Rejected items", 1)[1].split("\n## ", 1)[0]


def test_training_curves_cope_with_any_history(tmp_path):
    assert figures.plot_training_curves([], tmp_path / "empty.png") == []
    terms = figures.plot_training_curves([dict(epoch=1, seconds=1, loss=2.0, lr=0.1)], tmp_path / "one.png")
    assert terms == ["loss", "lr"]
    assert_png(tmp_path / "one.png")


def test_build_model_is_seeded():
    dims = dict(c=4, video_dim=6, d=5, fc_dim=8, video_hidden=8)
    a, b, other = train.build_model(dims, 3), train.build_model(dims, 3), train.build_model(dims, 4)
    for (k, va), vb, vo in zip(a.state_dict().items(), b.state_dict().values(), other.state_dict().values()):
        assert torch.equal(va, vb), k
    assert not torch.equal(a.W_F, other.W_F)


# ------------------------------------------------------------------------------------ a real run

@pytest.fixture(scope="session")
def run_cwd(tmp_path_factory):
    return tiny_run(tmp_path_factory)


@pytest.mark.e2e
def test_report_of_a_real_run(run_cwd):
    folder = run_folder(run_cwd)
    md = (folder / "report.md").read_text()
    for s in SECTIONS:
        assert s in md, s
    assert_links_exist(folder, md)
    for png in folder.glob("*.png"):
        assert_png(png)
    assert {p.name for p in folder.glob("*.png")} == set(FIGURES.values())
    metrics = json.loads((folder / "metrics.json").read_text())
    results = json.loads(next((run_cwd / "artifacts").rglob("results.json")).read_text())
    assert set(results["methods"]) <= set(metrics["accuracy"])        # plus CompareMethods' ablations
    for m, r in results["methods"].items():
        assert f"{r['accuracy']:.1%}" in md, m
    assert set(metrics["alignment"]) == {"before", "after"}
    assert metrics["rejects"] == [] and "None:" in md
    for stage in ("TrainDIVAFN", "DumpFeatures", "ProjectSemantics", "FitClassifier", "BuildManifest"):
        assert f"| {stage} |" in md.split("## Parameters", 1)[1], stage


@pytest.mark.e2e
def test_before_training_features_come_from_the_initial_weights(run_cwd):
    path = next((run_cwd / "artifacts").rglob("features.h5"))
    with h5py.File(path) as f:
        for name in "FHG":
            assert f[name + "0"].shape == f[name].shape
            assert not np.allclose(f[name + "0"][()], f[name][()]), name
        F0, n = f["F0"][()], len(f["F0"])
    ckpt = torch.load(next((run_cwd / "artifacts").rglob("model.pt")), weights_only=True)
    model = train.build_model(ckpt["dims"], 0).eval()       # TrainDIVAFN's seed in TINY_CFG: the default 0
    with h5py.File(next((run_cwd / "artifacts").rglob("images.h5"))) as f:
        images = f["X"][:4]
    with torch.no_grad():
        assert np.allclose(model.f(torch.from_numpy(images)).numpy(), F0[:4], atol=1e-5)
    assert n >= 4


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed (apt-get install pandoc)")
def test_report_renders_to_html_with_its_images(run_cwd, tmp_path):
    folder = run_folder(run_cwd)
    html = tmp_path / "report.html"
    subprocess.run(["pandoc", "-s", "--metadata", "pagetitle=report", str(folder / "report.md"), "-o", str(html)],
                   check=True, timeout=120)
    text = html.read_text()
    for name in FIGURES.values():
        assert f'src="{name}"' in text, name
    assert_links_exist(folder, text)


def test_data_summary_counts_by_class_and_split():
    from pipeline.data.manifest import Item, Manifest
    m = Manifest("SYNTHETIC", ["A", "B"],
                 [Item("JPEGImages/a_1.jpg", "/d/Stanford40/JPEGImages/a_1.jpg", 0, "train")],
                 [Item("UCF-101/B/v1.avi", "/d/UCF101/UCF-101/B/v1.avi", 1, "test"),
                  Item("UCF-101/B/v2.avi", "/d/UCF101/UCF-101/B/v2.avi", 1, "train")])
    d = report.data_summary(m, 1)
    assert d["images"] == {"A": dict(train=1, test=0), "B": dict(train=0, test=0)}
    assert d["videos"]["B"] == dict(train=1, test=1)
    assert (d["image_root"], d["video_root"], d["split"]) == ("/d/Stanford40", "/d/UCF101", 1)


def test_mean_cosines_tell_a_collapsed_modality_from_a_spread_one():
    rng = np.random.default_rng(0)
    spread = rng.normal(size=(400, 16))
    collapsed = 50 + rng.normal(size=(400, 16))        # a shared component 50× the rest, as ReLU outputs have
    cos = stats.mean_cosines(collapsed, spread.reshape(200, 2, 16), -spread)
    assert cos["F"] > 0.99 and cos["H"] < 0.05 and cos["G"] < 0.05
    pairwise = stats.unit_rows(collapsed) @ stats.unit_rows(collapsed).T
    assert np.isclose(cos["F"], pairwise.mean())


@pytest.mark.e2e
def test_feature_probe_reads_a_real_run_and_agrees_with_the_pipeline(run_cwd):
    """benchmarks/probe_features.py (the README's evidence for the method choices) on the run's own artifacts."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import probe_features
    art = run_cwd / "artifacts" / "SYNTHETIC"
    from pipeline.io import h5io
    semantic = next(p for p in art.glob("ProjectSemantics-*/semantic.h5") if h5io.attrs(p)["params"]["train_overrides"] == "{}")
    features, classnames = h5io.attrs(semantic)["inputs"]                 # the run's own, whatever else other tests wrote
    out = probe_features.main([str(run_cwd / features), str(run_cwd / classnames)])
    assert set(out) == {"y (raw video feature)", "before training", "after training"}
    metrics = json.loads((run_folder(run_cwd) / "metrics.json").read_text())
    assert out["after training"]["divafn"] == pytest.approx(metrics["accuracy"]["divafn"])
    assert out["y (raw video feature)"]["accuracy"] == pytest.approx(metrics["accuracy"]["video_only"])
    assert all(0 <= v <= 1 for v in out["before training"]["mean cosine F/H/G"])
