"""The losses of Algorithm 1 (pipeline/method/losses.py) against brute-force oracles (DESIGN §3; STYLE §7)."""
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from pipeline.method.losses import autoencoder_loss, similarity_matrix, similarity_mean, similarity_nll


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


@pytest.mark.parametrize("loss", [similarity_nll, similarity_mean])
def test_similarity_rejects_mismatched_shapes(loss):
    with pytest.raises(ValueError, match="want"):
        loss(torch.zeros(3, 4), torch.zeros(5, 4), torch.zeros(5, 3))


def test_similarity_mean_by_hand():
    """a = (2, 0) against b = (2, 0) (same class), (0, 2) and (−2, 0) (another): Θ = 2, 0, −2, so the pairs' terms
    are log(1 + e²) − 2 = log(1 + e⁻²), log 2 and log(1 + e⁻²). Balanced: ½ [ℓ₊ + ½ (ℓ₋ + ℓ₋')]; plain: their mean."""
    A, B = torch.tensor([[2.0, 0.0]]).double(), torch.tensor([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0]]).double()
    M = similarity_matrix(torch.tensor([0]), torch.tensor([0, 1, 1]))
    l2 = np.log1p(np.exp(-2.0))
    assert_allclose(similarity_mean(A, B, M).item(), 0.75 * l2 + 0.25 * np.log(2), rtol=1e-12)
    assert_allclose(similarity_mean(A, B, M, balanced=False).item(), (2 * l2 + np.log(2)) / 3, rtol=1e-12)


def test_balanced_similarity_is_the_mean_of_the_positive_and_negative_pair_means():
    rng = np.random.default_rng(2)
    A, B = rng.normal(size=(5, 4)), rng.normal(size=(7, 4))
    yA, yB = rng.integers(0, 3, 5), rng.integers(0, 3, 7)
    M = (yA[:, None] == yB[None, :]).astype(float)
    T = 0.5 * A @ B.T
    nll = np.logaddexp(0, T) - M * T
    want = 0.5 * ((nll * M).sum() / M.sum() + (nll * (1 - M)).sum() / (1 - M).sum())
    got = similarity_mean(torch.tensor(A), torch.tensor(B), similarity_matrix(torch.tensor(yA), torch.tensor(yB)))
    assert_allclose(got.item(), want, rtol=1e-12)


def collapsed(theta):
    """Every image on one point, every video on another, ½⟨a, b⟩ = θ; of C = 3 classes each, so 1/3 of the pairs
    share a class."""
    A, B = torch.tensor([[1.0, 0.0]] * 3).double(), torch.tensor([[2 * theta, 0.0]] * 6).double()
    return A, B, similarity_matrix(torch.arange(3), torch.arange(6) % 3)


@pytest.mark.parametrize("theta", [-2.0, -np.log(2), -0.5, 0.5, 2.0])
def test_balanced_similarity_is_lowest_for_a_collapsed_solution_at_theta_zero(theta):
    """Balanced, no collapse onto one point scores below the one at Θ = 0 (log 2): only separating the classes
    lowers the loss."""
    assert similarity_mean(*collapsed(theta)).item() > similarity_mean(*collapsed(0.0)).item()


def test_the_plain_mean_over_pairs_rewards_a_collapsed_solution():
    """Why `balanced` is the default: over all pairs, 2/3 of them negative, a collapse at σ(Θ) = 1/3 (Θ = −log 2)
    beats Θ = 0 — a near-optimum that separates no class."""
    assert (similarity_mean(*collapsed(-np.log(2)), balanced=False).item()
            < similarity_mean(*collapsed(0.0), balanced=False).item())


def test_autoencoder_loss_matches_paper_form():
    rng = np.random.default_rng(1)
    Z, W, S = rng.normal(size=(6, 4)), rng.normal(size=(3, 4)), rng.normal(size=(6, 3))
    want = np.sum((Z.T - W.T @ S.T) ** 2) + 0.7 * np.sum((W @ Z.T - S.T) ** 2)   # ‖Z − WᵀS‖² + λ‖WZ − S‖², column form
    assert_allclose(autoencoder_loss(torch.tensor(Z), torch.tensor(W), torch.tensor(S), 0.7).item(), want, rtol=1e-12)
