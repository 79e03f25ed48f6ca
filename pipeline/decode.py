"""Video decoding with PyAV: one threaded pass per video, pixel conversion done by libswscale.

`decode` returns the decoded frames (still in the codec's pixel format) and small grey thumbnails of
every frame; callers convert only the frames they keep, at the size they need (after PyAV's cookbook:
`container.decode(stream)` with `thread_type = "AUTO"`).
"""
from dataclasses import dataclass

import av
import numpy as np

from .errors import DataError


@dataclass
class Decoded:
    frames: list            # av.VideoFrame, in presentation order
    thumbs: np.ndarray      # (T, h, w) uint8 grey thumbnails of every frame
    fps: float


def decode(path, thumb_size=(64, 48)) -> Decoded:
    """Decode every frame of the first video stream of `path`. Raises DataError on unreadable files."""
    frames, thumbs = [], []
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DataError(f"{path}: has no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"   # frame+slice threads: decode runs at the codec's speed
            fps = float(stream.average_rate or 25)
            for frame in container.decode(stream):
                frames.append(frame)
                thumbs.append(frame.to_ndarray(width=thumb_size[0], height=thumb_size[1], format="gray"))
    except (av.FFmpegError, UnicodeDecodeError) as e:
        # Truncated files often yield the frames before the damage, then an error: keep those frames.
        if not frames:
            raise DataError(f"{path}: not a decodable video ({type(e).__name__}: {e})") from None
    if not frames:
        raise DataError(f"{path}: contains no video frames")
    return Decoded(frames, np.stack(thumbs), fps)


def to_rgb(frame, size: int) -> np.ndarray:
    """(size, size, 3) uint8 RGB of one frame, resized (squashed) to a square like the still images."""
    return frame.to_ndarray(width=size, height=size, format="rgb24")
