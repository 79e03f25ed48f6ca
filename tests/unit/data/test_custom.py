"""Pair files (pipeline/data/custom/): a pair of your own image and video folders, described by a TOML file."""
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.data import custom, manifest
from pipeline.data.custom import classes as custom_classes
from pipeline.data.custom import tree
from pipeline.errors import DataError
from tests.helpers import official_layouts as L
from tests.helpers.media import write_clip

FRAMES = np.zeros((2, 16, 16, 3), np.uint8)   # the smallest clip the MPEG-4 encoder takes


def clip(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(path, FRAMES, "mpeg4")


def still(path: Path, k: int = 0) -> None:
    """A real 8×8 image: PNG for .png, .PNG; JPEG for the other extensions, in any case."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(L.image(k, 0)[:8, :8]).save(path, "PNG" if path.suffix.lower() == ".png" else "JPEG")


# Image class folders named unlike the video classes (a [classes] table maps them), with spaces and a non-ASCII
# letter; stills of three extensions, clips of three containers, in nested folders; hidden and non-media files.
IMAGES = {"cutting vegetables": ["a.jpg", "b.png", "deep/er/c.JPG"],
          "riding a horse": ["x.jpeg", "y.PNG", "nested dir/z.jpg"],
          "Brühe kochen": ["1.jpg", "2.jpg"]}
VIDEOS = {"CuttingInKitchen": ["v_g01_c01.avi", "v_g02_c01.mp4", "sub/v_g03_c01.mkv"],
          "HorseRiding": ["v_g01_c01.avi", "long clips/v_g02_c01.MP4", "v_g03_c01.avi"],
          "Suppe kochen ü": ["v_g01_c01.avi", "v_g02_c01.avi"]}
TABLE = {"cutting vegetables": "CuttingInKitchen", "riding a horse": "HorseRiding", "Brühe kochen": "Suppe kochen ü"}
IGNORED = {"images": [".DS_Store", "cutting vegetables/.DS_Store", "cutting vegetables/notes.txt",
                      "riding a horse/.hidden/w.jpg", "riding a horse/Thumbs.db"],
           "videos": ["CuttingInKitchen/._v_g01_c01.avi", "CuttingInKitchen/notes.txt"]}
TEST_LIST = "CuttingInKitchen/sub/v_g03_c01.mkv\n\n# a comment\nHorseRiding/long clips/v_g02_c01.MP4\n" \
            "Suppe kochen ü/v_g02_c01.avi\n"


def make_tree(root: Path, images=IMAGES, videos=VIDEOS, ignored=IGNORED) -> Path:
    for k, (cls, names) in enumerate(images.items()):
        for name in names:
            still(root / "photos" / cls / name, k)
    for cls, names in videos.items():
        for name in names:
            clip(root / "clips" / cls / name)
    for side, folder in (("images", "photos"), ("videos", "clips")):
        for rel in ignored[side]:
            (root / folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / folder / rel).write_bytes(b"not media")
    (root / "clips" / "splits").mkdir()
    (root / "clips" / "splits" / "test.txt").write_text(TEST_LIST, encoding="utf-8")
    return root


def toml_text(images='root = "photos"', videos='root = "clips"\ntest_list = "splits/test.txt"', table=TABLE,
              top='name = "Kitchen"') -> str:
    rows = "".join(f"{json.dumps(i, ensure_ascii=False)} = {json.dumps(v, ensure_ascii=False)}\n"
                   for i, v in (table or {}).items())
    return f"{top}\n[images]\n{images}\n[videos]\n{videos}\n" + (f"[classes]\n{rows}" if table is not None else "")


def write_toml(root: Path, text: str) -> Path:
    path = root / "my pair.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def kitchen(tmp_path_factory) -> Path:
    """The tree, written once (its files are read, never changed, by the tests that share it)."""
    return make_tree(tmp_path_factory.mktemp("kitchen"))


def refusal(path: Path, build: bool = False) -> str:
    with pytest.raises(DataError) as e:
        pair = custom.load_pair_file(path)
        if build:
            manifest.build(pair, path.parent, 1)
    return str(e.value)


# --- a pair file makes a manifest as a built-in pair does -------------------------------------------------

def test_pair_file_manifest_has_a_builtin_pairs_structure(kitchen):
    pair = custom.load_pair_file(write_toml(kitchen, toml_text()))
    assert pair.name == "Kitchen" and pair.warning == ""
    m = manifest.build(pair, kitchen, 1)
    assert m.pair == "Kitchen" and m.classes == list(TABLE.values())           # table order, the video names
    want_images = sorted(f"{c}/{n}" for c, names in IMAGES.items() for n in names)
    assert [it.id for it in m.images] == want_images                           # every extension, any case, depth
    assert {it.split for it in m.images} == {"train"}
    assert [m.classes[it.label] for it in m.images] == [TABLE[i.split("/")[0]] for i in want_images]
    assert [it.id for it in m.videos] == sorted(f"{c}/{n}" for c, names in VIDEOS.items() for n in names)
    assert sorted(it.id for it in m.videos_in("test")) == sorted(ln for ln in TEST_LIST.splitlines()
                                                                 if ln and not ln.startswith("#"))
    assert all(Path(it.path).is_file() and Path(it.path).is_absolute() for it in m.images + m.videos)
    assert m.ignored == {"images": IGNORED["images"], "videos": IGNORED["videos"]}


def test_manifest_json_keeps_the_ignored_files_and_a_builtin_manifest_is_unchanged(kitchen, tmp_path):
    m = manifest.build(custom.load_pair_file(write_toml(kitchen, toml_text())), kitchen, 1)
    m.to_json(tmp_path / "custom.json")
    assert manifest.Manifest.from_json(tmp_path / "custom.json") == m
    builtin = manifest.Manifest("SYNTHETIC", ["A"], [], [])
    builtin.to_json(tmp_path / "builtin.json")
    assert list(json.loads((tmp_path / "builtin.json").read_text())) == ["pair", "classes", "images", "videos"]


def test_same_names_match_and_one_sided_classes_are_named_in_one_line(tmp_path):
    images = {"Riding_a_horse": ["1.jpg", "2.jpg"], "cutting vegetables": ["1.jpg", "2.jpg"], "Only Photos": ["1.jpg"]}
    videos = {"riding a horse": ["a.avi", "b.avi"], "Cutting-Vegetables": ["a.avi", "b.avi"], "OnlyClips": ["a.avi"]}
    make_tree(tmp_path, images, videos, {"images": [], "videos": []})
    (tmp_path / "clips" / "splits" / "test.txt").write_text("riding a horse/a.avi\nCutting-Vegetables/b.avi\n")
    pair = custom.load_pair_file(write_toml(tmp_path, toml_text(table=None)))
    assert pair.class_map == {"cutting vegetables": "Cutting-Vegetables", "Riding_a_horse": "riding a horse"}
    assert "\n" not in pair.warning and str(tmp_path / "my pair.toml") in pair.warning
    assert "image classes without a folder on the other side: 'Only Photos'" in pair.warning
    assert "video classes without a folder on the other side: 'OnlyClips'" in pair.warning
    assert "splits" not in pair.warning                     # the test list's folder is no class
    m = manifest.build(pair, tmp_path, 1)
    assert m.classes == ["Cutting-Vegetables", "riding a horse"] and len(m.images) == 4


def test_no_common_name_suggests_a_classes_block_to_paste(kitchen, monkeypatch):
    message = refusal(write_toml(kitchen, toml_text(table=None)))
    head, *block = message.splitlines()
    assert str(kitchen / "my pair.toml") in head and "add a [classes] table" in head
    assert "(glove)" in head
    assert block[0] == "[classes]"
    assert tomllib.loads("\n".join(block))["classes"] == TABLE      # ready to paste: valid TOML, the right mapping
    from pipeline.method import glove
    monkeypatch.setattr(glove, "root", lambda: None)                # GloVe not installed: spelling decides
    assert "(hashed_ngrams)" in refusal(write_toml(kitchen, toml_text(table=None))).splitlines()[0]


def test_a_layout_the_pipeline_reads_keeps_its_own_splits(tmp_path):
    L.make_ucf101(tmp_path, ["Archery", "Biking"], n_train=2, n_test=1)
    L.make_imagefolder(tmp_path, "ASD", ["archery", "biking"], n=2)           # spelt "archery", "Biking"
    text = toml_text(images='root = "ASD"\nlayout = "imagefolder"', videos='root = "UCF101"\nlayout = "ucf101"',
                     table=None)
    pair = custom.load_pair_file(write_toml(tmp_path, text))
    assert pair.class_map == {"archery": "Archery", "biking": "Biking"}      # UCF101's classInd order
    assert "image classes without a folder on the other side: 'Some-Other-Action';" in pair.warning
    assert "video classes without a folder on the other side: 'Typing', 'NotInAnyTable'" in pair.warning
    m = manifest.build(pair, tmp_path, 2)
    assert m.classes == ["Archery", "Biking"] and len(m.images) == 4 and m.ignored == {}
    assert sorted(it.id for it in m.videos_in("test")) == ["UCF-101/Archery/v_Archery_g02_c01.avi",
                                                           "UCF-101/Biking/v_Biking_g02_c01.avi"]


def test_media_suffixes_cover_pillow_and_pyav_kinds():
    images, videos = custom.media_suffixes("images"), custom.media_suffixes("videos")
    assert {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"} <= images
    assert {".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg"} <= videos and not images & videos
    assert ".pdf" not in images and ".txt" not in images


# --- the split ----------------------------------------------------------------------------------------------

GROUPED = {"Archery": [f"v_Archery_g{g:02d}_c{c:02d}.avi" for g in range(1, 6) for c in range(1, 3)],
           "Biking": [f"v_Biking_g{g:02d}_c01.avi" for g in range(1, 5)] + ["odd one out.avi"]}


def entries_of(videos: dict) -> list:
    from pipeline.data.layouts import Entry
    return [Entry(f"{cls}/{name}", cls, "train") for cls, names in videos.items() for name in sorted(names)]


def test_drawn_split_is_fixed_for_a_seed():
    entries = entries_of({"A": [f"{i}.avi" for i in range(6)], "B": [f"{i}.mp4" for i in range(4)]})
    rule = tree.SplitRule(test_fraction=0.3, seed=0)
    test = sorted(tree.draw_split(entries, tree._groups(entries, rule, "p.toml"), 0.3, 0, "p.toml"))
    # sha256 ranks: the same on every machine and Python; a change of the drawing shows here
    assert test == ["A/0.avi", "A/5.avi", "B/0.mp4"]
    again = tree.draw_split(entries, tree._groups(entries, rule, "p.toml"), 0.3, 0, "p.toml")
    other = tree.draw_split(entries, tree._groups(entries, rule, "p.toml"), 0.3, 1, "p.toml")
    assert sorted(again) == test and sorted(other) != test


def test_groups_stay_on_one_side_for_every_seed():
    entries = entries_of(GROUPED)
    rule = tree.SplitRule(group=r"_g(\d+)_")
    group_of = tree._groups(entries, rule, "p.toml")
    assert group_of["Archery/v_Archery_g03_c02.avi"] == ("group", "03")
    assert group_of["Biking/odd one out.avi"] == ("clip", "Biking/odd one out.avi")   # no match: its own group
    for seed in range(20):
        for fraction in (0.2, 0.5, 0.8):
            test = tree.draw_split(entries, group_of, fraction, seed, "p.toml")
            for g in {group_of[e.path] for e in entries}:
                sides = {e.path in test for e in entries if group_of[e.path] == g}
                assert len(sides) == 1, (seed, fraction, g)
            for cls in GROUPED:                                  # every class trains and tests
                assert {e.path in test for e in entries if e.cls == cls} == {True, False}


def test_drawn_split_through_the_pair_file(kitchen):
    text = toml_text(videos='root = "clips"\ntest_fraction = 0.5\ngroup = "_g(\\\\d+)_"\nseed = 3')
    m1 = manifest.build(custom.load_pair_file(write_toml(kitchen, text)), kitchen, 1)
    m2 = manifest.build(custom.load_pair_file(write_toml(kitchen, text)), kitchen, 1)
    assert m1 == m2
    for cls in range(3):
        assert {v.split for v in m1.videos if v.label == cls} == {"train", "test"}


# --- bad input: one line each, naming the file, the key and the fix --------------------------------------

BAD_FILES = {
    "syntax": ('name = "Kitchen\n', ["not valid TOML", "line 1", "fix that line"]),
    "unknown_top_key": (toml_text(top='name = "Kitchen"\nnmae = 1'), ["'nmae'", "did you mean 'name'?"]),
    "unknown_videos_key": (toml_text(videos='root = "clips"\ntest_fractoin = 0.3'),
                           ["'test_fractoin' in [videos]", "did you mean 'test_fraction'?"]),
    "name_below_a_table": (toml_text(top="", images='root = "photos"\nname = "Kitchen"'),
                           ["'name' in [images]", "goes above the first [table]"]),
    "wrong_type_fraction": (toml_text(videos='root = "clips"\ntest_fraction = "0.3"'),
                            ['[videos] test_fraction = "0.3" is a string, not a number', "test_fraction = 0.3"]),
    "wrong_type_root": (toml_text(images="root = 3"), ["[images] root = 3 is an integer, not a string", "root ="]),
    "wrong_type_seed": (toml_text(videos='root = "clips"\nseed = 1.5'), ["[videos] seed = 1.5", "seed = 0"]),
    "wrong_type_images": ('name = "K"\nimages = "photos"\n[videos]\nroot = "clips"\n',
                          ['images = "photos" is a string, not a table', "[images] with root"]),
    "class_value": (toml_text(table={"cutting vegetables": 3}), ['[classes] "cutting vegetables" = 3', "string"]),
    "no_name": (toml_text(top=""), ["no name", 'add name = "Kitchen"']),
    "no_root": (toml_text(videos='test_fraction = 0.3'), ["[videos] has no root", 'add root = "/data/kitchen_clips"']),
    "name_a_path": (toml_text(top='name = "../elsewhere"'), ["not a plain folder name", "letters A-Z"]),
    "name_built_in": (toml_text(top='name = "synthetic"'), ["built-in pair's name", "choose another"]),
    "root_missing": (toml_text(images='root = "fotos"'), ["[images] root", "does not exist", "point it at"]),
    "layout": (toml_text(videos='root = "clips"\nlayout = "ucf"'), ["[videos] layout", "did you mean 'ucf101'?"]),
    "list_and_fraction": (toml_text(videos='root = "clips"\ntest_list = "splits/test.txt"\ntest_fraction = 0.3'),
                          ["both test_list and test_fraction", "keep one"]),
    "fraction_range": (toml_text(videos='root = "clips"\ntest_fraction = 1.5'), ["test_fraction = 1.5", "e.g."]),
    "list_missing": (toml_text(videos='root = "clips"\ntest_list = "test.txt"'), ["[videos] test_list", "not a file"]),
    "group_regex": (toml_text(videos='root = "clips"\ngroup = "_g(\\\\d+_"'), ["[videos] group", "regular expr"]),
    "group_no_group": (toml_text(videos='root = "clips"\ngroup = "_g\\\\d+_"'), ["[videos] group", "parentheses"]),
    "split_key_with_a_layout": (toml_text(videos='root = "clips"\nlayout = "hmdb51"\nseed = 2'),
                                ["[videos] seed", "own splits", "remove seed"]),
    "classes_image_folder": (toml_text(table={"cuting vegetables": "CuttingInKitchen", **TABLE}),
                             ['[classes] "cuting vegetables"', "no image class folder", "did you mean 'cutting veg"]),
    "classes_video_folder": (toml_text(table={**TABLE, "riding a horse": "HorseRidin"}),
                             ["no video class folder 'HorseRidin'", "did you mean 'HorseRiding'?"]),
    "classes_not_one_to_one": (toml_text(table={**TABLE, "riding a horse": "CuttingInKitchen"}),
                               ["'CuttingInKitchen' is mapped from two image classes", "map one image folder"]),
    "one_class": (toml_text(table={"riding a horse": "HorseRiding"}), ["1 class", "at least 2"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_pair_file_is_refused_in_one_line(kitchen, case):
    text, expected = BAD_FILES[case]
    path = write_toml(kitchen, text)
    message = refusal(path)
    assert "\n" not in message and message.startswith(f"{path}: ")
    for part in expected:
        assert part in message


BAD_TREES = {   # refused when the manifest is built: (test list, the tree's changes, what the line says)
    "list_line_missing": ("HorseRiding/v_g09_c01.avi\n", {}, ["test.txt: line 1", "not a file", "fix or remove"]),
    "list_line_outside": ("CuttingInKitchen/sub/v_g03_c01.mkv\n../photos/x.avi\n", {},
                          ["test.txt: line 2", "outside the videos root", "fix or remove"]),
    "list_line_not_a_video": ("CuttingInKitchen/notes.txt\n", {}, ["line 1", "not a video", "fix or remove"]),
    "no_test_video": ("CuttingInKitchen/sub/v_g03_c01.mkv\nHorseRiding/v_g01_c01.avi\n", {},
                      ["'Suppe kochen ü' has no test video", "list at least one"]),
    "no_training_video": (TEST_LIST + "Suppe kochen ü/v_g01_c01.avi\n", {},
                          ["'Suppe kochen ü' has no training video"]),
    "one_image": (TEST_LIST, {"photos/Brühe kochen/2.jpg": None, "photos/Brühe kochen/2.heic": b"x"},
                  ["image class 'Brühe kochen' has 1 image file", "'Brühe kochen/2.heic'", "at least 2"]),
}


@pytest.mark.parametrize("case", list(BAD_TREES))
def test_bad_tree_is_refused_in_one_line_naming_it(tmp_path, case):
    test_list, changes, expected = BAD_TREES[case]
    make_tree(tmp_path)
    (tmp_path / "clips" / "splits" / "test.txt").write_text(test_list, encoding="utf-8")
    for rel, content in changes.items():
        (tmp_path / rel).unlink() if content is None else (tmp_path / rel).write_bytes(content)
    message = refusal(write_toml(tmp_path, toml_text()), build=True)
    assert "\n" not in message
    for part in expected:
        assert part in message


def test_two_spellings_of_one_class_are_refused(tmp_path):
    make_tree(tmp_path, images={**IMAGES, "Riding_A_Horse": ["1.jpg", "2.jpg"]})
    message = refusal(write_toml(tmp_path, toml_text()))
    assert "\n" not in message and "folders 'Riding_A_Horse' and 'riding a horse'" in message
    assert "merge or rename them" in message


def test_a_video_class_too_small_to_draw_from_is_named(tmp_path):
    make_tree(tmp_path, videos={**VIDEOS, "Suppe kochen ü": ["v_g01_c01.avi", "v_g01_c02.avi"]})
    text = toml_text(videos='root = "clips"\ngroup = "_g(\\\\d+)_"')
    message = refusal(write_toml(tmp_path, text), build=True)
    assert "\n" not in message and "video class 'Suppe kochen ü' has 1 group (2 video(s))" in message
    assert "at least 2" in message


def test_a_group_pattern_matching_nothing_is_refused(kitchen):
    message = refusal(write_toml(kitchen, toml_text(videos='root = "clips"\ngroup = "_grp(\\\\d+)_"')), build=True)
    assert "\n" not in message and "[videos] group" in message and "matches no video" in message


def test_a_test_list_splitting_a_group_is_refused(tmp_path):
    make_tree(tmp_path, videos={**VIDEOS, "HorseRiding": ["v_g01_c01.avi", "v_g01_c02.avi", "v_g02_c01.avi"]})
    (tmp_path / "clips" / "splits" / "test.txt").write_text(
        "HorseRiding/v_g01_c01.avi\nCuttingInKitchen/sub/v_g03_c01.mkv\nSuppe kochen ü/v_g02_c01.avi\n")
    text = toml_text(videos='root = "clips"\ntest_list = "splits/test.txt"\ngroup = "_g(\\\\d+)_"')
    message = refusal(write_toml(tmp_path, text), build=True)
    assert "\n" not in message and "group '01'" in message and "both sides" in message
    assert "'HorseRiding/v_g01_c01.avi' listed" in message     # a group spans the classes


# --- the digest's input ------------------------------------------------------------------------------------

def test_digest_is_what_the_file_describes_not_its_path_time_or_text(kitchen, tmp_path):
    path = write_toml(kitchen, toml_text())
    digest = custom.pair_digest(custom.load_pair_file(path))
    elsewhere = tmp_path / "copy.toml"                                # the same folders, reached from elsewhere
    elsewhere.write_text("# a copy\n" + toml_text().replace('"photos"', f'"{kitchen}/photos"')
                         .replace('"clips"', f'"{kitchen}/clips"'), encoding="utf-8")
    assert custom.pair_digest(custom.load_pair_file(elsewhere)) == digest
    edits = [toml_text(top='name = "Kitchen2"'), toml_text(table=dict(list(TABLE.items())[:2])),
             toml_text(videos='root = "clips"'), toml_text(videos='root = "clips"\nseed = 1'),
             toml_text(videos='root = "clips"\ntest_fraction = 0.5'),
             toml_text(videos='root = "clips"\ngroup = "_g(\\\\d+)_"')]
    digests = {custom.pair_digest(custom.load_pair_file(write_toml(kitchen, text))) for text in edits}
    assert len(digests) == len(edits) and digest not in digests     # every key is in it
    assert custom.pair_digest(custom.load_pair_file(write_toml(kitchen, toml_text()))) == digest
    listed = kitchen / "clips" / "splits" / "test.txt"
    before = listed.read_text(encoding="utf-8")
    try:
        listed.write_text(before + "CuttingInKitchen/v_g01_c01.avi\n", encoding="utf-8")
        assert custom.pair_digest(custom.load_pair_file(path)) != digest          # the test list's content too
    finally:
        listed.write_text(before, encoding="utf-8")
    assert custom.is_pair_file("x/My.TOML") and not custom.is_pair_file("SYNTHETIC")


def test_a_pair_value_names_a_builtin_pair_or_a_pair_file(kitchen, tmp_path):
    path = write_toml(kitchen, toml_text())
    assert custom.pair_of("SYNTHETIC").name == custom.pair_name("SYNTHETIC") == "SYNTHETIC"
    spelt = kitchen / "clips" / ".." / path.name                     # another spelling of the same file
    assert custom.pair_of(spelt) is custom.pair_of(path)             # loaded once per content
    assert custom.pair_of(spelt).path == str(path) and custom.pair_name(spelt) == "Kitchen"
    with pytest.raises(DataError, match="cannot read the pair file"):
        custom.pair_of(tmp_path / "nowhere.toml")
    with pytest.raises(DataError, match="or the path of a pair file"):
        custom.pair_of("NOPE")


def test_a_tree_of_videos_has_one_split(kitchen):
    pair = custom.load_pair_file(write_toml(kitchen, toml_text()))
    pair.videos.check_split(1)
    message = refusal_of(lambda: manifest.build(pair, kitchen, 2))
    assert "\n" not in message and message.startswith("--split 2: the videos of") and "drop --split" in message


def refusal_of(call) -> str:
    with pytest.raises(DataError) as e:
        call()
    return str(e.value)


def test_sections_of_other_pair_files_are_told_from_misspellings():
    sections = ["SYNTHETIC", "Kitchen", "Garden", "SYNTHETICS", "Kitchn", "my pair"]
    assert custom.other_pair_sections(sections) == ("Kitchen", "Garden", "Kitchn")
    assert custom.other_pair_sections(sections, "Kitchen") == ("Garden", "Kitchn")   # Kitchen: its own section
    assert custom.other_pair_sections(["Kitchn", "Garden"], "Kitchen") == ("Garden",)  # the run's, misspelt


def test_suggestion_pairs_one_to_one():
    pairs, _ = custom_classes.suggest(["riding a horse", "riding a bike", "chopping onions"],
                                      ["HorseRiding", "Biking"])
    assert pairs == [("riding a horse", "HorseRiding"), ("riding a bike", "Biking"), ("chopping onions", None)]
    unknown_words, provider = custom_classes.suggest(["riding a horse", "qxzv"], ["HorseRiding", "Qxzvv"])
    assert unknown_words == [("riding a horse", "HorseRiding"), ("qxzv", "Qxzvv")] and provider == "hashed_ngrams"
