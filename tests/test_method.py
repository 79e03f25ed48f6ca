"""The method's maths against brute-force oracles (DESIGN §3; STYLE §7)."""
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from pipeline.method import embeddings, sae
from pipeline.method.losses import autoencoder_loss, similarity_matrix, similarity_nll


def brute_force_similarity_nll(A, B, M):
    total = 0.0
    for i in range(len(A)):
        for j in range(len(B)):
            theta = 0.5 * float(np.dot(A[i], B[j]))
            total -= M[i, j] * theta - np.log1p(np.exp(theta))
    return total


@pytest.mark.parametrize("n_a, n_b, c, scale", [(5, 7, 3, 1.0), (9, 4, 6, 3.0)])
def test_similarity_nll_matches_double_loop(n_a, n_b, c, scale):
    rng = np.random.default_rng(n_a)
    A, B = rng.normal(size=(n_a, c)) * scale, rng.normal(size=(n_b, c)) * scale
    ya, yb = rng.integers(0, 3, n_a), rng.integers(0, 3, n_b)
    M = similarity_matrix(torch.tensor(ya), torch.tensor(yb))
    got = similarity_nll(torch.tensor(A), torch.tensor(B), M.double()).item()
    assert_allclose(got, brute_force_similarity_nll(A, B, (ya[:, None] == yb[None, :]).astype(float)), rtol=1e-10)


def test_similarity_nll_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="want"):
        similarity_nll(torch.zeros(3, 4), torch.zeros(5, 4), torch.zeros(5, 3))


def test_autoencoder_loss_matches_paper_form():
    rng = np.random.default_rng(1)
    Z, W, S = rng.normal(size=(6, 4)), rng.normal(size=(3, 4)), rng.normal(size=(6, 3))
    want = np.sum((Z.T - W.T @ S.T) ** 2) + 0.7 * np.sum((W @ Z.T - S.T) ** 2)   # ‖Z − WᵀS‖² + λ‖WZ − S‖², column form
    assert_allclose(autoencoder_loss(torch.tensor(Z), torch.tensor(W), torch.tensor(S), 0.7).item(), want, rtol=1e-12)


def brute_force_sae(Z, S, lam):
    """A W + W B = C as one linear system: (I ⊗ A + Bᵀ ⊗ I) vec(W) = vec(C)."""
    A, B, C = S.T @ S, lam * Z.T @ Z, (1 + lam) * S.T @ Z
    k, d = C.shape
    M = np.kron(np.eye(d), A) + np.kron(B.T, np.eye(k))
    return np.linalg.solve(M, C.ravel(order="F")).reshape((k, d), order="F")


@pytest.mark.parametrize("c, d, n, lam", [(5, 3, 20, 0.1), (8, 4, 50, 2.0)])
def test_fit_sae_satisfies_sylvester_and_matches_brute_force(c, d, n, lam):
    rng = np.random.default_rng(0)
    Z, S = rng.normal(size=(n, c)), rng.normal(size=(n, d))
    W = sae.fit_sae(Z, S, lam, ridge=0.0)
    assert_allclose(S.T @ S @ W + W @ (lam * Z.T @ Z), (1 + lam) * S.T @ Z, atol=1e-9)
    assert_allclose(W, brute_force_sae(Z, S, lam), rtol=1e-7, atol=1e-9)


def test_fit_sae_matches_gradient_descent_on_the_objective():
    rng = np.random.default_rng(3)
    Z, S, lam = rng.normal(size=(40, 6)), rng.normal(size=(40, 4)), 0.5
    W_closed = sae.fit_sae(Z, S, lam, ridge=0.0)
    W = torch.zeros(4, 6, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([W], max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-14, line_search_fn="strong_wolfe")
    Zt, St = torch.tensor(Z), torch.tensor(S)

    def closure():
        opt.zero_grad()
        loss = autoencoder_loss(Zt, W, St, lam)
        loss.backward()
        return loss
    opt.step(closure)
    assert_allclose(W.detach().numpy(), W_closed, atol=1e-6)


def test_fit_sae_is_solvable_with_fewer_classes_than_dimensions():
    """The usual case: C class vectors in d > C dimensions and n < c items; the ridge keeps it unique."""
    rng = np.random.default_rng(4)
    S_cls = rng.normal(size=(3, 20))
    y = rng.integers(0, 3, 10)
    W = sae.fit_sae(rng.normal(size=(10, 16)), S_cls[y], 1.0)
    assert np.isfinite(W).all() and W.shape == (20, 16)


def test_select_lambda_prefers_the_grid_value_that_generalises():
    rng = np.random.default_rng(5)
    S = embeddings.hashed_ngrams(["riding a horse", "brushing teeth", "climbing"], 50)
    y = np.repeat(np.arange(3), 20)
    Z = S[y] @ rng.normal(size=(50, 12)) + 0.05 * rng.normal(size=(60, 12))
    lam, scores = sae.select_lambda(Z, y, S, [0.01, 1.0, 100.0])
    assert lam in scores and scores[lam] == max(scores.values()) and scores[lam] > 0.9


def test_hashed_embedding_gives_shared_words_a_geometry():
    S = embeddings.hashed_ngrams(["riding a horse", "riding a bike", "brushing teeth"])
    assert S[0] @ S[1] > 0.4 > abs(S[0] @ S[2])
    assert embeddings.words("WalkingWithDog") == ["walking", "dog"]


def _common_component_features(rng, S, y, offset=30.0):
    """Class structure plus a shared component far larger than it, as ReLU networks' outputs have."""
    c = 12
    Z = S[y] @ rng.normal(size=(S.shape[1], c)) + 0.1 * rng.normal(size=(len(y), c))
    return Z + offset * np.ones(c)


def test_centring_recovers_the_classes_that_a_common_component_hides():
    rng = np.random.default_rng(6)
    S = embeddings.hashed_ngrams(["riding a horse", "brushing teeth", "climbing", "rowing"], 50)
    y = np.repeat(np.arange(4), 30)
    Z = _common_component_features(rng, S, y)
    fit, held = np.arange(len(y)) % 3 != 0, np.arange(len(y)) % 3 == 0
    accuracy = {}
    for centre in (True, False):
        mu = Z[fit].mean(0) if centre else 0.0
        W = sae.fit_sae(sae.prepare(Z[fit], mu), S[y[fit]], 1.0)
        P = sae.l2_normalise(sae.project(Z[held], W, mu))
        accuracy[centre] = float((np.argmax(P @ sae.l2_normalise(S).T, 1) == y[held]).mean())
    assert accuracy[True] > 0.9 and accuracy[False] < 0.6, accuracy


def test_centred_semantic_features_ignore_a_shift_shared_by_every_item():
    from pipeline.method import semantics
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
