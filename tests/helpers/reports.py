"""Checks of a report folder (its links, its figures) and made-up runs to write reports of."""
import re
from pathlib import Path

import numpy as np
from matplotlib.image import imread

from pipeline import report

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


def fake_run(n_test=40, divafn_right=0.9, video_right=0.3, aligned=True, before=True, seed=0, others=None):
    """metrics (as RunExperiment fills it), results, features, history of a made-up run.

    others: {method name: fraction right} of further methods (e.g. divafn_untrained)."""
    rng = np.random.default_rng(seed)
    C, c, k = len(CLASSES), 8, 3
    y_test = np.arange(n_test) % C

    def predictions(frac):
        pred = y_test.copy()
        wrong = rng.permutation(n_test)[: int(round((1 - frac) * n_test))]
        pred[wrong] = (pred[wrong] + 1) % C
        return pred

    methods = {}
    for name, frac in (("divafn", divafn_right), ("video_only", video_right), *(others or {}).items()):
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
                   embedding="hashed character n-grams", weights={}, backbone="cnnf", device="cpu", code_version="0.1.0+gtest",
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
