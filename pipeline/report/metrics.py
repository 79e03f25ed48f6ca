"""metrics.json's content before the report completes it: every fact of one run, read from its artifacts."""
import json
from pathlib import Path

from pipeline.data import accounting
from pipeline.data.manifest import Manifest
from pipeline.io import h5io, provenance
from pipeline.method import checkpoint
from pipeline.report import stats
from pipeline.report.write import data_summary


def collect(pair: str, seed: int, split: int, paths: dict, graph: dict) -> tuple:
    """(metrics, results, features, history) of one run, for `write_report`.

    paths: results (CompareMethods' results.json: every method), features (features.h5), semantic (semantic.h5),
    model (model.pt), manifest, classnames (classnames.h5), rejects (CheckRejects' rejects.json: every rejected item
    once); optionally chain_features: method → the features.h5 of the other chains CompareMethods trained (their
    alignment, `alignment_by_method`). graph: stage → (its parameters, its output paths), in data-flow order.
    """
    res = json.loads(Path(paths["results"]).read_text())
    feats = h5io.read(paths["features"], "features")
    ckpt = checkpoint.load(paths["model"])
    names = h5io.attrs(paths["classnames"])          # which embedding provider made S
    checked = accounting.read(paths["rejects"])
    classes, divafn = res["classes"], res["methods"]["divafn"]
    metrics = dict(
        pair=pair, seed=seed, classes=classes,
        n_train_videos=int((feats["video_split"] == "train").sum()),
        n_test_videos=int((feats["video_split"] == "test").sum()),
        n_images=int(len(feats["image_labels"])), chance=1.0 / len(classes),
        accuracy={k: v["accuracy"] for k, v in res["methods"].items()},
        per_class_accuracy=dict(zip(classes, divafn["per_class"])),
        confusion=divafn["confusion"], lambdas=h5io.attrs(paths["semantic"])["lambdas"],
        lambda_at_edge=h5io.attrs(paths["semantic"]).get("lambda_at_edge") or {},
        lambda_edge_ties=list(h5io.attrs(paths["semantic"]).get("lambda_edge_ties") or []),
        embedding=names.get("embedding", "hashed character n-grams (no word vectors file)"),
        embedding_provider=names.get("provider", "hashed_ngrams"),
        embedding_missing_words=names.get("missing_words") or {},
        weights=checkpoint.weights_record(ckpt), backbone=ckpt["dims"]["backbone"], weights_path=ckpt["pretrained"],
        device=(ckpt.get("provenance") or {}).get("device"),
        data=data_summary(Manifest.from_json(paths["manifest"]), split, checked["rejects"]),
        rejects=[dict(r, source=", ".join(r["stages"])) for r in checked["rejects"]],
        warnings=checked["warnings"],
        parameters={family: params for family, (params, _) in graph.items()},
        artifacts={family: outputs for family, (_, outputs) in graph.items()},
        code_version=provenance.code_version())
    if paths.get("chain_features"):
        metrics["alignment_by_method"] = alignment_by_method(feats, paths["chain_features"], len(classes))
    return metrics, res, feats, ckpt.get("history") or []


def alignment_by_method(feats: dict, chain_features: dict, n_classes: int) -> dict:
    """method → stats.alignment_scores of its trained features: divafn's (feats), then each chain's features.h5,
    on the same test videos."""
    test = feats["video_split"].astype(str) == "test"
    out = {}
    keys = ["F", "H", "G", "image_labels", "video_labels"]
    for name, f in [("divafn", feats), *((m, h5io.read(p, "features", keys)) for m, p in chain_features.items())]:
        out[name] = stats.alignment_scores(f["F"], f["H"], f["G"], f["image_labels"], f["video_labels"], test,
                                           n_classes)
    return out
