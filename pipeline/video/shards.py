"""One shard of the video stages: every video decoded once, bad videos recorded as rejects, not fatal.

A shard's output keeps rows only for the videos it could use; the others go to its `rejects` dataset,
one row (video id, reason, shard file) each, which `pipeline.inspect.read_rejects` and the report read.
Later stages use the videos accepted by both the keyframe and the video-feature shards
(pipeline.io.assemble.video_arrays). A shard that rejects more than `max_reject_fraction` of its videos
fails with DataError: checked per shard, so a run that completes has rejected at most that fraction.
"""
import numpy as np

from pipeline.errors import DataError
from pipeline.video.appearance import DIM as appearance_dim
from pipeline.video.decode import VideoError, scan
from pipeline.video.motion import dim as motion_dim
from pipeline.video.motion import motion_descriptor


def rejects_array(rejects: list, source: str) -> np.ndarray:
    """(n, 3) str rows [video id, reason, shard file]."""
    return np.array([[i, r, source] for i, r in rejects], dtype=str).reshape(len(rejects), 3)


def check_rejects(rejects: list, n_videos: int, max_fraction: float, source: str, task: str) -> None:
    if n_videos and len(rejects) > max_fraction * n_videos:
        shown = "; ".join(f"{i}: {r}" for i, r in rejects[:3])
        raise DataError(
            f"{source}: {len(rejects)} of {n_videos} videos of this shard ({100 * len(rejects) / n_videos:.1f}%) "
            f"could not be used, more than max_reject_fraction={max_fraction} allows (e.g. {shown}). "
            f"Repair or remove the broken files (then rebuild the manifest), or raise the limit with "
            f"--{task}-max-reject-fraction (luigi.cfg [{task}] max_reject_fraction).")


def keyframe_shard(videos, k: int, size: int, motion=None, appearance=None, pool_frames: int = 0,
                   progress=lambda i, n: None) -> tuple:
    """Keyframes of `videos` (manifest Items), and in the same decoding pass the offline video features.

    motion: (grid, bins) of pipeline.video.motion.motion_descriptor, or None. appearance: a
    pipeline.video.appearance.PooledAppearance applied to `pool_frames` evenly spread frames (S×S), or None.
    Returns (arrays, rejects): arrays K (n, k, S, S, 3) uint8, frame_index (n, k), ids (n,), Y (n, D) float32
    when `motion`, A (n, 1280) float32 when `appearance`, for the n accepted videos in input order;
    rejects [(id, reason)].
    """
    K, index, ids, Y, A, rejects = [], [], [], [], [], []
    n_clip = pool_frames if appearance is not None else 0
    for i, v in enumerate(videos):
        try:
            s = scan(v.path, keyframes=k, size=size, thumbs=bool(motion), min_frames=2 if motion else 1,
                     clip_frames=n_clip, clip_size=(size, size))
            if motion:
                Y.append(motion_descriptor(s.thumbs, *motion))
            if n_clip:
                A.append(appearance(s.clip))
        except VideoError as e:
            rejects.append((v.id, e.reason))
        else:
            K.append(s.keyframes)
            index.append(s.key_index)
            ids.append(v.id)
        progress(i + 1, len(videos))
    arrays = dict(K=np.stack(K) if K else np.empty((0, k, size, size, 3), np.uint8),
                  frame_index=np.array(index, np.int64).reshape(len(ids), k), ids=np.array(ids, dtype=str))
    if motion:
        arrays["Y"] = np.stack(Y) if Y else np.empty((0, motion_dim(*motion)), np.float32)
    if n_clip:
        arrays["A"] = np.stack(A) if A else np.empty((0, appearance_dim), np.float32)
    return arrays, rejects


def clip_shard(videos, clip_frames: int, clip_size=(171, 128), progress=lambda i, n: None):
    """Yield (id, clip (n, h, w, 3) uint8) of each usable video, or (id, VideoError) of each unusable one."""
    for i, v in enumerate(videos):
        try:
            yield v.id, scan(v.path, clip_frames=clip_frames, clip_size=clip_size, thumbs=False).clip
        except VideoError as e:
            yield v.id, e
        progress(i + 1, len(videos))
