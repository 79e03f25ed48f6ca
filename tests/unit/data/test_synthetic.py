"""SYNTHETIC's sizes (pipeline/data/synthetic.py): the multiples and the ucf101 size, written in the official
layouts, byte-identical for a seed whatever the number of processes, and read back by the manifest."""
import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.data import manifest, pairs, synthetic


def tree(root) -> dict:
    """{relative path: sha256} of every file under root."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


@pytest.fixture
def small_sizes(monkeypatch):
    """tiny, and an x2 of it, with short small clips (the multiples' code, at a size a test can afford)."""
    tiny = replace(synthetic.SIZES["tiny"], images_per_class=2, train_videos_per_class=1, test_videos_per_class=1,
                   frames=4, width=32, height=32)
    monkeypatch.setitem(synthetic.SIZES, "tiny", tiny)
    monkeypatch.setitem(synthetic.SIZES, "x2", replace(tiny, images_per_class=4, train_videos_per_class=2,
                                                       test_videos_per_class=2))


def test_multiples_scale_the_default_per_class_and_keep_its_classes():
    d = synthetic.SIZES["default"]
    for m in (2, 4, 8, 16):
        s = synthetic.SIZES[f"x{m}"]
        assert (s.images_per_class, s.train_videos_per_class, s.test_videos_per_class) == \
               (m * d.images_per_class, m * d.train_videos_per_class, m * d.test_videos_per_class)
        assert (s.frames, s.width, s.height) == (d.frames, d.width, d.height)
        assert synthetic.pair(f"x{m}") is pairs.PAIRS["SYNTHETIC"]


def test_x2_is_the_same_bytes_whatever_the_number_of_processes_and_holds_the_smaller_sizes_files(tmp_path, small_sizes):
    one = synthetic.generate(tmp_path / "p1", seed=3, size="x2", processes=1)
    synthetic.generate(tmp_path / "p2", seed=3, size="x2", processes=2)
    assert one["images"] == 8 * 4 and one["videos"] == 8 * 4 and one["seconds"] > 0
    a, b = tree(tmp_path / "p1"), tree(tmp_path / "p2")
    assert a == b and len(a) == 64 + 7 + 8 * 2 + 1        # files, UCF101 lists, Stanford40 splits, actions.txt
    synthetic.generate(tmp_path / "t", seed=3, size="tiny", processes=1)
    pictures = {p: h for p, h in tree(tmp_path / "t").items() if p.endswith((".avi", ".jpg"))}
    assert pictures and all(a[p] == h for p, h in pictures.items())   # each class drawn as at the smaller size
    m = manifest.build(synthetic.pair("x2"), tmp_path / "p1")
    assert len(m.classes) == 8 and len(m.images) == 32 and len(m.videos_in("train")) == 16


def test_ucf101_counts_are_ucf101s_and_bu101s_totals_over_its_101_classes():
    p = synthetic.pair("ucf101")
    assert p.classes == list(pairs.UCF101_CLASSES) and p.images.kind == "imagefolder" and p.images.folder == "BU101"
    n = len(p.classes)
    got = [synthetic.counts("ucf101", k, n) for k in range(n)]
    assert sum(i for i, _ in got) == synthetic.BU101_IMAGES == 23_800
    assert sum(v for _, v in got) == synthetic.UCF101_VIDEOS == 13_320
    assert max(v for _, v in got) - min(v for _, v in got) == 1


def test_ucf101_is_written_as_bu101_and_ucf101_with_its_group_split_protocol(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "UCF101_VIDEOS", 101 * 4)
    monkeypatch.setattr(synthetic, "BU101_IMAGES", 101)
    monkeypatch.setattr(synthetic, "UCF101_GROUPS", 4)
    monkeypatch.setattr(synthetic, "UCF101_TEST_GROUPS", 1)
    monkeypatch.setitem(synthetic.SIZES, "ucf101", replace(synthetic.SIZES["ucf101"], frames=2, width=32, height=32))
    stats = synthetic.generate(tmp_path, seed=0, size="ucf101", processes=1)
    assert (stats["classes"], stats["images"], stats["videos"]) == (101, 101, 404)
    assert (tmp_path / "BU101" / "YoYo" / "YoYo_0001.jpg").is_file()
    assert (tmp_path / "UCF101" / "UCF-101" / "YoYo" / "v_YoYo_g04_c01.avi").is_file()
    for split in (1, 2, 3):
        m = manifest.build(synthetic.pair("ucf101"), tmp_path, split)
        assert m.classes == list(pairs.UCF101_CLASSES) and len(m.images) == 101
        test = m.videos_in("test")
        assert len(test) == 101 and {v.id.split("_g")[1][:2] for v in test} == {f"{split:02d}"}
