"""Readers of the official layouts (pipeline/data/layouts.py), on tiny trees as the publishers ship them."""
import pytest
from PIL import Image

from pipeline.data import layouts
from tests.helpers import official_layouts as L

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
