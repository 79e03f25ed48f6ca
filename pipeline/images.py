"""Still images: decode any common file kind to RGB uint8 at the network's input size."""
import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import DataError


def load_rgb(path, size: int) -> np.ndarray:
    """(size, size, 3) uint8 RGB; greyscale, CMYK and alpha images are converted, then squashed to a square.

    Squashing (not cropping) keeps the whole scene, as for the keyframes (pipeline.decode.to_rgb), so
    both still modalities see the same geometry.
    """
    try:
        with Image.open(path) as im:
            im = im.convert("RGBA").convert("RGB") if im.mode in ("P", "LA", "PA") else im.convert("RGB")
            return np.asarray(im.resize((size, size), Image.BILINEAR), dtype=np.uint8)
    except (OSError, UnidentifiedImageError) as e:
        raise DataError(f"{path}: not a readable image ({e}); remove it from the split lists or replace the file.") from None
