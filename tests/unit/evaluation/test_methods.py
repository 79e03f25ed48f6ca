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


def test_compare_all_scores_the_other_chains_on_their_own_features():
    """finetune and dann read their chain's [h ; g]; divafn_plus its chain's semantic features [W_H h ; W_G g ;
    W_E e], and
    divafn_plus_image_only its chain's F → h: breaking a chain's features changes only its own methods."""
    import numpy as np

    from pipeline.evaluation import methods
    r = np.random.default_rng(1)
    n, k, c, d = 40, 2, 4, 3
    y, split = np.arange(n) // 2 % 2, np.array(["train", "test"] * (n // 2))

    def feats(separable: bool):
        G = r.normal(size=(n, c)) + (4 * y[:, None] if separable else 0)
        F = r.normal(size=(10, c)) + (4 * (np.arange(10) % 2)[:, None] if separable else 0)
        H = r.normal(size=(n, k, c)) + (4 * y[:, None, None] if separable else 0)
        return dict(F=F, image_labels=np.arange(10) % 2, H=H, G=G, Y=r.normal(size=(n, 5)), video_labels=y,
                    video_split=split)

    base = feats(False)
    semantic = dict(SH=r.normal(size=(n, d)), SG=r.normal(size=(n, d)), SE=r.normal(size=(n, d)), mu_H=np.zeros(c),
                    mu_G=np.zeros(c))
    plus_semantic = dict(SH=y[:, None] * 4.0 + r.normal(size=(n, d)), SG=r.normal(size=(n, d)),
                         SE=r.normal(size=(n, d)))
    chains = dict(finetune=dict(features=feats(True)), dann=dict(features=feats(False)),
                  divafn_plus=dict(features=feats(True), semantic=plus_semantic))
    out = methods.compare_all({}, base, semantic, semantic, 2, chains=chains)
    assert set(out) == set(METHODS) - {"divafn_untrained"}
    assert out["finetune"]["accuracy"] == 1.0 and out["dann"]["accuracy"] < 0.8
    assert out["divafn_plus"]["accuracy"] == 1.0 and out["divafn_plus_image_only"]["accuracy"] == 1.0
