"""Readers of the official layouts, the class tables, the manifest's checks, and decoding of real file kinds."""
import numpy as np
import official_layouts as L
import pytest
from PIL import Image

from pipeline.data import images, layouts, manifest
from pipeline.data.pairs import HMDB51_CLASSES, PAIRS, UCF101_CLASSES, normalise
from pipeline.errors import DataError
from pipeline.video import decode

# --- class tables --------------------------------------------------------------------------------------

def test_bu101_table_covers_all_101_ucf101_actions():
    p = PAIRS["BU101_UCF101"]
    assert len(UCF101_CLASSES) == len(set(UCF101_CLASSES)) == 101
    assert p.classes == list(UCF101_CLASSES) and (p.images.folder, p.videos.folder) == ("BU101", "UCF101")


@pytest.mark.parametrize("pair, n, video_classes", [("Stanford40_UCF101", 12, UCF101_CLASSES),
                                                     ("ASD_UCF101", 10, UCF101_CLASSES),
                                                     ("EAD_HMDB51", 15, HMDB51_CLASSES)])
def test_tables_map_onto_their_video_dataset(pair, n, video_classes):
    p = PAIRS[pair]
    assert len(p.class_map) == len(set(p.classes)) == n
    assert set(p.classes) <= set(video_classes)


def test_stanford40_table_is_designs():
    assert PAIRS["Stanford40_UCF101"].class_map["throwing_frisby"] == "FrisbeeCatch"
    assert PAIRS["Stanford40_UCF101"].class_map["riding_a_horse"] == "HorseRiding"
    assert len(HMDB51_CLASSES) == 51


@pytest.mark.parametrize("a, b", [("riding_a_bike", "Riding a bike"), ("ApplyEyeMakeup", "apply_eye-makeup"),
                                  ("pouring liquid", "Pouring_Liquid"), ("YoYo", "yo yo")])
def test_normalise_ignores_case_and_separators(a, b):
    assert normalise(a) == normalise(b)


# --- paths from split lists ----------------------------------------------------------------------------

@pytest.mark.parametrize("rel, expected", [("Archery/v_a.avi", "Archery/v_a.avi"), ("Archery\\v_a.avi", "Archery/v_a.avi"),
                                           ("./Archery//v_a.avi", "Archery/v_a.avi"), ("a/../Archery/x.avi", "Archery/x.avi"),
                                           ("../x.avi", None), ("Archery/../../x.avi", None), ("/etc/passwd", None),
                                           ("C:/x.avi", None), ("", None), (".", None)])
def test_inside_keeps_paths_in_the_root(rel, expected):
    assert layouts.inside(rel) == expected


# --- readers -------------------------------------------------------------------------------------------

def test_ucf101_reader_crlf_lists_splits_and_unused_classes(tmp_path):
    root = L.make_ucf101(tmp_path, ["Archery", "Biking"], n_train=2, n_test=1)
    assert b"\r\n" in (root / "ucfTrainTestlist" / "trainlist01.txt").read_bytes()
    got = {}
    for split in (1, 2, 3):
        listing = layouts.read_ucf101(root, split, ["archery", "Biking"])   # table names matched after normalising
        assert listing.problems == []
        got[split] = {(e.path, e.cls, e.split) for e in listing.entries}
        assert {e.cls for e in listing.entries} == {"archery", "Biking"}    # Typing / NotInAnyTable ignored
        assert all((root / e.path).is_file() and e.path.startswith("UCF-101/") for e in listing.entries)
        assert sum(e.split == "test" for e in listing.entries) == 2
    assert ("UCF-101/Archery/v_Archery_g01_c01.avi", "archery", "test") in got[1]
    assert ("UCF-101/Archery/v_Archery_g02_c01.avi", "archery", "test") in got[2]
    assert len({frozenset(s) for s in got.values()}) == 3


def test_ucf101_reader_reports_each_problem(tmp_path):
    root = L.make_ucf101(tmp_path, ["Archery", "Biking"])
    (root / "ucfTrainTestlist" / "testlist01.txt").unlink()
    with open(root / "ucfTrainTestlist" / "trainlist01.txt", "ab") as f:
        f.write(b"../../outside.avi 1\r\n")
    listing = layouts.read_ucf101(root, 1, ["Archery", "Biking", "Rowing"])
    text = "\n".join(listing.problems)
    assert "testlist01.txt is missing" in text
    assert "'../../outside.avi'" in text
    assert "class Rowing" in text and "classInd.txt does not list it" in text


def test_hmdb51_reader_flags(tmp_path):
    root = L.make_hmdb51(tmp_path, ["clap", "ride_bike"], n_train=2, n_test=1)
    listing = layouts.read_hmdb51(root, 1, ["clap", "Ride Bike"])
    assert listing.problems == []
    by = {(e.cls, e.split) for e in listing.entries}
    assert by == {("clap", "train"), ("clap", "test"), ("Ride Bike", "train"), ("Ride Bike", "test")}
    assert len(listing.entries) == 6                       # the flag-0 video of each class is left out
    assert all((root / e.path).is_file() for e in listing.entries)
    assert not any("brush_hair" in e.path for e in listing.entries)
    split2 = layouts.read_hmdb51(root, 2, ["clap"])
    assert {e.path for e in split2.entries if e.split == "test"} != {e.path for e in listing.entries
                                                                     if e.split == "test" and e.cls == "clap"}


def test_hmdb51_reader_missing_split_file(tmp_path):
    root = L.make_hmdb51(tmp_path, ["clap"])
    listing = layouts.read_hmdb51(root, 1, ["clap", "kiss"])
    assert listing.problems == [f"class kiss: {root / 'testTrainMulti_7030_splits' / 'kiss_test_split1.txt'} "
                                f"is missing (its split list)"]


def test_stanford40_reader(tmp_path):
    root = L.make_stanford40(tmp_path, ["riding_a_horse", "climbing"], n_per_split=2)
    listing = layouts.read_stanford40(root, 1, ["riding a horse", "climbing"])
    assert listing.problems == []
    assert sorted((e.path, e.split) for e in listing.entries if e.cls == "climbing") == [
        ("JPEGImages/climbing_001.jpg", "train"), ("JPEGImages/climbing_002.jpg", "train"),
        ("JPEGImages/climbing_003.jpg", "test"), ("JPEGImages/climbing_004.jpg", "test")]
    unused = layouts.read_stanford40(root, 1, ["Jumping", "waving"])   # listed without images; not listed
    assert unused.problems == [f"class waving: {root / 'ImageSplits' / 'actions.txt'} does not list it"]
    assert unused.entries and not any((root / e.path).exists() for e in unused.entries)   # the manifest's check


def test_imagefolder_reader_matches_spellings_and_skips_the_rest(tmp_path):
    root = L.make_imagefolder(tmp_path, "EAD", ["riding a bike", "shake hands", "applauding"], n=2)
    bike = root / "riding a bike"                      # how official_layouts.spell writes the first class
    (bike / "notes.txt").write_text("not an image")
    (bike / ".hidden.jpg").write_bytes(b"")
    (bike / "sub").mkdir()
    Image.new("RGB", (8, 8)).save(bike / "sub" / "deep.png")
    listing = layouts.read_imagefolder(root, 1, ["riding_a_bike", "Shake Hands", "applauding"])
    assert listing.problems == []
    paths = sorted(e.path for e in listing.entries if e.cls == "riding_a_bike")
    assert len(paths) == 3 and "riding a bike/sub/deep.png" in paths
    assert {e.path.split("/")[0] for e in listing.entries} == {"riding a bike", "shake_hands", "Applauding"}
    assert {e.split for e in listing.entries} == {"train"}
    assert not any("some_other_action" in e.path.lower().replace(" ", "_") for e in listing.entries)
    missing = layouts.read_imagefolder(root, 1, ["smoking"])
    assert missing.problems == [f"class smoking: no folder {root / 'smoking'} (or spelt with other case / separators)"]


def test_imagefolder_reader_steps_into_a_wrapper_folder(tmp_path):
    L.make_imagefolder(tmp_path / "BU101", "images", ["ApplyEyeMakeup", "YoYo"], n=1)   # BU101/images/<class>/
    listing = layouts.read_imagefolder(tmp_path / "BU101", 1, ["ApplyEyeMakeup", "YoYo"])
    assert listing.problems == [] and {e.path.split("/")[0] for e in listing.entries} == {"images"}
    assert all((tmp_path / "BU101" / e.path).is_file() for e in listing.entries)


# --- the manifest --------------------------------------------------------------------------------------

def test_manifest_lists_every_mapped_class(tmp_path):
    p = PAIRS["ASD_UCF101"]
    L.make_imagefolder(tmp_path, "ASD", list(p.class_map), n=2)
    L.make_ucf101(tmp_path, p.classes)
    m = manifest.build(p, tmp_path, 1)
    assert m.classes == p.classes
    assert sorted({it.label for it in m.images}) == sorted({it.label for it in m.videos}) == list(range(10))
    assert len(m.images) == 20 and len(m.videos_in("train")) == 20 and len(m.videos_in("test")) == 10
    assert [it.id for it in m.videos] == sorted(it.id for it in m.videos)
    by_key = {normalise(k): v for k, v in p.class_map.items()}
    for it in m.images:      # each image's folder → its class through the table
        assert by_key[normalise(it.id.split("/")[0])] == m.classes[it.label]


def test_manifest_missing_dataset_names_path_source_and_fix(tmp_path):
    p = PAIRS["EAD_HMDB51"]
    L.make_imagefolder(tmp_path, "EAD", list(p.class_map))
    with pytest.raises(DataError) as e:
        manifest.build(p, tmp_path, 1)
    msg = str(e.value)
    assert "\n" not in msg and str(tmp_path / "HMDB51") in msg and "serre-lab" in msg
    assert "--data-root" in msg and "[datasets] hmdb51" in msg


def test_manifest_collects_every_problem(tmp_path):
    p = PAIRS["Stanford40_UCF101"]
    L.make_stanford40(tmp_path, list(p.class_map)[1:])           # shooting_an_arrow not in actions.txt
    L.make_ucf101(tmp_path, p.classes)
    (tmp_path / "Stanford40" / "JPEGImages" / "climbing_001.jpg").unlink()
    (tmp_path / "UCF101" / "ucfTrainTestlist" / "testlist01.txt").unlink()
    with pytest.raises(DataError) as e:
        manifest.build(p, tmp_path, 1)
    lines = str(e.value).splitlines()
    assert "3 problems" in lines[0]
    assert any("class shooting_an_arrow" in ln and "actions.txt does not list it" in ln for ln in lines)
    assert any("climbing_001.jpg" in ln and "class climbing" in ln for ln in lines)
    assert any("testlist01.txt is missing" in ln and "crcv.ucf.edu" in ln for ln in lines)


def test_manifest_overrides_and_split_range(tmp_path):
    p = PAIRS["EAD_HMDB51"]
    L.make_imagefolder(tmp_path / "a", "EAD", list(p.class_map))
    L.make_hmdb51(tmp_path / "b", p.classes)
    m = manifest.build(p, tmp_path / "a", 1, {"HMDB51": tmp_path / "b" / "HMDB51"})
    assert len(m.videos) == 45
    with pytest.raises(DataError, match="split 4"):
        manifest.build(p, tmp_path / "a", 4)


# --- decoding real file kinds ------------------------------------------------------------------------

def test_images_decode_every_common_kind(tmp_path):
    rgb = np.zeros((40, 60, 3), np.uint8)
    rgb[:, :30] = (200, 30, 30)
    rgb[:, 30:] = (20, 160, 60)
    for kind in ("jpg-rgb", "jpg-cmyk", "jpg-grey", "png-rgba"):
        path = L.write_image(tmp_path / f"x_{kind}.jpg", rgb, kind)
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


def _moving_bar(n=16, w=64, h=48):
    frames = np.zeros((n, h, w, 3), np.uint8)
    for t in range(n):
        frames[t, :, 3 * t:3 * t + 6] = 255
    return frames


@pytest.mark.parametrize("codec, suffix", [("xvid", ".avi"), ("mpeg4", ".avi"), ("h264", ".mp4"), ("h264", ".avi")])
def test_videos_decode_in_presentation_order(tmp_path, codec, suffix):
    path = tmp_path / f"v{suffix}"
    L.write_video(path, _moving_bar(), codec)
    d = decode.decode(path)
    assert len(d.frames) == 16 and d.thumbs.shape == (16, 48, 64)
    if codec == "h264":
        with __import__("av").open(str(path)) as c:
            types = [f.pict_type for f in c.decode(video=0)]
        assert any(str(t).endswith("B") or int(t) == 3 for t in types)   # B-frames really present
    positions = [int(np.argmax(decode.to_rgb(f, 64)[24, :, 0] > 128)) for f in d.frames]
    assert positions == sorted(positions) and positions[-1] > positions[0]
