"""Still images: decode any common file kind to RGB uint8 at the network's input size."""
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import DataError

BACKGROUND = (255, 255, 255)   # what transparent pixels show: a web page's white


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
    try:
        with Image.open(path) as im:
            if im.format == "JPEG":
                im.draft(im.mode, (size, size))
            return np.asarray(to_rgb(im).resize((size, size), Image.BILINEAR), dtype=np.uint8)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as e:
        raise DataError(f"{path}: not a readable image ({e}); remove it from the split lists or replace the file.") from None
