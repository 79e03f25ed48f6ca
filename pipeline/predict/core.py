"""Prediction for new videos with a trained chain: the pipeline's own steps, applied to files outside the dataset.

For each video, exactly what the experiment did to its own videos, by the same functions:
  keyframes and the offline video feature in one decoding pass (pipeline.video.shards.keyframe_shard, with
  ExtractKeyframes' settings), then the video feature y by shards.feature_shard, as ExtractVideoFeatures;
  H = f(keyframes), G = g(y) through the trained networks (pipeline.method.features.dump, DumpFeatures' forward);
  SH, SG, SE by W_H, W_G, W_E with their μ (pipeline.method.semantics.semantic_features, ProjectSemantics');
  the classifier's scaler and SVM on [SH ; SG ; SE] (pipeline.evaluation.classifier, FitClassifier's, rebuilt
  from classifier.h5).
The videos go through in chunks of `batch`: memory is bounded by one chunk (its keyframes and features), whatever
the number of videos. A file that cannot be used (empty, not a video, too few frames) gets a row with its reason and
the rest goes on. Every prediction is one of the classes the classifier was trained on.
"""
from types import SimpleNamespace

import numpy as np

from pipeline.errors import DataError
from pipeline.text import count
from pipeline.video.extractors import offline_datasets

COLUMNS = ("path", "predicted", "score", "top_k", "reason")


class Predictor:
    """The loaded chain: `Predictor(chain, device)(paths)` → rows. Loading (the networks, the arrays, an appearance or
    3D CNN backbone when the run's feature needs one) is the fixed start-up; each video then costs its decoding pass
    and one forward pass."""

    def __init__(self, chain, device="auto"):
        from pipeline.evaluation import classifier
        from pipeline.io import h5io
        from pipeline.method import checkpoint
        from pipeline.method.train import resolve_device
        s = self.settings = chain.settings
        self.chain, self.device = chain, resolve_device(device)
        self.offline = offline_datasets(s["extractor"])
        if s["extractor"] == "precomputed":
            raise DataError(f"{chain.source}: its video feature was imported from a file (extractor precomputed), "
                            f"which has no rows for new videos; predict with a run whose extractor computes the "
                            f"feature (--ExtractVideoFeatures-extractor default, appearance, or a 3D CNN).")
        if "A" in self.offline and not s["pool_frames"]:
            raise DataError(f"{chain.source}: extractor {s['extractor']} needs the appearance feature, but the run's "
                            f"ExtractKeyframes pool_frames is 0; the run is inconsistent: rerun it.")
        self.model = checkpoint.load_model(chain.model).eval()
        self.W = h5io.read(chain.semantic, "semantic", ["W_H", "W_G", "W_E", "mu_H", "mu_G", "mu_E"])
        attrs = h5io.attrs(chain.classifier)
        self.svm = classifier.from_arrays(h5io.read(chain.classifier, "classifier", list(classifier.ARRAYS)),
                                          attrs["scaling"])
        self.classes = list(attrs["classes"])
        self.appearance = self.cnn = None
        if s["pool_frames"]:
            from pipeline.video.appearance import PooledAppearance
            self.appearance = PooledAppearance(s["image_size"], self.device)
        if not self.offline:
            from pipeline.video import cnn3d
            self.cnn = cnn3d.build(s["extractor"], s["weights"], s["allow_random_weights"])

    def features(self, paths) -> tuple:
        """(keyframes (n, k, px, px, 3) uint8, y (n, D) float32, used: indices into `paths`, reasons {index:
        reason})."""
        from pipeline.video import shards
        s = self.settings
        items = [SimpleNamespace(id=str(i), path=str(p)) for i, p in enumerate(paths)]
        arrays, rejects, _ = shards.keyframe_shard(items, s["keyframes"], s["image_size"],
                                                   motion=(s["grid"], s["bins"]), appearance=self.appearance,
                                                   pool_frames=s["pool_frames"])
        used = [int(i) for i in arrays["ids"]]
        y, y_rejects, _ = shards.feature_shard(s["extractor"], [items[i] for i in used], arrays, self.cnn, self.device,
                                               s["clip_frames"])
        reasons = {int(i): reason for i, reason in [*rejects, *y_rejects]}
        keep = [used.index(int(i)) for i in y["ids"]]         # the videos both passes could use
        return arrays["K"][keep], y["Y"], [used[j] for j in keep], reasons

    def classify(self, K: np.ndarray, Y: np.ndarray) -> tuple:
        """(predicted class indices (n,), class indices the SVM knows (m,), their scores (n, m)) of n videos."""
        from pipeline.evaluation import classifier, methods
        from pipeline.method import features, semantics
        px = self.settings["image_size"]
        out = features.dump(self.model, np.empty((0, px, px, 3), np.uint8), K, Y, self.device)
        h = features.pool_keyframes(out["H"], self.settings["keyframe_pooling"])
        X, _ = methods.stack(methods.divafn_features(semantics.semantic_features(h, out["G"], self.W)))
        known, scores = classifier.class_scores(self.svm, X)
        return self.svm.predict(X), known, scores

    def __call__(self, paths, top_k: int = 5, batch: int = 32, progress=lambda i, n: None, keep_keyframes: int = 0):
        """Rows (one dict per path, in order: COLUMNS) and {index: keyframes} of the first `keep_keyframes` paths."""
        rows, kept = [], {}
        for start in range(0, len(paths), batch):
            chunk = list(paths[start:start + batch])
            K, Y, used, reasons = self.features(chunk)
            pred, known, scores = self.classify(K, Y) if used else ([], [], np.zeros((0, 0)))
            by_index = dict(zip(used, range(len(used))))
            for i, p in enumerate(chunk):
                if i in by_index:
                    j = by_index[i]
                    order = np.argsort(-scores[j], kind="stable")[:top_k]
                    top = [{"class": self.classes[int(known[o])], "score": round(float(scores[j, o]), 6)}
                           for o in order]
                    score = float(scores[j, list(known).index(pred[j])])
                    rows.append(dict(path=str(p), predicted=self.classes[int(pred[j])], score=round(score, 6),
                                     top_k=top, reason=""))
                    if start + i < keep_keyframes:
                        kept[start + i] = K[j]
                else:
                    rows.append(dict(path=str(p), predicted="", score=None, top_k=[],
                                     reason=reasons.get(i, "not used")))
            progress(min(start + batch, len(paths)), len(paths))
        return rows, kept


def outcome(rows: list) -> tuple:
    """(how many of `rows` were classified, the one line that says it): "3 of 5 videos classified; 2 could not be used
    (empty file: 1, not a video file: 1) …". Reasons are counted by their words before any parenthesis."""
    used = sum(not r["reason"] for r in rows)
    line = f"{used} of {count(len(rows), 'video')} classified"
    if used == len(rows):
        return used, line + "."
    kinds = {}
    for r in rows:
        if r["reason"]:
            kind = r["reason"].split(" (")[0]
            kinds[kind] = kinds.get(kind, 0) + 1
    why = ", ".join(f"{k}: {n}" for k, n in kinds.items())
    if not used:
        return used, (f"{line}: none could be used ({why}; the reason column says why for each); give video files "
                      f"that PyAV can decode.")
    return used, f"{line}; {len(rows) - used} could not be used ({why}; the reason column says why for each)."


def predict(run_folder, paths, top_k: int = 5, device="auto", batch: int = 32, progress=lambda i, n: None) -> list:
    """Predictions for `paths` (video files, folders searched recursively, .txt lists) with the trained chain of the
    RunExperiment folder `run_folder`: one dict per video file (COLUMNS: path, predicted class name, its SVM score,
    top_k [{class, score}], reason: empty unless the file could not be used)."""
    from pipeline.predict.chain import from_run
    from pipeline.predict.inputs import find_videos
    chain = from_run(run_folder)
    videos = find_videos(paths)
    return Predictor(chain, device)(videos, top_k, batch, progress)[0]
