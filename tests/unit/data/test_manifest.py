"""The manifest (pipeline/data/manifest.py): every mapped class of a pair, and every problem of a tree at once."""
import pytest

from pipeline.data import manifest
from pipeline.data.pairs import PAIRS, normalise
from pipeline.errors import DataError
from tests.helpers import official_layouts as L


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
