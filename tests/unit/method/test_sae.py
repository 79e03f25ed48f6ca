"""The closed-form semantic autoencoder (pipeline/method/sae.py) against brute-force oracles (DESIGN §3; STYLE §7)."""
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from pipeline.method import embeddings, sae
from pipeline.method.losses import autoencoder_loss


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
