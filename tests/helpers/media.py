"""The media files the tests write: video clips of the kinds real datasets ship, and image files of every kind.

Every clip is encoded by pipeline.video.encode.write_video (single-threaded: the same bytes for the same frames).
"""
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.video.encode import write_video

VIDEO_KINDS = ("xvid", "mpeg4", "h264")
IMAGE_KINDS = ("jpg-rgb", "jpg-cmyk", "jpg-grey", "png-rgba")


def write_xvid(path: Path, frames: np.ndarray, fps: int = 25) -> None:
    """MPEG-4 Part 2 in AVI with the fourcc XVID, at 1 Mbit/s, as UCF101 and HMDB51 ship."""
    write_video(path, frames, fps, codec="xvid", bit_rate=1_000_000)


def write_h264(path: Path, frames: np.ndarray, fps: int = 25, **options) -> None:
    """H.264 with B-frames (decode order ≠ presentation order) under x264's own rate control; the container
    from the suffix; `options`: more x264 options (`g=8`, `preset="veryfast"`)."""
    write_video(path, frames, fps, codec="libx264", bit_rate=None, bf=2, **options)


def write_clip(path: Path, frames: np.ndarray, kind: str = "xvid", fps: int = 25) -> None:
    """(T, H, W, 3) uint8 frames as one of VIDEO_KINDS: "xvid" (write_xvid), "mpeg4" (SYNTHETIC's own AVI),
    "h264" (write_h264 with a GOP of 8 frames)."""
    if kind == "xvid":
        write_xvid(path, frames, fps)
    elif kind == "h264":
        write_h264(path, frames, fps, g=8)
    elif kind == "mpeg4":
        write_video(path, frames, fps)
    else:
        raise ValueError(f"unknown video kind {kind!r}: one of {', '.join(VIDEO_KINDS)}")


def write_image(path: Path, pixels: np.ndarray, kind: str) -> Path:
    """Write `pixels` as one of IMAGE_KINDS; `path`'s suffix is replaced to suit the kind."""
    im = Image.fromarray(pixels)
    if kind == "png-rgba":
        alpha = np.full(pixels.shape[:2], 255, np.uint8)
        alpha[:8] = 0                                   # a transparent band
        im.putalpha(Image.fromarray(alpha))
        path = path.with_suffix(".png")
        im.save(path)
        return path
    im = {"jpg-rgb": im, "jpg-cmyk": im.convert("CMYK"), "jpg-grey": im.convert("L")}[kind]
    path = path.with_suffix(path.suffix if path.suffix.lower() in (".jpg", ".jpeg") else ".jpg")
    im.save(path, quality=90)
    return path
