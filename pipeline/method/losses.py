"""The DIVAFN objective's terms as pure functions, in the paper's symbols (DESIGN §3).

Shapes are row-major: a feature matrix holds one item per row, so the paper's Z ∈ R^{c×n} is our
(n, c) array and S_Z ∈ R^{d×n} is (n, d). W keeps the paper's shape (d, c).
"""
import torch
import torch.nn.functional as nnf


def similarity_matrix(labels_a: torch.Tensor, labels_b: torch.Tensor) -> torch.Tensor:
    """M (n_a, n_b) float: M_ij = 1 where item i of one modality and item j of another share a class."""
    return (labels_a[:, None] == labels_b[None, :]).float()


def similarity_nll(A: torch.Tensor, B: torch.Tensor, M: torch.Tensor) -> torch.Tensor:
    r"""Negative log-likelihood of the cross-modal similarity matrix M (DCMH's form).

    Θ_ij = ½ ⟨a_i, b_j⟩,  L = − Σ_ij [ M_ij Θ_ij − log(1 + e^{Θ_ij}) ]  (a sum over all pairs).
    A: (n_a, c) features of one modality (e.g. F).  B: (n_b, c) of another (e.g. G).
    M: (n_a, n_b) in {0, 1}.  Returns a () scalar.
    """
    if A.shape[1] != B.shape[1] or M.shape != (A.shape[0], B.shape[0]):
        raise ValueError(f"got A {tuple(A.shape)}, B {tuple(B.shape)}, M {tuple(M.shape)}; "
                         f"want (n_a, c), (n_b, c), (n_a, n_b)")
    theta = 0.5 * A @ B.T                               # (n_a, n_b)
    return (nnf.softplus(theta) - M * theta).sum()      # softplus(θ) = log(1 + e^θ), stable for large θ


def autoencoder_loss(Z: torch.Tensor, W: torch.Tensor, S_Z: torch.Tensor, lam: float) -> torch.Tensor:
    r"""Semantic autoencoder objective ‖Z − Wᵀ S_Z‖² + λ ‖W Z − S_Z‖² (SAE; paper's Auto-F/H/G/E).

    Z: (n, c) features.  W: (d, c) encoder (decoder Wᵀ).  S_Z: (n, d) class embedding of each item.
    Returns a () scalar (a sum over items).
    """
    if W.shape[1] != Z.shape[1] or S_Z.shape != (Z.shape[0], W.shape[0]):
        raise ValueError(f"got Z {tuple(Z.shape)}, W {tuple(W.shape)}, S_Z {tuple(S_Z.shape)}; "
                         f"want (n, c), (d, c), (n, d)")
    decoded = S_Z @ W                                   # (n, c): (Wᵀ S_Z)ᵀ
    encoded = Z @ W.T                                   # (n, d): (W Z)ᵀ
    return ((Z - decoded) ** 2).sum() + lam * ((encoded - S_Z) ** 2).sum()
