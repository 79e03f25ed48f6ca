"""Join per-stage artifacts by item id into the arrays training and evaluation consume."""
import numpy as np

from .errors import DataError
from .manifest import Manifest
from .train import TrainData


def check_ids(found, expected, what: str, path: str = "") -> None:
    found, expected = np.asarray(found).astype(str), np.asarray(expected).astype(str)
    if found.shape != expected.shape or (found != expected).any():
        raise DataError(f"{path or what}: its items do not match the manifest ({len(found)} vs {len(expected)} ids); "
                        f"it belongs to another run. Delete it and re-run the stage that wrote it.")


def video_arrays(m: Manifest, keyframes: dict, video_features: dict) -> dict:
    """Keyframes K (n_vid, k, S, S, 3), raw features Y (n_vid, D), labels and splits, in manifest order."""
    ids = [v.id for v in m.videos]
    check_ids(keyframes["ids"], ids, "keyframe shards")
    check_ids(video_features["ids"], ids, "video feature shards")
    return dict(K=keyframes["K"], Y=video_features["Y"], labels=np.array([v.label for v in m.videos]),
                split=np.array([v.split for v in m.videos]), ids=np.array(ids))


def training_data(m: Manifest, images: dict, keyframes: dict, video_features: dict, S: np.ndarray,
                  use_keyframes: bool = True) -> TrainData:
    """All images (both splits: they are the labelled source), the training videos and their keyframes.

    use_keyframes=False (the no-keyframes ablation): K is empty, so every keyframe term of the loss is a
    sum over no items and vanishes (pipeline.train needs no other change).
    """
    check_ids(images["ids"], [it.id for it in m.images], "images")
    v = video_arrays(m, keyframes, video_features)
    train = v["split"] == "train"
    k = v["K"].shape[1] if use_keyframes else 0
    return TrainData(X=images["X"], y_X=images["labels"].astype(np.int64),
                     K=v["K"][train][:, :k].reshape(-1, *v["K"].shape[2:]), y_K=np.repeat(v["labels"][train], k).astype(np.int64),
                     Y=v["Y"][train], y_Y=v["labels"][train].astype(np.int64), S=S)
