"""The one table of compared methods (pipeline.evaluation.methods.METHODS) is what the comparison computes, what the
report describes and what docs/method.md shows."""
from pipeline.evaluation.methods import METHODS, markdown_table
from tests.helpers.luigi_process import REPO


def test_docs_show_the_generated_table_verbatim():
    assert markdown_table() in (REPO / "docs" / "method.md").read_text()


def test_every_method_has_its_three_descriptions():
    for name, m in METHODS.items():
        assert set(m) == {"uses", "input", "how"} and all(m.values()), name


def test_compare_all_takes_the_fitted_methods_as_they_are_and_fits_every_other():
    """CompareMethods' results: FitClassifier's divafn and video_only untouched (each classifier is fitted once),
    then the others, in results.json's order."""
    import numpy as np

    from pipeline.evaluation import methods
    r = np.random.default_rng(0)
    n, k, c, d = 24, 2, 4, 3
    y, split = np.arange(n) // 2 % 2, np.array(["train", "test"] * (n // 2))
    features = dict(F=r.normal(size=(10, c)), image_labels=np.arange(10) % 2, H=r.normal(size=(n, k, c)),
                    G=r.normal(size=(n, c)), Y=r.normal(size=(n, 5)), video_labels=y, video_split=split)
    semantic = dict(SH=r.normal(size=(n, d)), SG=r.normal(size=(n, d)), SE=r.normal(size=(n, d)), mu_H=np.zeros(c),
                    mu_G=np.zeros(c))
    fitted = {"divafn": dict(accuracy=0.25), "video_only": dict(accuracy=0.75)}
    out = methods.compare_all(fitted, features, semantic, semantic, 2)
    assert out["divafn"] is fitted["divafn"] and out["video_only"] is fitted["video_only"]
    assert list(out) == ["divafn", "video_only", "keyframe_only", "divafn_no_autoencoder", "divafn_no_fusion",
                         "divafn_no_keyframes", "image_only"]          # no divafn_untrained without its semantic
