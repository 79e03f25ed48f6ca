"""Video decoding with PyAV: one threaded pass per video that yields everything the video stages need.

`scan(path, ...)` decodes the first video stream once and, while decoding, computes
  - selection thumbnails (T, 48, 64) uint8 of every frame, for keyframe selection: the decoded luma plane
    read in place and sampled on a 64×48 grid (a strided numpy view, ~5 µs a frame; no conversion);
  - the k keyframes as (k, S, S, 3) uint8 RGB (pipeline.video.keyframes chooses them, segment by segment);
  - optionally grey thumbnails (T, 48, 64) uint8 scaled by libswscale, the motion descriptor's input
    (~60 µs a frame at 320×240, a third of the decoding time, so only when the feature is wanted);
  - optionally a clip of n frames sampled uniformly over the video, RGB at the size a 3D CNN wants.
Only the frames kept are converted to RGB, at the size needed, by libswscale through one cached
`VideoReformatter` per video (PyAV's `frame.to_ndarray(width=..)` builds a new SwsContext for every frame,
which costs ten times the decoding itself); there is no Python-level per-pixel work. Decoding is threaded
(`thread_type = "AUTO"`: frame and slice threads).

Frames are not all kept: the pass plans with the frame count the container states (AVI header, MP4
sample table), holds only the frames of the current keyframe segment (T/k frames) and drops them once
that segment's keyframe is converted. When the decoded count differs from the stated one (no count, or a
slightly wrong header), a second pass with the true count gives the same result as if it had been known.

A video the pipeline cannot use raises `VideoError` (a DataError) whose `reason` the shard tasks record in
their rejects list: an empty file, a file that is not a video, no video stream, a decoding error, a
truncated file (fewer frames decodable than the container states), or fewer frames than needed.
"""
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from pipeline.errors import DataError

THUMB_SIZE = (64, 48)          # (width, height) of the grey and the selection thumbnails
# 8-bit pixel formats whose first plane is the luma (Y) at full resolution: read in place for selection.
LUMA_FORMATS = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p", "yuvj440p",
                "yuv411p", "yuv410p", "nv12", "nv21", "gray"}
TRUNCATION_TOLERANCE = 0.02    # fewer decodable frames than stated by more than this (and 2 frames): truncated
_DECODE_ERRORS = (av.FFmpegError, OSError, UnicodeDecodeError, EOFError)


class VideoError(DataError):
    """A video that cannot be used; `reason` is one line without the path (the rejects list adds it)."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


@dataclass
class Scan:
    n_frames: int                   # T, frames decoded
    fps: float
    sel: np.ndarray                 # (T, 48, 64) uint8 selection thumbnails (sampled luma), or None when k == 0
    thumbs: np.ndarray              # (T, 48, 64) uint8 libswscale grey thumbnails of every frame, or None
    keyframes: np.ndarray           # (k, S, S, 3) uint8 RGB, or None when k == 0
    key_index: np.ndarray           # (k,) frame numbers of the keyframes
    clip: np.ndarray                # (n, h, w, 3) uint8 RGB sampled uniformly over the video, or None
    clip_index: np.ndarray          # (n,) frame numbers of the clip's frames


def segment_bounds(T: int, k: int) -> np.ndarray:
    """(k+1,) bounds of k equal temporal segments of T frames; segment j is frames [b_j, b_{j+1})."""
    return (np.arange(k + 1) * T) // k


def clip_indices(T: int, n: int) -> np.ndarray:
    """(n,) frame numbers of n frames spread uniformly over T (repeats when T < n)."""
    return np.linspace(0, T - 1, n).round().astype(np.int64)


def stated_frames(path) -> int:
    """The frame count the container states for its first video stream (0 when it states none)."""
    with av.open(str(path)) as c:
        return int(c.streams.video[0].frames or 0) if c.streams.video else 0


class LumaSampler:
    """(48, 64) uint8 luma samples of a frame on a fixed grid (cell centres), read from the decoded plane."""

    def __init__(self, gray: VideoReformatter):
        self.key, self.gray = None, gray

    def __call__(self, frame) -> np.ndarray:
        key = (frame.format.name, frame.width, frame.height)
        if key != self.key:
            self.key = key
            w, h = THUMB_SIZE
            self.rows = _as_slice((np.arange(h) * frame.height + frame.height // 2) // h)
            self.cols = _as_slice((np.arange(w) * frame.width + frame.width // 2) // w)
            self.luma = key[0] in LUMA_FORMATS
        if not self.luma:       # other formats: let libswscale make a grey frame at full size first
            frame = self.gray.reformat(frame, frame.width, frame.height, "gray")
        plane = frame.planes[0]
        a = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        if isinstance(self.rows, slice) and isinstance(self.cols, slice):
            return a[self.rows, self.cols].copy()              # a strided view, copied: 3 KB
        return a[self.rows][:, self.cols]


def _as_slice(idx: np.ndarray):
    """The same indices as a slice when they are evenly spaced (the usual case: 320×240 → every 5th)."""
    step = idx[1] - idx[0] if len(idx) > 1 else 1
    if step > 0 and (np.diff(idx) == step).all():
        return slice(int(idx[0]), int(idx[-1]) + 1, int(step))
    return idx


def scan(path, keyframes: int = 0, size: int = 224, clip_frames: int = 0, clip_size=(171, 128),
         thumbs: bool = False, min_frames: int = 1, pick=None) -> Scan:
    """Decode `path` once (twice only when its stated frame count is wrong); see the module docstring.

    keyframes: k (0: none); size: keyframe side S; clip_frames: n (0: no clip); clip_size: (w, h) of the
    clip's frames; thumbs: also the libswscale grey thumbnails (motion descriptor); min_frames: fewer frames
    raise VideoError; pick: `pick(seg_thumbs) -> index` that chooses a segment's keyframe
    (default: pipeline.video.keyframes.pick_in_segment).
    """
    if pick is None:
        from pipeline.video.keyframes import pick_in_segment as pick
    path = Path(path)
    try:
        n_bytes = path.stat().st_size
    except OSError as e:
        raise VideoError(path, f"cannot be read ({e.strerror or e})") from None
    if n_bytes == 0:
        raise VideoError(path, "empty file (0 bytes)")
    need = max(min_frames, keyframes, 1)
    result = _pass(path, None, keyframes, size, clip_frames, clip_size, thumbs, need, pick)
    if isinstance(result, int):                       # planned with a wrong count: redo with the true one
        result = _pass(path, result, keyframes, size, clip_frames, clip_size, thumbs, need, pick)
        if isinstance(result, int):
            raise VideoError(path, f"decodes to a different number of frames on each pass ({result})")
    return result


def _pass(path, T, k, size, n_clip, clip_size, keep_thumbs, need, pick):
    """One decoding pass planned for T frames (None: the stated count). Returns a Scan, or the true
    frame count when the plan's count turned out wrong (the caller then passes again with it)."""
    gray, rgb = VideoReformatter(), VideoReformatter()
    sample = LumaSampler(VideoReformatter())
    thumbs, sel, held, kf, key_idx, clip = [], [], [], [], [], {}
    i = 0
    try:
        container = av.open(str(path))
    except _DECODE_ERRORS as e:
        raise VideoError(path, f"not a decodable video ({type(e).__name__}: {e})") from None
    with container:
        if not container.streams.video:
            raise VideoError(path, "has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"                   # frame + slice threads
        fps = float(stream.average_rate or 25)
        stated = int(stream.frames or 0)
        plan = T if T is not None else stated
        planned = plan >= need
        if planned:
            bounds = segment_bounds(plan, k) if k else np.array([plan + 1])
            want = clip_indices(plan, n_clip) if n_clip else np.empty(0, np.int64)
            wanted = set(want.tolist())
            seg = 0
        try:
            for frame in container.decode(stream):
                if keep_thumbs:
                    thumbs.append(gray.reformat(frame, THUMB_SIZE[0], THUMB_SIZE[1], "gray").to_ndarray())
                if k:
                    sel.append(sample(frame))
                if planned:
                    if i >= plan:                     # more frames than planned: the plan was wrong
                        planned = False
                        held.clear()
                    else:
                        if i in wanted:
                            clip[i] = rgb.reformat(frame, clip_size[0], clip_size[1], "rgb24").to_ndarray()
                        if k:
                            held.append(frame)
                            if i == bounds[seg + 1] - 1:      # last frame of segment `seg`: choose, convert, drop
                                j = int(pick(np.stack(sel[bounds[seg]:i + 1])))
                                kf.append(rgb.reformat(held[j], size, size, "rgb24").to_ndarray())
                                key_idx.append(bounds[seg] + j)
                                held.clear()
                                seg += 1
                i += 1
        except _DECODE_ERRORS as e:
            raise VideoError(path, f"decoding failed after {i} frames ({type(e).__name__}: {e}); "
                                   f"the file is damaged or truncated") from None
    if i == 0:
        raise VideoError(path, "contains no decodable video frames")
    if stated and i < stated - max(2, TRUNCATION_TOLERANCE * stated):
        raise VideoError(path, f"truncated: {i} frames decodable of the {stated} its container states")
    if i < need:
        raise VideoError(path, f"has {i} frames, fewer than the {need} needed (keyframes per video: {k})")
    if i != plan:
        return i
    return Scan(n_frames=i, fps=fps, sel=np.stack(sel) if k else None, thumbs=np.stack(thumbs) if keep_thumbs else None,
                keyframes=np.stack(kf) if k else None, key_index=np.array(key_idx, np.int64),
                clip=np.stack([clip[j] for j in want]) if n_clip else None,
                clip_index=want if n_clip else np.empty(0, np.int64))


def raw_decode(path) -> int:
    """Decode every frame, threaded, with no conversion: the benchmark's floor. Returns the frame count."""
    n = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            n += 1
    return n


@dataclass
class Decoded:
    frames: list            # av.VideoFrame, in presentation order
    thumbs: np.ndarray      # (T, 48, 64) uint8 libswscale grey thumbnails of every frame
    fps: float


def decode(path) -> Decoded:
    """Every frame of `path` kept in memory (for inspection and tests; the stages use `scan`)."""
    frames, thumbs, gray = [], [], VideoReformatter()
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoError(path, "has no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            fps = float(stream.average_rate or 25)
            for frame in container.decode(stream):
                frames.append(frame)
                thumbs.append(gray.reformat(frame, THUMB_SIZE[0], THUMB_SIZE[1], "gray").to_ndarray())
    except _DECODE_ERRORS as e:
        raise VideoError(path, f"not a decodable video ({type(e).__name__}: {e})") from None
    if not frames:
        raise VideoError(path, "contains no decodable video frames")
    return Decoded(frames, np.stack(thumbs), fps)


def to_rgb(frame, size: int) -> np.ndarray:
    """(size, size, 3) uint8 RGB of one frame, resized (squashed) to a square like the still images."""
    return frame.to_ndarray(width=size, height=size, format="rgb24")
