"""report.md's text (pipeline/report/markdown.py): a verdict that follows the numbers, the rejected items listed."""
from pipeline import report
from tests.helpers.reports import fake_run, write


def verdict_of(md: str) -> str:
    return md.split("\n\n")[1]


def test_verdict_follows_the_numbers(tmp_path):
    _, md = write(tmp_path / "a", n_test=60, divafn_right=0.9, video_right=0.3, others=dict(divafn_untrained=0.3))
    v = verdict_of(md)
    assert "**The images and keyframes helped.**" in v and "Training helped:" in v
    assert "the domains aligned class by class" in v and "The modalities mix: none forms a cluster of its own." in v
    assert "above chance" in v and "Significantly ahead" not in v
    _, md = write(tmp_path / "b", n_test=8, divafn_right=0.5, video_right=0.375)
    assert "**Inconclusive against the videos alone.**" in verdict_of(md)
    _, md = write(tmp_path / "c", n_test=40, divafn_right=0.25, video_right=0.6)
    assert "**The adaptation hurt.**" in verdict_of(md) and "not distinguishable from chance" in verdict_of(md)


def test_verdict_says_plainly_when_training_did_not_help_and_nothing_aligned(tmp_path):
    _, md = write(tmp_path / "a", n_test=80, divafn_right=0.6, video_right=0.3, aligned=False,
                  others=dict(divafn_untrained=0.6, divafn_no_fusion=0.95))
    v = verdict_of(md)
    assert "**Training did not measurably help:**" in v and "**the domains did not align class by class**" in v
    assert "the images, keyframes and videos each still form a cluster of their own" in v
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
    assert "1 item (0 images, 1 video) could not be used and was left out" in section
    assert "`UCF-101/Biking/v_Biking_g01_c01.avi`" in section
    assert "no decodable frames" in section and "ExtractKeyframes, ExtractVideoFeatures" in section
    assert "1 odd file was used, with a warning" in section and "its container states 9 frames" in section
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


def test_the_alignment_verdict_names_both_rules_with_their_numbers():
    """The default run's case: aligned class by class (at least twice chance), yet the videos a cluster apart."""
    after = {"images → videos": 0.4125, "keyframes → videos": 0.45, "images → keyframes": 0.4583}
    before = {"images → videos": 0.083, "keyframes → videos": 0.167, "images → keyframes": 0.121}
    neighbours = dict(F=dict(same=0.45, mixed=0.27), H=dict(same=0.6, mixed=0.5), G=dict(same=1.0, mixed=0.228))
    v = report.verdict.alignment_verdict(after, before, neighbours, chance=0.125)
    assert "aligned: at least twice chance, 25.0%, in every direction), the domains aligned class by class: " in v
    assert "images → videos 41.2%, 3.3× chance (before training 8.3%); keyframes → videos 45.0%, 3.6× chance" in v
    assert "The videos still form a cluster of their own." in v
    assert ("45.0% of an image's, 60.0% of a keyframe's and 100.0% of a video's are of its own modality, against "
            "27.0%, 50.0% and 22.8% if the modalities were mixed.") in v
    below = report.verdict.alignment_verdict({k: 0.2 for k in after}, {}, {}, chance=0.125)
    assert "**the domains did not align class by class**: images → videos 20.0%, 1.6× chance;" in below
    assert "cluster" not in below and "before" not in below


def _choice(acc: dict, p: dict) -> str:
    return report.verdict.choice_verdict(dict(accuracy=acc, tests={f"divafn_vs_{m}_p": v for m, v in p.items()}))


def test_the_choice_names_the_best_method_and_says_plainly_when_the_paper_loses():
    v = _choice(dict(divafn=0.60, finetune=0.75, dann=0.62, divafn_plus=0.80), dict(finetune=0.001, dann=0.4))
    assert v.startswith("**Best method on this run: `divafn_plus`** (80.0%).")
    assert ("The paper's DIVAFN (60.0%) is **significantly behind** `finetune` (75.0%; -15.0 points, "
            "McNemar p = 0.001)") in v
    assert "is not distinguishable from `dann` (62.0%; -2.0 points, McNemar p = 0.4)" in v
    ahead = _choice(dict(divafn=0.70, finetune=0.60), dict(finetune=0.01))
    assert ahead.startswith("**Best method on this run: `divafn`**")
    assert "is significantly ahead of `finetune`" in ahead
    assert _choice(dict(divafn=0.7, video_only=0.5), {}) == ""         # no baseline scored: no choice to state


def test_every_trained_chain_has_its_alignment_row(tmp_path):
    import numpy as np

    from pipeline.io import h5io
    r = np.random.default_rng(0)
    y_img, y_vid = np.arange(20) % 2, np.arange(12) // 2 % 2        # each class in training and test

    def feats(sep):          # the classes at ±sep on every axis: opposite directions when sep is large
        side_img, side_vid = sep * (2 * y_img - 1)[:, None], sep * (2 * y_vid - 1)[:, None]
        return dict(F=r.normal(size=(20, 3)) + side_img, H=r.normal(size=(12, 2, 3)) + side_vid[:, None],
                    G=r.normal(size=(12, 3)) + side_vid, image_labels=y_img, video_labels=y_vid,
                    video_split=np.array(["train", "test"] * 6))
    h5io.write(tmp_path / "f.h5", "features", feats(10.0), {})
    out = report.metrics.alignment_by_method(feats(0.0), {"finetune": str(tmp_path / "f.h5")}, 2)
    assert list(out) == ["divafn", "finetune"]
    assert set(out["finetune"]) == set(out["divafn"])
    assert all(v == 1.0 for v in out["finetune"].values())          # separated by class in every modality
    md = "\n".join(report.markdown.alignment_by_method_section(dict(alignment_by_method=out, chance=0.5)))
    assert "| finetune | 100.0% |" in md
