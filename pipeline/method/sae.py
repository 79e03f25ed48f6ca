"""Semantic autoencoders in closed form (SAE, Kodirov et al. 2017; the paper's Auto-F/H/G/E).

For features Z (n, c) with class embeddings S_Z (n, d) the encoder W (d, c) minimises

    ‖Zᵀ − Wᵀ S_Zᵀ‖² + λ ‖W Zᵀ − S_Zᵀ‖² + ε ‖W‖²

whose stationarity condition is the Sylvester equation  (S_Zᵀ S_Z + ε I) W + W (λ Zᵀ Z) = (1+λ) S_Zᵀ Z,
solved by Bartels–Stewart (`scipy.linalg.solve_sylvester`). ε (tiny, relative to the scale of S_Zᵀ S_Z)
makes the equation uniquely solvable when there are fewer classes than embedding dimensions and fewer
items than feature dimensions, which is the usual case here.

Features are prepared by `prepare`: centred on the fitting set's mean μ, then L2-normalised per item.
SAE's demos only L2-normalise. Centring is ours: the networks' outputs share a large common component
(ReLU activations are all positive, so every f(x) points nearly the same way: mean cosine ≥ 0.99 on
SYNTHETIC), and after L2 normalisation alone the items differ so little that W Z barely depends on the
item (test prototype accuracy at chance). μ is kept with W, and `project` applies the same preparation.
"""
import numpy as np
from scipy.linalg import solve_sylvester


def l2_normalise(Z: np.ndarray) -> np.ndarray:
    return Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)


def prepare(Z: np.ndarray, mu) -> np.ndarray:
    """ẑ = (z − μ) / ‖z − μ‖ of each item (row) of Z; μ (c,) is the fitting set's mean, or 0 for SAE's
    plain normalisation."""
    return l2_normalise(np.asarray(Z, np.float64) - mu)


def fit_sae(Z: np.ndarray, S_Z: np.ndarray, lam: float, ridge: float = 1e-6) -> np.ndarray:
    """W (d, c) solving (S_Zᵀ S_Z + ε I) W + W (λ Zᵀ Z) = (1+λ) S_Zᵀ Z with ε = ridge · tr(S_Zᵀ S_Z)/d."""
    Z, S_Z = np.asarray(Z, np.float64), np.asarray(S_Z, np.float64)
    if Z.ndim != 2 or S_Z.ndim != 2 or len(Z) != len(S_Z):
        raise ValueError(f"got Z {Z.shape}, S_Z {S_Z.shape}; want (n, c) and (n, d)")
    A = S_Z.T @ S_Z
    A += ridge * np.trace(A) / len(A) * np.eye(len(A))
    return solve_sylvester(A, lam * Z.T @ Z, (1 + lam) * S_Z.T @ Z)


def project(Z: np.ndarray, W: np.ndarray, mu=0.0) -> np.ndarray:
    """Semantic features (n, d) = (W ẑ)ᵀ of the prepared features ẑ = prepare(Z, μ)."""
    return prepare(Z, mu) @ W.T


def prototype_accuracy(Z, labels, W, S) -> float:
    """Accuracy of assigning each projected item to the class whose embedding (row of S, (C, d)) is nearest in
    cosine."""
    P = l2_normalise(project(Z, W))
    return float((np.argmax(P @ l2_normalise(S).T, 1) == labels).mean())


def select_lambda(Z, labels, S, grid, folds: int = 3, seed: int = 0) -> tuple:
    """λ from `grid` by `folds`-fold cross-validation of prototype accuracy on labelled (Z, labels), Z prepared.

    Returns (best λ, {λ: mean held-out accuracy}); ties go to the smaller λ. SAE's λ varies over
    orders of magnitude between datasets, so it is chosen on held-out training data, never fixed.
    """
    Z, labels = l2_normalise(np.asarray(Z, np.float64)), np.asarray(labels)
    order = np.random.default_rng(seed).permutation(len(Z))
    parts = np.array_split(order, min(folds, len(Z)))
    scores = {}
    for lam in sorted(grid):
        acc = []
        for held in parts:
            fit = np.setdiff1d(order, held)
            W = fit_sae(Z[fit], S[labels[fit]], lam)
            acc.append(prototype_accuracy(Z[held], labels[held], W, S))
        scores[float(lam)] = float(np.mean(acc))
    best = max(scores, key=lambda l: (scores[l], -l))
    return best, scores
