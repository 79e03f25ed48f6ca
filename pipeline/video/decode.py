"""Video decoding with PyAV: one threaded pass per video that yields everything the video stages need.

`scan(path, ...)` decodes the first video stream once and, while decoding, computes
  - selection thumbnails (T, 48, 64) uint8 of every frame, for keyframe selection: the decoded luma plane
    read in place and sampled on a 64×48 grid (a strided numpy view, ~5 µs a frame; no conversion);
  - the k keyframes as (k, px, px, 3) uint8 RGB (pipeline.video.keyframes chooses them, segment by segment);
  - optionally grey thumbnails (T, 48, 64) uint8 scaled by libswscale, the motion descriptor's input
    (~60 µs a frame at 320×240, a third of the decoding time, so only when the feature is wanted);
  - optionally a clip of n frames sampled uniformly over the video, RGB at the size a 3D CNN wants.
Only the frames kept are converted to RGB, at the size needed, by libswscale through one cached
`VideoReformatter` per video (PyAV's `frame.to_ndarray(width=..)` builds a new SwsContext for every frame,
which costs ten times the decoding itself); there is no Python-level per-pixel work. Decoding is threaded
(`thread_type = "AUTO"`: frame and slice threads).

Memory per video is bounded, whatever its length or resolution: the pass plans with the frame count the
container states (AVI header, MP4 sample table) and holds the decoded frames of the current keyframe segment
only up to MAX_HELD_BYTES (256 MiB; a 320×240 segment of 2300 frames, a 4K one of 20); a segment longer than
that is not held, and its keyframe is converted in a second pass that decodes up to it and converts only it.
What grows with the length T is two 64×48 uint8 thumbnails a frame (6 KB: 110 MB for 10 minutes at 30 fps);
the motion descriptor works on them in chunks (pipeline.video.motion). When the decoded count differs from the
stated one (no count, a wrong header, a damaged tail), a second pass with the true count gives the result the
right count would have given.

Use what decodes. A video raises `VideoError` (a DataError, whose `reason` the shard tasks record in their
rejects list) only when it cannot give what is asked: an empty file, a file that is not a video, no video
stream, fewer decodable frames than needed, or a decoding error before enough frames. A container that states
another frame count than decodes (a wrong header, a truncated file), or a decoding error after enough frames,
still gives its result, from the frames that decode, with a line in `Scan.warnings`. A decoding error is
counted again without threads (frame threads may report it a few frames late), so the frames used do not
depend on the machine's thread count.
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
MAX_HELD_BYTES = 256 * 2 ** 20  # decoded frames of one keyframe segment held at most (beyond: a second pass)
# libswscale on one thread: PyAV's default, a thread per CPU, costs more to start and join than a thumbnail takes
# to make (64×48 grey from 160×120: 0.22 ms on 2 threads, 0.025 ms on one); the pixels are the same.
SCALE_THREADS = 1
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
    keyframes: np.ndarray           # (k, px, px, 3) uint8 RGB, or None when k == 0
    key_index: np.ndarray           # (k,) frame numbers of the keyframes
    clip: np.ndarray                # (n, h, w, 3) uint8 RGB sampled uniformly over the video, or None
    clip_index: np.ndarray          # (n,) frame numbers of the clip's frames
    warnings: list                  # [str]: what was odd about the file although it was used (no path)


def segment_bounds(T: int, k: int) -> np.ndarray:
    """(k+1,) bounds of k equal temporal segments of T frames; segment j is frames [b_j, b_{j+1})."""
    return (np.arange(k + 1) * T) // k


def clip_indices(T: int, n: int) -> np.ndarray:
    """(n,) frame numbers of n frames spread uniformly over T (repeats when T < n)."""
    return np.linspace(0, T - 1, n).round().astype(np.int64)


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
            frame = self.gray.reformat(frame, frame.width, frame.height, "gray", threads=SCALE_THREADS)
        plane = frame.planes[0]
        a = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        if isinstance(self.rows, slice) and isinstance(self.cols, slice):
            return a[self.rows, self.cols].copy()              # a strided view, copied: 3 KB
        return a[self.rows][:, self.cols]


def _convert(reformatter: VideoReformatter, frame, width: int, height: int, fmt: str) -> np.ndarray:
    """`frame` scaled and converted by libswscale (on SCALE_THREADS threads) to a uint8 array."""
    return reformatter.reformat(frame, width, height, fmt, threads=SCALE_THREADS).to_ndarray()


def _as_slice(idx: np.ndarray):
    """The same indices as a slice when they are evenly spaced (the usual case: 320×240 → every 5th)."""
    step = idx[1] - idx[0] if len(idx) > 1 else 1
    if step > 0 and (np.diff(idx) == step).all():
        return slice(int(idx[0]), int(idx[-1]) + 1, int(step))
    return idx


def scan(path, keyframes: int = 0, size: int = 224, clip_frames: int = 0, clip_size=(171, 128),
         thumbs: bool = False, min_frames: int = 1, pick=None) -> Scan:
    """Decode `path` once (again only when its stated frame count is wrong, it is damaged, or a keyframe
    segment was too long to hold); see the module docstring.

    keyframes: k (0: none); size: keyframe side px; clip_frames: n (0: no clip); clip_size: (w, h) of the
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
    want = (keyframes, size, clip_frames, clip_size, thumbs, max(min_frames, keyframes, 1), pick)
    plan, threaded, error = None, True, None
    for _ in range(3):
        result = _pass(path, plan, threaded, error, *want)
        if isinstance(result, Scan):
            return _fetch_unheld(path, result, size, threaded)
        plan, error = result                      # the true count (and the error that ended it): plan again
        if error and threaded:                    # count a damaged stream again, without threads
            plan, threaded = None, False
    raise VideoError(path, f"decodes to a different number of frames on each pass ({plan})")


def _why(e) -> str:
    return f"{type(e).__name__}: {getattr(e, 'strerror', None) or e}"


def _pass(path, T, threaded, known_error, k, size, n_clip, clip_size, keep_thumbs, need, pick):
    """One decoding pass planned for T frames (None: the stated count; then all frames are decoded).
    Returns a Scan, or (the true frame count, the decoding error that ended it or None) when the plan
    turned out wrong, or when a threaded pass hit an error (the caller then passes again)."""
    gray, rgb = VideoReformatter(), VideoReformatter()
    sample = LumaSampler(VideoReformatter())
    thumbs, sel, held, kf, key_idx, clip = [], [], [], [], [], {}
    i, held_bytes, error = 0, 0, None
    try:
        container = av.open(str(path))
    except _DECODE_ERRORS as e:
        raise VideoError(path, f"not a video file ({_why(e)})") from None
    with container:
        if not container.streams.video:
            raise VideoError(path, "has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO" if threaded else "NONE"   # frame + slice threads, or none (a damaged stream)
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
                    thumbs.append(_convert(gray, frame, *THUMB_SIZE, "gray"))
                if k:
                    sel.append(sample(frame))
                if planned:
                    if i >= plan:                     # more frames than planned: the plan was wrong
                        planned, held = False, []
                    else:
                        if i in wanted:
                            clip[i] = _convert(rgb, frame, *clip_size, "rgb24")
                        if k:
                            if held is not None:
                                held.append(frame)
                                held_bytes += sum(p.buffer_size for p in frame.planes)
                                if held_bytes > MAX_HELD_BYTES:
                                    held = None       # a segment too long to hold: its keyframe comes later
                            if i == bounds[seg + 1] - 1:      # last frame of segment `seg`: choose, convert, drop
                                j = int(pick(np.stack(sel[bounds[seg]:i + 1])))
                                kf.append(None if held is None else _convert(rgb, held[j], size, size, "rgb24"))
                                key_idx.append(bounds[seg] + j)
                                held, held_bytes, seg = [], 0, seg + 1
                i += 1
                if T is not None and i == T:          # a counted plan: what follows is not wanted (a damaged tail)
                    break
        except _DECODE_ERRORS as e:
            if threaded:
                return i, e
            error = e
    error = error or known_error
    if i == 0:
        raise VideoError(path, f"decoding failed at the first frame ({_why(error)}); the file is damaged"
                         if error else "contains no decodable video frames")
    if i < need:
        frames = f"{i} frame{'s' if i > 1 else ''}"
        raise VideoError(path, (f"decoding failed after {frames} ({_why(error)})" if error else f"has {frames}")
                         + f", fewer than the {need} needed (keyframes per video: {k})")
    if i != plan:
        return i, error
    of_stated = f" of the {stated} its container states" if stated and stated != i else ""
    notes = ([f"decoding stopped after {i} frames{of_stated} ({_why(error)}); the {i} frames before it are used"]
             if error else [f"its container states {stated} frames, {i} decode; the {i} are used"] if of_stated
             else [])
    return Scan(n_frames=i, fps=fps, sel=np.stack(sel) if k else None, thumbs=np.stack(thumbs) if keep_thumbs else None,
                keyframes=kf if k else None, key_index=np.array(key_idx, np.int64),
                clip=np.stack([clip[j] for j in want]) if n_clip else None,
                clip_index=want if n_clip else np.empty(0, np.int64), warnings=notes)


def _fetch_unheld(path, s: Scan, size: int, threaded: bool) -> Scan:
    """`s` with its keyframes stacked; those of segments too long to hold (None) decoded again and converted."""
    if s.keyframes is None:
        return s
    missing = {int(s.key_index[j]): j for j, x in enumerate(s.keyframes) if x is None}
    if missing:
        rgb, last = VideoReformatter(), max(missing)
        try:
            with av.open(str(path)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO" if threaded else "NONE"
                for i, frame in enumerate(container.decode(stream)):
                    if i in missing:
                        s.keyframes[missing[i]] = _convert(rgb, frame, size, size, "rgb24")
                    if i == last:
                        break
        except _DECODE_ERRORS as e:
            raise VideoError(path, f"decoding failed on a second pass ({_why(e)})") from None
        if any(x is None for x in s.keyframes):
            raise VideoError(path, "decodes to fewer frames on a second pass than on the first")
    s.keyframes = np.stack(s.keyframes)
    return s


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
                thumbs.append(_convert(gray, frame, *THUMB_SIZE, "gray"))
    except _DECODE_ERRORS as e:
        raise VideoError(path, f"not a decodable video ({_why(e)})") from None
    if not frames:
        raise VideoError(path, "contains no decodable video frames")
    return Decoded(frames, np.stack(thumbs), fps)


def to_rgb(frame, size: int) -> np.ndarray:
    """(size, size, 3) uint8 RGB of one frame, resized (squashed) to a square like the still images."""
    return frame.to_ndarray(width=size, height=size, format="rgb24")
