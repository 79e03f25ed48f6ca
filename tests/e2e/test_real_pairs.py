"""The four real pairs, end to end, on tiny trees in their publishers' layouts (issue #3).

Each tree holds every class of the pair's table (few items each), real codecs and image kinds, CRLF
lists and classes no pair uses. `RunExperiment --data-root` must complete and report exactly the
pair's classes; a broken tree must stop with one clear error, a non-zero exit and nothing written.
"""
import json
import shutil
from pathlib import Path

import pytest

from pipeline.data.pairs import PAIRS
from tests.helpers import official_layouts as L
from tests.helpers.luigi_process import run_luigi


def tiny_cfg(pair: str) -> str:
    """The smallest settings under which every stage runs (per-pair section: wins over the stages' own)."""
    return f"""
[pair:{pair}]
image_size = 64
fc_dim = 32
video_hidden = 32
epochs = 1
batch_size = 256
n_shards = 1
c = 8
keyframes = 1
embedding_dim = 16
lambda_grid = [1.0]
svm_c = 0.01
# divafn's chains only: the compared methods' (finetune, dann, divafn_plus) are tested on SYNTHETIC's tiny run
chains = []
# the default backbone with its ImageNet trunk frozen (computed once per still): fast
lr_trunk = 0
augment = false
"""


def make_tree(pair: str, data_root: Path) -> None:
    """The pair's two datasets under `data_root`, in their official layouts, every mapped class present."""
    p = PAIRS[pair]
    images = list(p.class_map)
    if pair == "Stanford40_UCF101":
        L.make_stanford40(data_root, images)
    elif pair == "BU101_UCF101":
        L.make_imagefolder(data_root, "BU101", images, n=1)
    else:
        L.make_imagefolder(data_root, p.images.folder, images)
    if p.videos.folder == "HMDB51":
        L.make_hmdb51(data_root, p.classes)
    else:
        L.make_ucf101(data_root, p.classes, unused=("NotInAnyTable",) if pair == "BU101_UCF101" else ("Typing", "NotInAnyTable"))


def read_metrics(cwd: Path, pair: str) -> dict:
    (path,) = (cwd / "artifacts" / pair).glob("RunExperiment-*/metrics.json")
    return json.loads(path.read_text())


@pytest.mark.parametrize("pair", ["Stanford40_UCF101", "ASD_UCF101", "EAD_HMDB51", "BU101_UCF101"])
def test_run_experiment_on_official_layout(tmp_path, pair):
    data, work = tmp_path / "data", tmp_path / "work"
    work.mkdir()
    make_tree(pair, data)
    res = run_luigi(["RunExperiment", "--pair", pair, "--data-root", str(data)], work, tiny_cfg(pair))
    assert res.returncode == 0, res.stdout + res.stderr
    m = read_metrics(work, pair)
    classes = PAIRS[pair].classes
    assert m["classes"] == classes
    assert m["n_test_videos"] == len(classes)            # one test video per class in every tree
    assert m["n_train_videos"] == 2 * len(classes)
    per_class_images = {"Stanford40_UCF101": 2, "BU101_UCF101": 1}.get(pair, 2)
    assert m["n_images"] == per_class_images * len(classes)


def _manifest(cwd: Path, pair: str) -> dict:
    (path,) = (cwd / "artifacts" / pair).glob("BuildManifest-*/manifest.json")
    return json.loads(path.read_text())


def test_split_selects_the_official_split_lists(tmp_path):
    data = tmp_path / "data"
    make_tree("EAD_HMDB51", data)
    tests = {}
    for split in (1, 2):
        work = tmp_path / f"work{split}"
        work.mkdir()
        res = run_luigi(["BuildManifest", "--pair", "EAD_HMDB51", "--data-root", str(data), "--split", str(split)], work)
        assert res.returncode == 0, res.stdout + res.stderr
        tests[split] = {v["id"] for v in _manifest(work, "EAD_HMDB51")["videos"] if v["split"] == "test"}
        assert len(tests[split]) == 15
    assert tests[1].isdisjoint(tests[2])
    res = run_luigi(["BuildManifest", "--pair", "EAD_HMDB51", "--data-root", str(data), "--split", "4"], tmp_path / "work1")
    assert res.returncode != 0 and "--split" in res.stderr


def test_dataset_folder_override_in_luigi_cfg(tmp_path):
    """[datasets] names a dataset's folder when it is not `<data root>/<usual name>`."""
    data, work = tmp_path / "data", tmp_path / "work"
    work.mkdir()
    make_tree("ASD_UCF101", data)
    moved = tmp_path / "elsewhere" / "ucf101-copy"
    moved.parent.mkdir()
    shutil.move(str(data / "UCF101"), str(moved))
    res = run_luigi(["BuildManifest", "--pair", "ASD_UCF101", "--data-root", str(data)], work)
    assert res.returncode != 0 and str(data / "UCF101") in res.stderr and "[datasets] ucf101" in res.stderr
    res = run_luigi(["BuildManifest", "--pair", "ASD_UCF101", "--data-root", str(data)], work,
                    f"[datasets]\nucf101 = {moved}\n")
    assert res.returncode == 0, res.stdout + res.stderr
    videos = _manifest(work, "ASD_UCF101")["videos"]
    assert len(videos) == 30 and all(v["path"].startswith(str(moved)) for v in videos)


def _remove_class_folder(data):
    shutil.rmtree(data / "EAD" / "Riding-A-Bike")
    return ["class riding a bike", str(data / "EAD" / "riding a bike")]


def _remove_split_file(data):
    (data / "HMDB51" / "testTrainMulti_7030_splits" / "kiss_test_split1.txt").unlink()
    return ["class kiss", "kiss_test_split1.txt is missing"]


def _remove_listed_video(data):
    (victim,) = (data / "HMDB51" / "clap").glob("#1_*.avi")
    victim.unlink()
    return ["class clap", "clap_test_split1.txt names 1 file(s) that do not exist", str(victim)]


def _escape_root(data):
    with open(data / "HMDB51" / "testTrainMulti_7030_splits" / "run_test_split1.txt", "a") as f:
        f.write("../../../secret.avi 1 \n")
    return ["run_test_split1.txt names '../../../secret.avi'", "a path that leaves"]


@pytest.mark.parametrize("breakage", [_remove_class_folder, _remove_split_file, _remove_listed_video, _escape_root])
def test_broken_tree_stops_before_any_work(tmp_path, breakage):
    data, work = tmp_path / "data", tmp_path / "work"
    work.mkdir()
    make_tree("EAD_HMDB51", data)
    expected = breakage(data)
    res = run_luigi(["RunExperiment", "--pair", "EAD_HMDB51", "--data-root", str(data)], work, tiny_cfg("EAD_HMDB51"))
    assert res.returncode != 0
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("ERROR")]
    assert len(errors) == 1, res.stderr                        # one error, no traceback
    assert "Traceback" not in res.stderr
    assert all(part in errors[0] for part in expected), errors[0]
    assert "EAD_HMDB51" in errors[0] and "comes from" in errors[0]
    assert not (work / "artifacts").exists()                    # nothing written
