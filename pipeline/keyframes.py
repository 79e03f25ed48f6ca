"""Keyframe selection: k still frames per video that stand for the video in the image domain.

The paper uses keyframes as the bridge between still images and videos, so a keyframe should look
like a typical still of the action, not a transition or blur. The video is cut into k equal temporal
segments (so the keyframes cover the whole clip, in order) and from each segment we keep the frame
nearest to the segment's mean grey thumbnail: the most representative frame, the least disturbed by
motion or a cut. Deterministic; one pass over the decoded stream; only the k chosen frames are
converted to RGB.
"""
import numpy as np

from .decode import Decoded, to_rgb
from .errors import DataError


def select(thumbs: np.ndarray, k: int) -> np.ndarray:
    """Indices (k,) of the keyframes among T thumbnails (T, h, w); raises DataError when T < k."""
    T = len(thumbs)
    if T < k:
        raise DataError(f"video has {T} frames, fewer than the {k} keyframes asked for")
    x = thumbs.reshape(T, -1).astype(np.float32)
    bounds = np.linspace(0, T, k + 1).round().astype(int)
    idx = []
    for s, e in zip(bounds[:-1], bounds[1:]):
        seg = x[s:e]
        idx.append(s + int(np.argmin(((seg - seg.mean(0)) ** 2).sum(1))))
    return np.array(idx)


def extract(decoded: Decoded, k: int, size: int) -> tuple:
    """(k, size, size, 3) uint8 keyframes and their frame indices (k,)."""
    idx = select(decoded.thumbs, k)
    return np.stack([to_rgb(decoded.frames[i], size) for i in idx]), idx
