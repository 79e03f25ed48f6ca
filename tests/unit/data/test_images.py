"""Decoding the image files real datasets hold (pipeline/data/images.py): JPEG kinds, PNG alpha, palettes, EXIF."""
import numpy as np
import pytest
from PIL import Image

from pipeline.data import images
from pipeline.errors import DataError
from tests.helpers.media import write_image


def test_images_decode_every_common_kind(tmp_path):
    rgb = np.zeros((40, 60, 3), np.uint8)
    rgb[:, :30] = (200, 30, 30)
    rgb[:, 30:] = (20, 160, 60)
    for kind in ("jpg-rgb", "jpg-cmyk", "jpg-grey", "png-rgba"):
        path = write_image(tmp_path / f"x_{kind}.jpg", rgb, kind)
        out = images.load_rgb(path, 32)
        assert out.shape == (32, 32, 3) and out.dtype == np.uint8
        if kind == "jpg-grey":
            assert np.ptp(out.astype(int), axis=2).max() <= 2            # grey stays grey
        elif kind == "png-rgba":
            assert (out[:4] >= 250).all()                                 # the transparent band shows white
            assert abs(int(out[20, 5, 0]) - 200) <= 3 and abs(int(out[20, 28, 1]) - 160) <= 3
        else:
            assert abs(int(out[20, 5, 0]) - 200) <= 12 and abs(int(out[20, 28, 1]) - 160) <= 12


def test_images_decode_palette_16bit_and_exif(tmp_path):
    pal = Image.new("P", (10, 10), 1)
    pal.putpalette([0, 0, 0, 10, 20, 30] + [0] * 762)
    pal.save(tmp_path / "p.png", transparency=1)
    assert (images.load_rgb(tmp_path / "p.png", 8) == 255).all()           # fully transparent → white
    Image.fromarray(np.full((10, 10), 65535, np.uint16)).save(tmp_path / "g16.png")
    assert (images.load_rgb(tmp_path / "g16.png", 8) == 255).all()
    im = Image.new("RGB", (20, 10), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6                                                      # rotate 90° on display
    im.save(tmp_path / "rot.jpg", exif=exif)
    with Image.open(tmp_path / "rot.jpg") as raw:
        assert images.to_rgb(raw).size == (10, 20)
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    with pytest.raises(DataError, match="bad.jpg"):
        images.load_rgb(tmp_path / "bad.jpg", 8)


def test_prepare_uses_every_odd_image_and_rejects_each_bad_one_with_its_reason(tmp_path):
    """1×1, CMYK, 16-bit, palette, animated GIF, corrupt entropy-coded data: used; empty, not an image,
    truncated JPEG/PNG, a damaged header: rejected, listed with a reason, the others kept in order."""
    from pipeline.data.manifest import Item
    from tests.helpers import bad_files as B
    from tests.helpers.official_layouts import image
    items = []
    for j, (kind, (suffix, write)) in enumerate({**B.ODD_IMAGES, **B.BAD_IMAGES}.items()):
        write(tmp_path / f"{kind}{suffix}", image(j, 0))
        items.append(Item(kind, str(tmp_path / f"{kind}{suffix}"), j % 3, "train"))
    arrays, rejects = images.prepare(items, 16)
    assert list(arrays["ids"]) == list(B.ODD_IMAGES) and arrays["X"].shape == (len(B.ODD_IMAGES), 16, 16, 3)
    assert arrays["labels"].tolist() == [j % 3 for j in range(len(B.ODD_IMAGES))]
    assert [i for i, _ in rejects] == list(B.BAD_IMAGES)
    for kind, reason in rejects:
        assert B.REASONS[kind] in reason, (kind, reason)
    with Image.open(tmp_path / "animated.gif") as im:                      # the first of its frames is used
        first = np.asarray(im.convert("RGB").resize((16, 16), Image.BILINEAR))
    assert np.array_equal(arrays["X"][list(B.ODD_IMAGES).index("animated")], first)
