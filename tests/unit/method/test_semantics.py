"""The semantic projections of every modality (pipeline/method/semantics.py)."""
import numpy as np
from numpy.testing import assert_allclose

from pipeline.method import embeddings, semantics


def test_centred_semantic_features_ignore_a_shift_shared_by_every_item():
    rng = np.random.default_rng(7)
    S = embeddings.hashed_ngrams(["riding a horse", "brushing teeth", "climbing"], 40)
    y_F, y_V = np.repeat(np.arange(3), 10), np.repeat(np.arange(3), 6)
    F, G = rng.normal(size=(30, 8)), rng.normal(size=(18, 8))
    H = rng.normal(size=(18, 2, 8))
    train = np.arange(18) % 2 == 0
    plain = semantics.fit_all(F, y_F, H, G, y_V, train, S, [0.1, 10.0])["arrays"]
    shift = rng.normal(size=8) * 50
    shifted = semantics.fit_all(F + shift, y_F, H + shift, G + shift, y_V, train, S, [0.1, 10.0])["arrays"]
    for name in ("SH", "SG", "SE", "W_F", "W_H", "W_G", "W_E"):
        assert_allclose(shifted[name], plain[name], atol=1e-8, err_msg=name)
    assert_allclose(shifted["mu_G"], G[train].mean(0) + shift)
    unc = semantics.fit_all(F + shift, y_F, H + shift, G + shift, y_V, train, S, [0.1, 10.0], centre=False)["arrays"]
    assert not np.allclose(unc["SG"], plain["SG"], atol=1e-3) and not unc["mu_G"].any()


def test_a_lambda_chosen_at_an_end_of_the_grid_is_reported():
    rng = np.random.default_rng(3)
    S = embeddings.hashed_ngrams(["riding a horse", "brushing teeth", "climbing"], 40)
    y_F, y_V = np.repeat(np.arange(3), 10), np.repeat(np.arange(3), 6)
    F, G, H = rng.normal(size=(30, 8)), rng.normal(size=(18, 8)), rng.normal(size=(18, 2, 8))
    train = np.arange(18) % 2 == 0
    fit = semantics.fit_all(F, y_F, H, G, y_V, train, S, [0.5, 5.0])          # every choice is an end
    assert fit["at_edge"] == fit["lambdas"] and set(fit["at_edge"]) == {"F", "H", "G", "E"}
    fit = semantics.fit_all(F, y_F, H, G, y_V, train, S, [0.1, 1.0, 10.0])
    assert fit["at_edge"] == {k: v for k, v in fit["lambdas"].items() if v != 1.0}
    assert semantics.fit_all(F, y_F, H, G, y_V, train, S, [1.0])["at_edge"] == {}       # one λ: no edge to widen
    for name, lam in fit["at_edge"].items():        # a trend: the end scored strictly best; a tie: not alone
        best = [l for l, s in fit["cv_scores"][name].items() if s == max(fit["cv_scores"][name].values())]
        assert (best == [lam]) == (name not in fit["edge_ties"])


def test_an_end_chosen_on_a_tie_is_told_from_a_trend():
    # classes far apart: every λ classifies the held-out items perfectly, so the smallest λ wins by the tie-break
    rng = np.random.default_rng(4)
    S = embeddings.hashed_ngrams(["riding a horse", "brushing teeth", "climbing"], 40)
    y_F, y_V = np.repeat(np.arange(3), 10), np.repeat(np.arange(3), 6)
    centres = 10 * np.eye(3, 8)
    F, G = centres[y_F] + rng.normal(size=(30, 8)) * 0.01, centres[y_V] + rng.normal(size=(18, 8)) * 0.01
    H = centres[y_V][:, None] + rng.normal(size=(18, 2, 8)) * 0.01
    fit = semantics.fit_all(F, y_F, H, G, y_V, np.arange(18) % 2 == 0, S, [0.1, 1.0, 10.0])
    assert all(set(v.values()) == {1.0} for v in fit["cv_scores"].values())
    assert fit["lambdas"] == dict(F=0.1, H=0.1, G=0.1, E=0.1) and fit["edge_ties"] == ["E", "F", "G", "H"]


def test_semantic_features_of_new_videos_are_those_projectsemantics_stores():
    """pipeline.predict applies semantic_features to new videos: on the fitted videos it gives fit_all's SH, SG, SE."""
    import numpy as np

    from pipeline.method.features import pool_keyframes
    from pipeline.method.semantics import fit_all, semantic_features
    rng = np.random.default_rng(3)
    S = rng.normal(size=(3, 5))
    F, y_F = rng.normal(size=(12, 4)), np.arange(12) % 3
    H, G, y_V = rng.normal(size=(9, 2, 4)).astype(np.float32), rng.normal(size=(9, 4)).astype(np.float32), np.arange(9) % 3
    out = fit_all(F, y_F, H, G, y_V, np.arange(9) < 6, S, [0.1, 1.0])["arrays"]
    again = semantic_features(pool_keyframes(H), G, out)
    for name in ("SH", "SG", "SE"):
        assert np.array_equal(again[name], out[name]), name
