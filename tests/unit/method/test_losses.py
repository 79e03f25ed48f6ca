"""The losses of Algorithm 1 (pipeline/method/losses.py) against brute-force oracles (DESIGN §3; STYLE §7)."""
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

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
