"""A run's report folder: the figures, report.md (for people) and metrics.json, run.json (for machines)."""
import json
import os
from pathlib import Path

import numpy as np

from pipeline.report import figures, stats
from pipeline.report.markdown import markdown

FIGURES = dict(confusion="confusion.png", curves="training_curves.png", projection="projection.png")


def data_summary(manifest, split: int, rejects=()) -> dict:
    """Per-class counts of the images and videos a pipeline.data.manifest.Manifest holds, by split, less the
    `rejects` (CheckRejects' entries: {modality, id, ...}), and where each dataset lies."""
    left_out = {(r["modality"], r["id"]) for r in rejects}

    def counts(items, modality):
        c = {name: dict(train=0, test=0) for name in manifest.classes}
        for it in items:
            if (modality, it.id) in left_out:
                continue
            row = c[manifest.classes[it.label]]
            row[it.split] = row.get(it.split, 0) + 1
        return c

    def root(items):   # an item's path is <dataset root>/<id>
        return os.path.commonpath([it.path[:-len(it.id)] or "." for it in items]) if items else "?"
    out = dict(images=counts(manifest.images, "image"), videos=counts(manifest.videos, "video"),
               image_root=root(manifest.images), video_root=root(manifest.videos), split=split)
    if manifest.ignored:          # a pair file's tree: how many hidden and non-media files were not used, per side
        out["ignored"] = {side: len(paths) for side, paths in manifest.ignored.items()}
    return out


def write_report(folder, metrics: dict, results: dict, features: dict, history: list) -> dict:
    """Draw the figures into `folder`, complete `metrics` (figures, alignment, tests, training) and write report.md.

    results: results.json's content (per method: accuracy, per_class, confusion, predicted; test_labels).
    features: features.h5's arrays (F, H, G, image_labels, video_labels, video_split; F0, H0, G0 when present).
    history: model.pt's per-epoch loss terms. Returns the completed metrics (also for metrics.json).
    """
    folder = Path(folder)
    classes, C = metrics["classes"], len(metrics["classes"])
    methods = results["methods"]
    y_test = np.asarray(results["test_labels"])
    right = {m: np.asarray(r["predicted"]) == y_test for m, r in methods.items()}
    tests = {}
    if "divafn" in right:
        tests["divafn_above_chance_p"] = stats.above_chance_p(int(right["divafn"].sum()), len(y_test),
                                                              metrics["chance"])
        for m in sorted(right):           # McNemar on the same test videos, divafn against every other method
            if m != "divafn":
                tests[f"divafn_vs_{m}_p"] = stats.mcnemar_p(right["divafn"], right[m])
    metrics.update(tests=tests, per_class_by_method={m: r["per_class"] for m, r in methods.items()},
                   n_test_per_class=np.bincount(y_test, minlength=C).tolist())

    figs = {}
    figures.plot_confusion({m: r["confusion"] for m, r in sorted(methods.items(), key=lambda kv: kv[0] != "divafn")},
                   classes, folder / FIGURES["confusion"], {m: r["accuracy"] for m, r in methods.items()})
    figs["confusion"] = FIGURES["confusion"]
    terms = figures.plot_training_curves(history, folder / FIGURES["curves"])
    figs["curves"] = FIGURES["curves"]
    metrics["training"] = dict(epochs=len(history), seconds=float(sum(h.get("seconds", 0) for h in history)),
                               device=metrics.get("device"),
                               terms={t: dict(first=history[0][t], last=history[-1][t]) for t in terms})

    y_F, y_V = np.asarray(features["image_labels"]), np.asarray(features["video_labels"])
    test = np.asarray(features["video_split"]).astype(str) == "test"
    stages = {}
    if all(k in features for k in ("F0", "H0", "G0")):
        stages["before"] = (features["F0"], features["H0"], features["G0"])
    stages["after"] = (features["F"], features["H"], features["G"])
    points = {s: stats.drawn_points(*arrays, y_F, y_V, seed=metrics.get("seed", 0)) for s, arrays in stages.items()}
    neighbours = {s: stats.modality_neighbours(p) for s, p in points.items()}
    explained = figures.plot_projection(points, classes, folder / FIGURES["projection"], neighbours)
    figs["projection"] = FIGURES["projection"]
    metrics["alignment"] = {s: stats.alignment_scores(*arrays, y_F, y_V, test, C) for s, arrays in stages.items()}
    metrics["modality_neighbours"] = neighbours
    metrics["feature_cosines"] = {s: stats.mean_cosines(*arrays) for s, arrays in stages.items()}
    metrics["projection_variance_explained"] = explained
    metrics["projection_points"] = {key: dict(drawn=len(Z), of=total) for key, Z, _, total in points["after"]}

    metrics["figures"] = figs
    (folder / "report.md").write_text(markdown(metrics))
    return metrics


def write_metrics(folder, metrics: dict) -> None:
    """metrics.json: the run's results, identical for one seed and configuration on one machine; and run.json:
    what differs between two such runs (wall time, where the data and the ImageNet weights file were read from, the
    device)."""
    metrics = json.loads(json.dumps(metrics, default=_json_default))
    run = dict(training_seconds=metrics.get("training", {}).pop("seconds", None), device=metrics.pop("device", None),
               image_root=metrics.get("data", {}).pop("image_root", None),
               video_root=metrics.get("data", {}).pop("video_root", None),
               weights_path=metrics.pop("weights_path", None))
    Path(folder, "metrics.json").write_text(json.dumps(metrics, indent=1))
    Path(folder, "run.json").write_text(json.dumps(run, indent=1))


def _json_default(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")
