"""The report's figures (pipeline/report/figures.py)."""
from pipeline.report import figures
from tests.helpers.reports import assert_png


def test_training_curves_cope_with_any_history(tmp_path):
    assert figures.plot_training_curves([], tmp_path / "empty.png") == []
    terms = figures.plot_training_curves([dict(epoch=1, seconds=1, loss=2.0, lr=0.1)], tmp_path / "one.png")
    assert terms == ["loss", "lr"]
    assert_png(tmp_path / "one.png")
