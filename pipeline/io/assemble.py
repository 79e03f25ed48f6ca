"""Join per-stage artifacts by item id into the arrays training and evaluation consume.

The pictures (images X, keyframes K) stay in their files: `read_inputs` gives them as pipeline.io.rows.Rows,
which the joins below select from without reading, and training and the feature dump read a batch at a time.
Every function here also takes in-memory arrays in their place.
"""
from dataclasses import dataclass

import numpy as np

from pipeline.data.manifest import Manifest
from pipeline.errors import DataError
from pipeline.io import h5io
from pipeline.io.rows import Rows, first_keyframes, take


@dataclass
class TrainData:
    """Everything training sees: uint8 still images, float video features, integer labels, S (C, d).

    X and K are arrays or pipeline.io.rows.Rows (read from their HDF5 files a batch at a time).
    """
    X: np.ndarray        # (n_img, px, px, 3) uint8 images
    y_X: np.ndarray      # (n_img,)
    K: np.ndarray        # (n_kf, px, px, 3) uint8 keyframes of the training videos
    y_K: np.ndarray      # (n_kf,)
    Y: np.ndarray        # (n_vid, D) float32 video features of the training videos
    y_V: np.ndarray      # (n_vid,)
    S: np.ndarray        # (C, d) class embeddings, one row per class


def read_inputs(images_path, keyframe_paths, feature_paths) -> tuple:
    """(images, keyframes, video features) as dicts of PrepareImages' and the shards' datasets, with X and K as Rows."""
    images = h5io.read(images_path, "images", ["labels", "ids"])
    images["X"] = Rows.of_h5([images_path], "X", "images")
    keyframes = h5io.read_shards(keyframe_paths, "keyframes", skip=("K",))
    keyframes["K"] = Rows.of_h5(keyframe_paths, "K", "keyframes")
    return images, keyframes, h5io.read_shards(feature_paths, "video_features")


def read_training_inputs(manifest_path, images_path, keyframe_paths, feature_paths) -> tuple:
    """(manifest, images, keyframes, video features): what TrainDIVAFN trains on and DumpFeatures passes through the
    trained networks, read as `read_inputs` reads them (X and K as Rows), not yet joined."""
    return Manifest.from_json(manifest_path), *read_inputs(images_path, keyframe_paths, feature_paths)


def check_ids(found, expected, what: str, path: str = "") -> None:
    found, expected = np.asarray(found).astype(str), np.asarray(expected).astype(str)
    if found.shape != expected.shape or (found != expected).any():
        raise DataError(f"{path or what}: its items do not match the manifest ({len(found)} vs {len(expected)} ids); "
                        f"it belongs to another run. Delete it and re-run the stage that wrote it.")


def image_arrays(m: Manifest, images: dict, path: str = "images") -> dict:
    """`images` (PrepareImages' arrays: the usable images) after checking that their ids are manifest images,
    in manifest order (the others were rejected: CheckRejects has accounted for each)."""
    got = [str(i) for i in np.asarray(images["ids"]).astype(str)]
    order = {it.id: r for r, it in enumerate(m.images)}
    rows = [order.get(i, -1) for i in got]
    if -1 in rows or rows != sorted(set(rows)):
        example = got[rows.index(-1)] if -1 in rows else got[0]
        raise DataError(f"{path}: its images are not the manifest's, in its order (e.g. {example}); "
                        f"it was written by older code or for another manifest. Delete it and re-run PrepareImages.")
    return images


def _accounted(shards: dict, ids: list, what: str) -> set:
    """The ids a stage's shards accepted; each manifest video must be accepted or rejected, nothing else."""
    got = np.asarray(shards["ids"]).astype(str)
    rejected = set(np.asarray(shards["rejects"])[:, 0].astype(str)) if len(shards.get("rejects", ())) else set()
    known = set(ids)
    missing = sorted(known - set(got) - rejected)
    if len(set(got)) != len(got) or not set(got) <= known or not rejected <= known or missing:
        what_is_wrong = (f"{len(missing)} of the manifest's {len(ids)} videos are neither used nor rejected in them "
                         f"(e.g. {missing[0]})" if missing
                         else "they hold videos that are not the manifest's, or one twice")
        raise DataError(f"{what}: {what_is_wrong}; they were written by older code or for another manifest. "
                        f"Delete their folder and run again.")
    return set(got)


def video_arrays(m: Manifest, keyframes: dict, video_features: dict) -> dict:
    """Keyframes K (n_vid, k, px, px, 3), raw features Y (n_vid, D), labels and splits, in manifest order.

    The videos are those that both the keyframe and the video-feature shards accepted: a video rejected by
    either (its `rejects` dataset) is left out of every later stage.
    """
    ids = [v.id for v in m.videos]
    ok = _accounted(keyframes, ids, "keyframe shards") & _accounted(video_features, ids, "video feature shards")
    videos = [v for v in m.videos if v.id in ok]
    kept = [v.id for v in videos]
    row_k = {i: r for r, i in enumerate(np.asarray(keyframes["ids"]).astype(str))}
    row_y = {i: r for r, i in enumerate(np.asarray(video_features["ids"]).astype(str))}
    ik = np.array([row_k[i] for i in kept], np.int64)
    iy = np.array([row_y[i] for i in kept], np.int64)
    K = keyframes["K"] if np.array_equal(ik, np.arange(len(keyframes["K"]))) else take(keyframes["K"], ik)
    Y = video_features["Y"] if np.array_equal(iy, np.arange(len(video_features["Y"]))) else video_features["Y"][iy]
    return dict(K=K, Y=Y, labels=np.array([v.label for v in videos], np.int64),
                split=np.array([v.split for v in videos]), ids=np.array(kept))


def training_data(m: Manifest, images: dict, keyframes: dict, video_features: dict, S: np.ndarray,
                  use_keyframes: bool = True) -> TrainData:
    """All usable images (both splits: they are the labelled source), the training videos and their keyframes.

    use_keyframes=False (the no-keyframes ablation): K is empty, so every keyframe term of the loss is a
    sum over no items and vanishes (pipeline.method.train needs no other change).
    """
    image_arrays(m, images)
    v = video_arrays(m, keyframes, video_features)
    train = v["split"] == "train"
    k = v["K"].shape[1] if use_keyframes else 0
    return TrainData(X=images["X"], y_X=images["labels"].astype(np.int64),
                     K=first_keyframes(take(v["K"], np.flatnonzero(train)), k),
                     y_K=np.repeat(v["labels"][train], k).astype(np.int64),
                     Y=v["Y"][train], y_V=v["labels"][train].astype(np.int64), S=S)
