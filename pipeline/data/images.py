"""Still images: decode any common file kind to RGB uint8 at the network's input size.

Use what decodes, as for the videos (pipeline.video.decode): every image PIL decodes whole is used, whatever its
mode or size (greyscale, CMYK, 16-bit, palette, transparency, a 1×1 pixel, the first frame of an animated
GIF); a file that is empty, not an image, truncated or damaged raises ImageError, which `prepare` records as a
reject (CheckRejects then checks the budget over the whole collection).
"""
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import DataError

BACKGROUND = (255, 255, 255)   # what transparent pixels show: a web page's white
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, UnidentifiedImageError,
                  Image.DecompressionBombError)


class ImageError(DataError):
    """An image that cannot be used; `reason` is one line without the path (the rejects list adds it)."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


def to_rgb(im: Image.Image) -> Image.Image:
    """An RGB image of any PIL mode: EXIF orientation applied, greyscale and CMYK (incl. Adobe's inverted
    CMYK JPEGs, which PIL reads) converted, 16-bit / float greys scaled to 8 bits, transparency
    (RGBA, LA, palette with a transparent index) composited onto BACKGROUND rather than dropped."""
    im = ImageOps.exif_transpose(im)
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        a = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or a.max() > 255 else 255.0
        im = Image.fromarray(np.clip(a / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        im = im.convert("RGBA")
        flat = Image.new("RGBA", im.size, BACKGROUND + (255,))
        flat.alpha_composite(im)
        im = flat
    return im.convert("RGB")


def load_rgb(path, size: int) -> np.ndarray:
    """(size, size, 3) uint8 RGB of any common image file (see `to_rgb`), squashed to a square.

    Squashing (not cropping) keeps the whole scene, as for the keyframes (pipeline.video.decode.to_rgb), so
    both still modalities see the same geometry. Large JPEGs are decoded at a reduced scale (libjpeg's
    DCT scaling, never below `size`), which is much faster than a full decode.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise ImageError(path, "empty file (0 bytes)")
    except OSError as e:
        raise ImageError(path, f"cannot be read ({e.strerror or e})") from None
    try:
        with Image.open(path) as im:
            if im.format == "JPEG":
                im.draft(im.mode, (size, size))
            return np.asarray(to_rgb(im).resize((size, size), Image.BILINEAR), dtype=np.uint8)
    except UnidentifiedImageError:
        raise ImageError(path, "not an image file (PIL cannot identify it)") from None
    except _DECODE_ERRORS as e:
        raise ImageError(path, f"cannot be decoded, truncated or damaged ({type(e).__name__}: {e})") from None


def prepare(items, size: int, progress=lambda i, n: None, append=None) -> tuple:
    """The images of `items` (manifest Items) as arrays, and the reasons of those that cannot be used.

    Returns (arrays, rejects): X (n, size, size, 3) uint8, labels (n,), ids (n,), split (n,) of the n usable
    images in input order; rejects [(id, reason)]. With `append` (pipeline.io.h5io.growing), each image goes to it
    as soon as it is decoded and X is not returned: memory then holds one image, whatever n is.
    """
    X = np.empty((0 if append else len(items), size, size, 3), np.uint8)
    kept, rejects = [], []
    for i, item in enumerate(items):
        try:
            x = load_rgb(item.path, size)
        except ImageError as e:
            rejects.append((item.id, e.reason))
        else:
            if append:
                append(x)
            else:
                X[len(kept)] = x
            kept.append(item)
        progress(i + 1, len(items))
    return dict(**({} if append else dict(X=X[:len(kept)])), labels=np.array([it.label for it in kept], np.int64),
                ids=np.array([it.id for it in kept], dtype=str),
                split=np.array([it.split for it in kept], dtype=str)), rejects
