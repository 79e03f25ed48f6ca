"""report.md's text (pipeline/report/markdown.py): a verdict that follows the numbers, the rejected items listed."""
from pipeline import report
from tests.helpers.reports import fake_run, write


def verdict_of(md: str) -> str:
    return md.split("\n\n")[1]


def test_verdict_follows_the_numbers(tmp_path):
    _, md = write(tmp_path / "a", n_test=60, divafn_right=0.9, video_right=0.3, others=dict(divafn_untrained=0.3))
    v = verdict_of(md)
    assert "**The images and keyframes helped.**" in v and "Training helped:" in v and "The domains aligned" in v
    assert "above chance" in v and "Significantly ahead" not in v
    _, md = write(tmp_path / "b", n_test=8, divafn_right=0.5, video_right=0.375)
    assert "**Inconclusive against the videos alone.**" in verdict_of(md)
    _, md = write(tmp_path / "c", n_test=40, divafn_right=0.25, video_right=0.6)
    assert "**The adaptation hurt.**" in verdict_of(md) and "not distinguishable from chance" in verdict_of(md)


def test_verdict_says_plainly_when_training_did_not_help_and_nothing_aligned(tmp_path):
    _, md = write(tmp_path / "a", n_test=80, divafn_right=0.6, video_right=0.3, aligned=False,
                  others=dict(divafn_untrained=0.6, divafn_no_fusion=0.95))
    v = verdict_of(md)
    assert "**Training did not measurably help:**" in v and "**The domains did not align**" in v
    assert "Significantly ahead of DIVAFN: `divafn_no_fusion` (95.0%)" in v
    _, md = write(tmp_path / "b", n_test=80, divafn_right=0.5, video_right=0.3, others=dict(divafn_untrained=0.9))
    assert "**Training did not help:** it made things worse;" in verdict_of(md)


def test_rejected_items_are_listed(tmp_path):
    m, results, features, history = fake_run()
    m["rejects"] = [dict(modality="video", id="UCF-101/Biking/v_Biking_g01_c01.avi", path="/d/UCF-101/Biking/v_Biking_g01_c01.avi",
                         reason="no decodable frames", source="ExtractKeyframes, ExtractVideoFeatures")]
    m["warnings"] = [dict(modality="video", id="UCF-101/Biking/v_Biking_g02_c01.avi", warning="its container states 9 frames")]
    report.write_report(tmp_path, m, results, features, history)
    md = (tmp_path / "report.md").read_text()
    section = md.split("## Rejected items", 1)[1].split("\n## ", 1)[0]
    assert "1 items (0 images, 1 videos) could not be used" in section and "`UCF-101/Biking/v_Biking_g01_c01.avi`" in section
    assert "no decodable frames" in section and "ExtractKeyframes, ExtractVideoFeatures" in section
    assert "1 odd files were used, with a warning" in section and "its container states 9 frames" in section
    _, md = write(tmp_path / "a")
    assert "None:" in md.split("## Rejected items", 1)[1].split("\n## ", 1)[0]


def test_a_lambda_at_an_end_says_whether_to_widen_the_grid_or_that_it_was_a_tie():
    metrics = fake_run()[0]
    line = lambda m: next(ln for ln in report.markdown.data_section(m) if ln.startswith("- autoencoder λ"))
    assert "end" not in line(metrics)
    metrics.update(lambda_at_edge=dict(F=100.0, H=0.01, G=0.01), lambda_edge_ties=["G", "H"])
    text = line(metrics)
    assert "at an end of the grid for F: the best λ may lie beyond it (widen [ProjectSemantics] lambda_grid)" in text
    assert "at an end for G, H on a tie" in text and "a wider grid would change nothing" in text
