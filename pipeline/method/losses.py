"""The DIVAFN objective as pure functions, in the paper's symbols (DESIGN §3): its terms, and the loss of each side
of Algorithm 1 built from them.

Shapes are row-major: a feature matrix holds one item per row, so the paper's Z ∈ R^{c×n} is our
(n, c) array and S_Z ∈ R^{d×n} is (n, d). W keeps the paper's shape (d, c). Labels are (n,) class indices.
"""
import math

import torch
import torch.nn.functional as nnf

from pipeline.method.train_config import TrainConfig


def similarity_matrix(labels_a: torch.Tensor, labels_b: torch.Tensor) -> torch.Tensor:
    """M (n_a, n_b) float: M_ij = 1 where item i of one modality and item j of another share a class."""
    return (labels_a[:, None] == labels_b[None, :]).float()


def _pair_nll(A: torch.Tensor, B: torch.Tensor, M: torch.Tensor) -> torch.Tensor:
    """(n_a, n_b): each pair's − [M_ij Θ_ij − log(1 + e^{Θ_ij})], Θ_ij = ½ ⟨a_i, b_j⟩."""
    if A.shape[1] != B.shape[1] or M.shape != (A.shape[0], B.shape[0]):     # would broadcast silently
        raise ValueError(f"got A {tuple(A.shape)}, B {tuple(B.shape)}, M {tuple(M.shape)}; "
                         f"want (n_a, c), (n_b, c), (n_a, n_b)")
    theta = 0.5 * A @ B.T                               # (n_a, n_b)
    return nnf.softplus(theta) - M * theta              # softplus(θ) = log(1 + e^θ), stable for large θ


def similarity_nll(A: torch.Tensor, B: torch.Tensor, M: torch.Tensor) -> torch.Tensor:
    r"""Negative log-likelihood of the cross-modal similarity matrix M (DCMH's form).

    Θ_ij = ½ ⟨a_i, b_j⟩,  L = − Σ_ij [ M_ij Θ_ij − log(1 + e^{Θ_ij}) ]  (a sum over all pairs).
    A: (n_a, c) features of one modality (e.g. F).  B: (n_b, c) of another (e.g. G).
    M: (n_a, n_b) in {0, 1}.  Returns a () scalar.
    """
    return _pair_nll(A, B, M).sum()


def similarity_mean(A: torch.Tensor, B: torch.Tensor, M: torch.Tensor, balanced: bool = True) -> torch.Tensor:
    r"""L_sim(A, B) as training weighs it: a mean, so that no pair of modalities outweighs another by its item count.

    balanced: ½ [ mean over the pairs with M_ij = 1 + mean over the pairs with M_ij = 0 ] of similarity_nll's
    summand, so the 1 − 1/C of pairs that are negative do not make collapsing every feature onto one point a
    near-optimum (docs/method.md); otherwise similarity_nll / (n_a n_b). An empty set of pairs counts 0.
    A, B, M as similarity_nll's.  Returns a () scalar.
    """
    if not balanced:
        return similarity_nll(A, B, M) / max(1, len(A) * len(B))
    nll = _pair_nll(A, B, M)
    return 0.5 * ((nll * M).sum() / M.sum().clamp_min(1) + (nll * (1 - M)).sum() / (1 - M).sum().clamp_min(1))


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


def autoencoder_mean(Z: torch.Tensor, mu: torch.Tensor, W: torch.Tensor, S_Z: torch.Tensor, lam: float) -> torch.Tensor:
    """Auto-·(Z; W) as training weighs it: the mean over items of autoencoder_loss on Z prepared as
    pipeline.method.sae.prepare prepares it (centred on μ (c,), L2-normalised). 0 when Z is empty."""
    return autoencoder_loss(nnf.normalize(Z - mu, dim=1), W, S_Z, lam) / max(1, len(Z))


def _sim(A, y_A, B, y_B, cfg: TrainConfig) -> torch.Tensor:
    return similarity_mean(A, B, similarity_matrix(y_A, y_B), cfg.balanced)


def image_side_loss(F_b, y_Fb, H_b, y_Hb, F, y_F, H, y_H, G, y_G, S, enc: dict, cfg: TrainConfig) -> tuple:
    r"""(L_x, its terms) of a mini-batch of still items: Algorithm 1's image side, whose gradient updates θx.

      L_x = α_FG·L_sim(F_b, G) + α_HG·L_sim(H_b, G) + α_FH·½[L_sim(F_b, H) + L_sim(H_b, F)]
            + β·[Auto-F(F_b; W_F) + Auto-H(H_b; W_H)]

    F_b (n_Fb, c), H_b (n_Hb, c): f's output for the batch's images and keyframes; F, H, G: the buffers, every image's,
    keyframe's and video's features, held fixed; y_*: the labels of their rows. S (C, d): the class embeddings.
    enc: {"F": (μ_F, W_F), "H": (μ_H, W_H)} (and "G"), the encoders of Auto-F/H (Buffers.refresh_encoders).
    cfg: the weights α_FG, α_HG, α_FH, β, λ (`lam`) and `balanced`. Terms: sim_fg, sim_hg, sim_fh, auto_f, auto_h.
    """
    terms = dict(sim_fg=_sim(F_b, y_Fb, G, y_G, cfg), sim_hg=_sim(H_b, y_Hb, G, y_G, cfg),
                 sim_fh=0.5 * (_sim(F_b, y_Fb, H, y_H, cfg) + _sim(H_b, y_Hb, F, y_F, cfg)),
                 auto_f=autoencoder_mean(F_b, *enc["F"], S[y_Fb], cfg.lam),
                 auto_h=autoencoder_mean(H_b, *enc["H"], S[y_Hb], cfg.lam))
    loss = (cfg.alpha_fg * terms["sim_fg"] + cfg.alpha_hg * terms["sim_hg"] + cfg.alpha_fh * terms["sim_fh"]
            + cfg.beta * (terms["auto_f"] + terms["auto_h"]))
    return loss, terms


def video_side_loss(G_b, y_Gb, F, y_F, H, y_H, S, enc: dict, cfg: TrainConfig) -> tuple:
    r"""(L_y, its terms) of a mini-batch of videos: Algorithm 1's video side, whose gradient updates θy.

      L_y = α_FG·L_sim(F, G_b) + α_HG·L_sim(H, G_b) + β·Auto-G(G_b; W_G)

    G_b (n_Gb, c): g's output for the batch's videos; F, H: the image and keyframe buffers, held fixed; y_*: labels.
    S, enc ("G": (μ_G, W_G)), cfg as image_side_loss's. Terms: auto_g, sim_fg, sim_hg.
    """
    # Auto-G enters the graph first: the order autograd then sums G_b's gradients in, which floating point keeps.
    terms = dict(auto_g=autoencoder_mean(G_b, *enc["G"], S[y_Gb], cfg.lam))
    terms.update(sim_fg=_sim(F, y_F, G_b, y_Gb, cfg), sim_hg=_sim(H, y_H, G_b, y_Gb, cfg))
    loss = cfg.alpha_fg * terms["sim_fg"] + cfg.alpha_hg * terms["sim_hg"] + cfg.beta * terms["auto_g"]
    return loss, terms


# ------------------------------------------------------------------ the supervised and adversarial terms (issue 26)
def semantic_logits(Z: torch.Tensor, mu: torch.Tensor, W: torch.Tensor, S: torch.Tensor, tau: float) -> torch.Tensor:
    """(n, C) compatibility of each feature's semantic code with each class embedding: ⟨W ẑ, s_k⟩ / τ, ẑ = Z
    prepared as Auto-· prepares it (centred on μ (c,), L2-normalised). Z (n, c), W (d, c), S (C, d)."""
    return nnf.normalize(Z - mu, dim=1) @ W.T @ S.T / tau


def semantic_cross_entropy(Z, y, mu, W, S, tau: float) -> torch.Tensor:
    """Mean softmax cross-entropy of the labels y (n,) under semantic_logits: a supervised term in the semantic space
    (divafn_plus, supervision "semantic"). 0 when Z is empty."""
    if not len(Z):
        return Z.sum()
    return nnf.cross_entropy(semantic_logits(Z, mu, W, S, tau), y)


def reversal_weight(progress: float) -> float:
    """DANN's schedule of the gradient-reversal weight, λ_p = 2 / (1 + e^{−10 p}) − 1 at training progress
    p ∈ [0, 1] (Ganin & Lempitsky, JMLR 2016, §5.2.2): 0 at the start, while the domain classifier is still noise,
    rising to 1."""
    return 2.0 / (1.0 + math.exp(-10.0 * progress)) - 1.0


def domain_loss(logits: torch.Tensor, is_target: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy of the domain classifier: logits (n,) of "this still is a keyframe", is_target (n,)
    bool. Each domain weighs half, so the share of keyframes in a batch does not set chance."""
    nll = nnf.binary_cross_entropy_with_logits(logits, is_target.float(), reduction="none")
    parts = [nll[m].mean() for m in (is_target, ~is_target) if m.any()]
    return sum(parts) / len(parts)
