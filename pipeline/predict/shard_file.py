"""A PredictShard's shard-XXX.h5 (kind `predictions`): its rows as arrays, and the join of every shard into rows."""
import numpy as np

from pipeline.io import h5io


def to_arrays(rows: list, keyframes: dict, first_row: int, top_k: int) -> dict:
    """rows (pipeline.predict.core) and {row index: (k, px, px, 3) keyframes} → the shard file's arrays; row indices
    in keyframe_rows count from the first video of the whole list (`first_row` is this shard's first)."""
    n = len(rows)
    classes, scores = np.full((n, top_k), "", dtype=object), np.full((n, top_k), np.nan)
    for i, r in enumerate(rows):
        for j, t in enumerate(r["top_k"][:top_k]):
            classes[i, j], scores[i, j] = t["class"], t["score"]
    kept = sorted(keyframes)
    strings = lambda key: np.array([r[key] for r in rows], dtype=object)
    return dict(path=strings("path"), predicted=strings("predicted"),
                score=np.array([np.nan if r["score"] is None else r["score"] for r in rows], np.float64),
                top_k_classes=classes, top_k_scores=scores, reason=strings("reason"),
                keyframes=np.stack([keyframes[i] for i in kept]) if kept else np.zeros((0, 0, 0, 0, 3), np.uint8),
                keyframe_rows=np.array([first_row + i for i in kept], np.int64))


def join(paths) -> tuple:
    """(rows, {row index: keyframes}) of shard files `paths`, in shard order."""
    rows, kept = [], {}
    for path in paths:
        a = h5io.read(path, "predictions")
        for i in range(len(a["path"])):
            top = [{"class": str(c), "score": float(s)}
                   for c, s in zip(a["top_k_classes"][i], a["top_k_scores"][i]) if c]
            score = float(a["score"][i])
            rows.append(dict(path=str(a["path"][i]), predicted=str(a["predicted"][i]),
                             score=None if np.isnan(score) else score, top_k=top, reason=str(a["reason"][i])))
        kept.update({int(r): k for r, k in zip(a["keyframe_rows"], a["keyframes"])})
    return rows, kept
