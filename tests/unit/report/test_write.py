"""A run's report folder (pipeline/report/write.py): every section, links only to files that exist, the alignment
before and after training, the data summary."""
import json
import re

from pipeline import report
from pipeline.data.manifest import Item, Manifest
from pipeline.report.write import FIGURES
from tests.helpers.reports import (
    CLASSES,
    SECTIONS,
    assert_links_exist,
    assert_png,
    write,
)


def test_report_has_every_section_and_links_only_existing_files(tmp_path):
    metrics, md = write(tmp_path)
    for s in SECTIONS:
        assert s in md, s
    assert_links_exist(tmp_path, md)
    for name in FIGURES.values():
        assert_png(tmp_path / name)
    assert json.loads((tmp_path / "metrics.json").read_text())["figures"] == FIGURES
    for cl in CLASSES:                       # per-class table and data table
        assert re.search(rf"^\| {cl} \|", md, re.M)
    assert "| **divafn** |" in md and "| video_only |" in md and "| chance |" in md


def test_alignment_before_and_after(tmp_path):
    metrics, md = write(tmp_path, aligned=True)
    after, before = metrics["alignment"]["after"], metrics["alignment"]["before"]
    assert all(v == 1.0 for v in after.values()), after          # one shared set of class centres
    assert all(v < 0.7 for v in before.values()), before         # random initial features
    assert "| images → videos | " in md and "before training" in md and "after training" in md
    assert "| mean cosine between G items (videos) |" in md and set(metrics["feature_cosines"]) == {"before", "after"}
    metrics, _ = write(tmp_path / "a", aligned=False)
    assert metrics["alignment"]["after"]["images → videos"] < 1.0


def test_report_without_before_features_says_so(tmp_path):
    metrics, md = write(tmp_path, before=False)
    assert list(metrics["alignment"]) == ["after"]
    assert "not in this run's features.h5" in md
    assert_links_exist(tmp_path, md)


def test_data_summary_counts_by_class_and_split():
    m = Manifest("SYNTHETIC", ["A", "B"],
                 [Item("JPEGImages/a_1.jpg", "/d/Stanford40/JPEGImages/a_1.jpg", 0, "train")],
                 [Item("UCF-101/B/v1.avi", "/d/UCF101/UCF-101/B/v1.avi", 1, "test"),
                  Item("UCF-101/B/v2.avi", "/d/UCF101/UCF-101/B/v2.avi", 1, "train")])
    d = report.data_summary(m, 1)
    assert d["images"] == {"A": dict(train=1, test=0), "B": dict(train=0, test=0)}
    assert d["videos"]["B"] == dict(train=1, test=1)
    assert (d["image_root"], d["video_root"], d["split"]) == ("/d/Stanford40", "/d/UCF101", 1)
