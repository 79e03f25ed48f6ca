"""Your own data (issue 25): `luigi --module tasks RunExperiment --pair PATH.toml` on a tree a user would have.

The tree is SYNTHETIC's tiny data re-arranged as a user's folders: image class folders named unlike the video
classes (a [classes] table maps them; spaces, a non-ASCII letter), stills as .jpg, .png and .JPG and clips as .avi,
.mp4, .MP4 and .mkv (re-encoded by pipeline.video.encode) in nested folders, a .DS_Store, a Thumbs.db and notes.txt
beside them, and a test list. One run with the list and one with test_fraction and group share the assertions.
The settings are TINY_CFG's, given in the pair file's own [pair:<name>] section.
"""
import configparser
import json
import os
import re
import shutil
from pathlib import Path

import av
import pytest
from PIL import Image

from pipeline.data import synthetic
from pipeline.predict.cli import main as divafn_predict
from pipeline.video.encode import write_video
from tests.helpers.luigi_process import FAST_CFG, run_luigi

# Stanford40 action → the image folder a user might have named it; UCF101 action → its video folder
IMAGE_FOLDERS = {"shooting_an_arrow": "Bogenschießen", "brushing_teeth": "teeth brushing",
                 "cutting_vegetables": "cutting vegetables", "throwing_frisby": "frisbee throw",
                 "rowing_a_boat": "rowing a boat", "walking_the_dog": "dog walk",
                 "writing_on_a_board": "blackboard writing", "cleaning_the_floor": "floor cleaning"}
VIDEO_FOLDERS = {"Archery": "Archery", "BrushingTeeth": "BrushingTeeth", "CuttingInKitchen": "CuttingInKitchen",
                 "FrisbeeCatch": "FrisbeeCatch", "Rowing": "Rowing", "WalkingWithDog": "Walking With Dog",
                 "WritingOnBoard": "WritingOnBoard", "MoppingFloor": "MoppingFloor"}
TABLE = {IMAGE_FOLDERS[i]: VIDEO_FOLDERS[v] for i, v in synthetic.PAIRS["SYNTHETIC"].class_map.items()}
LEFT_OUT = "floor cleaning"           # the class the first pair file leaves out (then adds: acceptance 4)
IGNORED = {"photos": [".DS_Store", "teeth brushing/.DS_Store", "teeth brushing/notes.txt", "dog walk/Thumbs.db"],
           "clips": [".DS_Store", "notes.txt", "Archery/.DS_Store", "Rowing/notes.txt"]}
GROUPS_SEED, GROUPS_TEST = 3, ["03", "04"]   # the groups test_fraction 0.4 draws with seed 3, on every machine


def _settings(name: str) -> str:
    """TINY_CFG (+ one λ, FAST_CFG) with [pair:SYNTHETIC]'s options in [pair:<name>]."""
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str
    cp.read_string(FAST_CFG)
    return f"[pair:{name}]\n" + "".join(f"{k} = {v}\n" for k, v in cp.items("pair:SYNTHETIC"))


def _still(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.suffix == ".png":
        Image.open(src).save(dst)
    else:
        shutil.copy(src, dst)                  # a JPEG, as .jpg or .JPG


def _clip(src: Path, dst: Path) -> None:
    """`src` copied (.avi) or re-encoded into dst's container (.mp4, .MP4, .mkv)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.suffix == ".avi":
        shutil.copy(src, dst)
        return
    import numpy as np
    with av.open(str(src)) as c:
        frames = np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)])
    write_video(dst.with_suffix(".tmp" + dst.suffix), frames)       # the container follows the suffix
    dst.with_suffix(".tmp" + dst.suffix).rename(dst)


def make_own_tree(root: Path) -> dict:
    """SYNTHETIC's tiny data re-arranged under root (photos/, clips/, clips/splits/test.txt); returns
    {video path relative to clips/: its official split}."""
    data = root / "synthetic"
    synthetic.generate(data, 0, "tiny", processes=1)
    for n, src in enumerate(sorted((data / "Stanford40" / "JPEGImages").glob("*.jpg"))):
        action, number = src.stem.rsplit("_", 1)
        folder = root / "photos" / IMAGE_FOLDERS[action]
        _still(src, folder / ["set 1/Foto ü {}.jpg", "set 2/deeper/{}.png", "{}.JPG"][n % 3].format(number))
    splits = {}
    for list_name, split in (("trainlist01.txt", "train"), ("testlist01.txt", "test")):
        for line in (data / "UCF101" / "ucfTrainTestlist" / list_name).read_text().splitlines():
            if line.strip():
                splits[line.split()[0]] = split
    where = {}
    for n, official in enumerate(sorted(splits)):
        cls, name = official.split("/")
        stem = Path(name).stem
        rel = f"{VIDEO_FOLDERS[cls]}/" + ["day 1/{}.avi", "{}.mp4", "more/deep/{}.mkv", "{}.MP4", "{}.avi"][n % 5] \
            .format(stem)
        _clip(data / "UCF101" / "UCF-101" / official, root / "clips" / rel)
        where[rel] = splits[official]
    for side, files in IGNORED.items():
        for rel in files:
            (root / side / rel).write_bytes(b"not media")
    (root / "clips" / "splits").mkdir()
    (root / "clips" / "splits" / "test.txt").write_text("".join(f"{p}\n" for p, s in where.items() if s == "test"),
                                                        encoding="utf-8")
    shutil.rmtree(data)
    return where


def pair_file(path: Path, name: str, videos: str, table: dict, images: str = 'root = "photos"') -> Path:
    rows = "".join(f"{json.dumps(i, ensure_ascii=False)} = {json.dumps(v, ensure_ascii=False)}\n"
                   for i, v in table.items())
    path.write_text(f'name = "{name}"\n\n[images]\n{images}\n\n[videos]\n{videos}\n\n[classes]\n{rows}',
                    encoding="utf-8")
    return path


def ran(stderr: str) -> list:
    """The stages a run ran (Luigi's summary)."""
    m = re.search(r"\* \d+ ran successfully:\n((?:    - .*\n)+)", stderr)
    return re.findall(r"- \d+ (\w+)\(", m[1]) if m else []


def last_line_folder(cwd: Path, stderr: str) -> Path:
    """The folder the run's last line names ("RunExperiment <name>: artifacts/<name>/RunExperiment-<hash>/")."""
    return cwd / re.findall(r"^RunExperiment \S+: (\S+)/$", stderr, re.M)[-1]


@pytest.fixture(scope="module")
def own_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("own data")          # a space in every path
    return root, make_own_tree(root)


def _run(root: Path, toml: Path, name: str, work: Path):
    work.mkdir()
    r = run_luigi(["RunExperiment", "--pair", str(toml)], work, _settings(name))
    assert r.returncode == 0, r.stderr[-4000:]
    assert "Traceback" not in r.stderr
    return work, r, last_line_folder(work, r.stderr)


@pytest.fixture(scope="module")
def listed_run(own_tree):
    """The pair file with a test list and 7 of the 8 classes in [classes]: (work dir, the run, its folder, toml)."""
    root, _ = own_tree
    table = {i: v for i, v in TABLE.items() if i != LEFT_OUT}
    toml = pair_file(root / "own.toml", "OwnTiny", 'root = "clips"\ntest_list = "splits/test.txt"', table)
    return (*_run(root, toml, "OwnTiny", root / "work listed"), toml)


@pytest.fixture(scope="module")
def grouped_run(own_tree):
    root, _ = own_tree
    videos = f'root = "clips"\ntest_fraction = 0.4\ngroup = "_g(\\\\d+)_"\nseed = {GROUPS_SEED}'
    toml = pair_file(root / "grouped.toml", "OwnGroups", videos, TABLE)
    return (*_run(root, toml, "OwnGroups", root / "work grouped"), toml)


def _metrics(folder: Path) -> dict:
    return json.loads((folder / "metrics.json").read_text())


def _manifest(work: Path, metrics: dict) -> dict:
    (path,) = metrics["artifacts"]["BuildManifest"]
    return json.loads((work / path).read_text())


def test_a_listed_split_runs_end_to_end_and_the_report_names_the_pair(own_tree, listed_run):
    root, where = own_tree
    work, r, folder, _ = listed_run
    assert folder.parent == work / "artifacts" / "OwnTiny"                     # artifacts/<name>/, not the path
    assert {p.name for p in (work / "artifacts").iterdir()} == {"OwnTiny"}
    assert list((folder.parent / "logs").glob("*.log"))                        # the run log beside them
    m = _metrics(folder)
    classes = [v for i, v in TABLE.items() if i != LEFT_OUT]
    assert m["pair"] == "OwnTiny" and m["pair_file"] == str(root / "own.toml") and m["classes"] == classes
    assert m["parameters"]["TrainDIVAFN"]["image_size"] == "64"                # [pair:OwnTiny] was read
    assert m["parameters"]["BuildManifest"]["pair"] == "OwnTiny"               # the name, not the path
    assert m["data"]["ignored"] == {"images": 4, "videos": 4}
    report = (folder / "report.md").read_text()
    assert report.startswith("# DIVAFN on OwnTiny") and f"the pair file `{root / 'own.toml'}`" in report
    assert all(f"| {c} |" in report for c in classes)
    assert "4 under the images root, 4 under the videos root" in report
    manifest = _manifest(work, m)
    used = {p: s for p, s in where.items() if not p.startswith(VIDEO_FOLDERS["MoppingFloor"])}
    assert {v["id"]: v["split"] for v in manifest["videos"]} == used           # the list's split, every container
    assert {Path(v["id"]).suffix for v in manifest["videos"]} == {".avi", ".mp4", ".MP4", ".mkv"}
    assert {Path(i["id"]).suffix for i in manifest["images"]} == {".jpg", ".png", ".JPG"}
    assert sorted(manifest["ignored"]["images"]) == sorted(IGNORED["photos"])
    assert sorted(manifest["ignored"]["videos"]) == sorted(IGNORED["clips"])
    warnings = [ln for ln in r.stderr.splitlines() if "left out" in ln]        # the class without an entry
    assert len(warnings) == 1 and f"'{LEFT_OUT}'" in warnings[0] and "'MoppingFloor'" in warnings[0]


def test_a_drawn_grouped_split_runs_end_to_end_and_keeps_each_group_on_one_side(grouped_run):
    work, r, folder, _ = grouped_run
    m = _metrics(folder)
    assert folder.parent == work / "artifacts" / "OwnGroups" and m["classes"] == list(TABLE.values())
    videos = _manifest(work, m)["videos"]
    group = {v["id"]: re.search(r"_g(\d+)_", v["id"])[1] for v in videos}
    sides = {}
    for v in videos:
        sides.setdefault(group[v["id"]], set()).add(v["split"])
    assert all(len(s) == 1 for s in sides.values()), sides                    # no group on both sides
    assert sorted(g for g, s in sides.items() if s == {"test"}) == GROUPS_TEST   # the seed's draw, anywhere
    assert "# DIVAFN on OwnGroups" in (folder / "report.md").read_text()


def _test_clips(work: Path, folder: Path, dest: Path) -> dict:
    """The run's test videos copied into dest; {file name: results.json's divafn class}."""
    m = _metrics(folder)
    (results,) = [p for p in m["artifacts"]["FitClassifier"] if p.endswith("results.json")]
    res = json.loads((work / results).read_text())
    paths = {v["id"]: v["path"] for v in _manifest(work, m)["videos"]}
    want = {}
    for vid, label in zip(res["test_ids"], res["methods"]["divafn"]["predicted"]):
        shutil.copy(paths[vid], dest / Path(vid).name)
        want[Path(vid).name] = res["classes"][label]
    return want


def test_predict_and_divafn_predict_classify_the_test_clips_as_the_run_did(listed_run, tmp_path):
    work, _, folder, toml = listed_run
    clips = tmp_path / "new clips"
    clips.mkdir()
    want = _test_clips(work, folder, clips)
    r = run_luigi(["Predict", "--pair", str(toml), "--videos", str(clips)], work)
    assert r.returncode == 0, r.stderr[-3000:]
    assert set(ran(r.stderr)) == {"PredictShard", "Predict"}                   # nothing retrained
    (predicted,) = (work / "artifacts" / "OwnTiny").glob("Predict-*/predictions.json")
    rows = json.loads(predicted.read_text())["predictions"]
    assert {Path(p["path"]).name: p["predicted"] for p in rows} == want
    assert divafn_predict(["--run", str(folder), str(clips), "--out", str(tmp_path / "out")]) == 0
    rows = json.loads((tmp_path / "out" / "predictions.json").read_text())["predictions"]
    assert {Path(p["path"]).name: p["predicted"] for p in rows} == want


def test_the_files_place_and_time_change_nothing_and_an_added_class_makes_new_outputs(own_tree, listed_run):
    root, _ = own_tree
    work, _, folder, toml = listed_run
    os.utime(toml, (toml.stat().st_atime, toml.stat().st_mtime + 3600))         # touched
    again = run_luigi(["RunExperiment", "--pair", str(toml)], work)
    assert again.returncode == 0 and ran(again.stderr) == [], again.stderr[-3000:]
    assert last_line_folder(work, again.stderr) == folder
    moved = root / "elsewhere" / "copy of own.toml"                            # the same folders, from elsewhere
    moved.parent.mkdir()
    moved.write_text(toml.read_text().replace('"photos"', '"../photos"').replace('"clips"', '"../clips"'),
                     encoding="utf-8")
    again = run_luigi(["RunExperiment", "--pair", str(moved)], work)
    assert again.returncode == 0 and ran(again.stderr) == [], again.stderr[-3000:]
    assert last_line_folder(work, again.stderr) == folder

    edited = root / "edited.toml"                                              # the class added
    edited.write_text(toml.read_text() + f'"{LEFT_OUT}" = "MoppingFloor"\n', encoding="utf-8")
    r = run_luigi(["PrepareImages", "--pair", str(edited)], work)
    assert r.returncode == 0, r.stderr[-3000:]
    assert sorted(ran(r.stderr)) == ["BuildManifest", "PrepareImages"]
    manifests = sorted((work / "artifacts" / "OwnTiny").glob("BuildManifest-*/manifest.json"))
    assert len(manifests) == 2 and len(list((work / "artifacts" / "OwnTiny").glob("PrepareImages-*"))) == 2
    assert sorted(len(json.loads(p.read_text())["classes"]) for p in manifests) == [7, 8]


# --- bad input: one line (the suggested [classes] block after it), the exit code, nothing written ------------------

def _bad_syntax(root):
    return 'name = "Bad\n[images]\nroot = "photos"\n', ["not valid TOML", "line 1"]


def _unknown_key(root):
    return (f'nmae = "Bad"\n[images]\nroot = "{root}/photos"\n[videos]\nroot = "{root}/clips"\n',
            ["unknown key 'nmae' at the top level", "did you mean 'name'?"])


def _missing_class_folder(root):
    return (f'name = "Bad"\n[images]\nroot = "{root}/photos"\n[videos]\nroot = "{root}/clips"\n'
            f'test_list = "splits/test.txt"\n[classes]\n"dog walk" = "Walking With Dog"\n"dog walks" = "Rowing"\n',
            ['[classes] "dog walks" = "Rowing"', "has no image class folder 'dog walks'",
             "did you mean 'dog walk'?"])


def _names_do_not_match(root):
    return (f'name = "Bad"\n[images]\nroot = "{root}/photos"\n[videos]\nroot = "{root}/clips"\n'
            f'test_list = "splits/test.txt"\n', ["no image class folder", "add a [classes] table"])


@pytest.mark.parametrize("case", [_bad_syntax, _unknown_key, _missing_class_folder, _names_do_not_match])
def test_a_bad_pair_file_is_one_line_exit_40_and_nothing_written(own_tree, tmp_path, case):
    root, _ = own_tree
    text, says = case(root)
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    r = run_luigi(["RunExperiment", "--pair", "bad.toml"], tmp_path)
    assert r.returncode == 40, r.stderr[-3000:]                 # [retcode] unhandled_exception, as every refusal
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith(f"ERROR: {tmp_path / 'bad.toml'}: ") and all(s in lines[0] for s in says), lines[0]
    if case is _names_do_not_match:                             # the block to paste: each image class once
        assert lines[1] == "[classes]" and len(lines) == 2 + len(IMAGE_FOLDERS), lines
        assert sorted(json.loads(ln.split(" = ")[0]) for ln in lines[2:]) == sorted(IMAGE_FOLDERS.values())
    else:
        assert len(lines) == 1, lines
    assert "Traceback" not in r.stderr and not (tmp_path / "artifacts").exists()


def test_a_setting_the_pair_file_cannot_take_is_refused_as_a_bad_setting(own_tree, tmp_path):
    root, _ = own_tree
    toml = pair_file(tmp_path / "p.toml", "OwnTiny", f'root = "{root}/clips"\ntest_list = "splits/test.txt"',
                     TABLE, f'root = "{root}/photos"')
    cases = [(["--split", "2"], "", "--split 2: the videos of"),
             ([], "[pair:OwnTiyn]\nepochs = 1\n", "no pair 'OwnTiyn' (did you mean OwnTiny?)")]
    for args, cfg, says in cases:         # BuildManifest: were the check to pass, the run would stay short
        r = run_luigi(["BuildManifest", "--pair", str(toml), *args], tmp_path, cfg)
        assert r.returncode == 40, r.stderr[-3000:]
        assert r.stderr.strip().splitlines() == [r.stderr.strip()] and says in r.stderr, r.stderr[-3000:]
        assert not (tmp_path / "artifacts").exists()


def test_a_class_too_small_is_one_line_when_the_data_is_checked_and_nothing_written(own_tree, tmp_path):
    root, _ = own_tree
    shutil.copytree(root / "photos" / "frisbee throw", tmp_path / "photos" / "frisbee throw")
    (one,) = sorted((root / "photos" / "rowing a boat").glob("*.JPG"))[:1]
    (tmp_path / "photos" / "rowing a boat").mkdir()
    shutil.copy(one, tmp_path / "photos" / "rowing a boat" / one.name)           # a class of 1 image
    toml = pair_file(tmp_path / "p.toml", "Small", f'root = "{root}/clips"\ntest_list = "splits/test.txt"',
                     {"frisbee throw": "FrisbeeCatch", "rowing a boat": "Rowing"})
    r = run_luigi(["RunExperiment", "--pair", str(toml)], tmp_path)
    assert r.returncode == 30, r.stderr[-3000:]       # [retcode] task_failed: as a built-in pair's missing data
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("ERROR")]
    assert len(errors) == 1 and "image class 'rowing a boat' has 1 image file(s)" in errors[0], r.stderr[-3000:]
    assert "Traceback" not in r.stderr and not (tmp_path / "artifacts").exists()
