"""Keyframe selection: k still frames per video that stand for the video in the image domain.

How many: k per video, the `keyframes` parameter of ExtractKeyframes (a shared setting, 3 by default: --keyframes).

How they are chosen. In DIVAFN the keyframes are the bridge between the two domains: still frames, hence
fed to the same image network f as the photos, but of the video domain. A good keyframe is therefore
(i) a typical view of the video, the kind of still a photographer of the action would take, not a
transition, a fade or a motion-blurred instant, and (ii) one of k views that together cover the clip,
since an action's appearance changes over its course. We cut the video into k equal temporal segments
(frames [⌊jT/k⌋, ⌊(j+1)T/k⌋), j = 0..k-1: coverage, in order) and keep from each segment its medoid-like
frame: the frame whose 64×48 thumbnail (its luma sampled on a grid, pipeline.video.decode.LumaSampler) is
nearest (L2) to the segment's mean thumbnail. This is
k-means-style clustering of cheap frame descriptors with the clusters constrained to be contiguous in
time; choosing the frame nearest the cluster centre picks the most representative, least disturbed frame
(a cut, a flash or fast motion moves a frame away from the mean). Unlike content-change scoring (shot
detection), it needs no threshold and always returns exactly k frames, also for single-shot clips such as
UCF101's.

Deterministic: the thumbnails are decoded luma samples, the segment bounds and the argmin (first minimum
on ties) are exact functions of them. Cost: it is computed while decoding (pipeline.video.decode.scan),
each segment when its last frame is decoded; only the k chosen frames are converted to RGB.
"""
import numpy as np

from pipeline.errors import DataError
from pipeline.video.decode import segment_bounds


def pick_in_segment(seg_thumbs: np.ndarray) -> int:
    """Index, within one segment's (n, h, w) uint8 thumbnails, of the frame nearest their mean."""
    x = seg_thumbs.reshape(len(seg_thumbs), -1).astype(np.float32)      # (n, h·w)
    x -= x.mean(0)
    return int(np.argmin(np.einsum("ij,ij->i", x, x)))                  # squared distances to the mean


def select(thumbs: np.ndarray, k: int) -> np.ndarray:
    """Indices (k,) of the keyframes among T thumbnails (T, h, w); raises DataError when T < k.

    The reference form of the selection (all thumbnails at once); decode.scan computes the same indices
    segment by segment while decoding.
    """
    T = len(thumbs)
    if T < k:
        raise DataError(f"video has {T} frames, fewer than the {k} keyframes asked for")
    b = segment_bounds(T, k)
    return np.array([s + pick_in_segment(thumbs[s:e]) for s, e in zip(b[:-1], b[1:])], np.int64)
