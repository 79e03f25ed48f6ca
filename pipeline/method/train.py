"""Training of DIVAFN, the paper's Algorithm 1, as one loop you can read top to bottom.

Each outer iteration ("epoch") refreshes the encoders, then runs t_x = ⌈n_x/N_x⌉ image-side steps and t_y
video-side steps (DCMH-style alternation): t_y = ⌈n_y/N_y⌉, one pass over the training videos (`video_steps =
one_pass`), or t_y = t_x, Algorithm 1's one n for both sides (`algorithm`: batches of min(N_y, n_y) videos drawn
from a stream of shuffles, so each video is seen equally often):

  encoders: W_F, W_H, W_G = the closed-form minimisers of Auto-F/H/G (pipeline.method.sae.fit_sae, λ = lam)
      for the buffers F, H, G as they stand, each prepared (centred on its mean μ, L2-normalised) as
      ProjectSemantics prepares it. For fixed features this is the exact W-step of Algorithm 1.
  image side: a mini-batch of still items (images X and training keyframes K, the same network f)
      F_b, H_b = f(x_b)
      L_x = α_FG·L_sim(F_b, G) + α_HG·L_sim(H_b, G) + α_FH·½[L_sim(F_b, H) + L_sim(H_b, F)]
            + β·[Auto-F(F_b; W_F) + Auto-H(H_b; W_H)]                → update θx
  video side: a mini-batch of training videos
      G_b = g(y_b)
      L_y = α_FG·L_sim(F, G_b) + α_HG·L_sim(H, G_b) + β·Auto-G(G_b; W_G) → update θy

F, H, G without subscript are buffers holding every item's latest features, held fixed in the other
side's step and refreshed as each batch is recomputed (DCMH). They hold deterministic features: the
evaluation-mode output of the un-augmented item, which is what the classifier later sees. A share augment_p of
each batch's stills is augmented; the others' rows come from the step's own output, which is the
evaluation-mode one when f has no dropout and no batch-statistics BatchNorm (efficientnet_lite0) — otherwise
the batch's rows are recomputed in evaluation mode (`stochastic`), one more forward pass.
Each L_sim is a mean, not the paper's sum: with `balanced` (the default) the mean of its same-class pairs' mean
and its different-class pairs' mean, otherwise the mean over all pairs; each Auto-· the mean over its items. So no pair of modalities outweighs
another by its item count (the weights α, β in luigi.cfg then mean what they say), and with `balanced` the
1 − 1/C of pairs that are negative do not make collapsing every feature onto one point a near-optimum
(docs/method.md). W_E is solved in closed form afterwards (pipeline.method.semantics).
"""
import logging
import math
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as nnf
from torch import nn

from pipeline.io import rows
from pipeline.method import sae
from pipeline.method.batches import augment_share, video_batches
from pipeline.method.losses import autoencoder_loss, similarity_matrix, similarity_nll
from pipeline.method.train_config import TrainConfig

log = logging.getLogger(__name__)


@dataclass
class TrainData:
    """Everything training sees: uint8 still images, float video features, integer labels, S (C, d).

    X and K are arrays or pipeline.io.rows.Rows (read from their HDF5 files a batch at a time).
    """
    X: np.ndarray        # (n_img, S, S, 3) uint8 images
    y_X: np.ndarray      # (n_img,)
    K: np.ndarray        # (n_kf, S, S, 3) uint8 keyframes of the training videos
    y_K: np.ndarray      # (n_kf,)
    Y: np.ndarray        # (n_vid, D) float32 video features of the training videos
    y_Y: np.ndarray      # (n_vid,)
    S: np.ndarray        # (C, d) class embeddings, one row per class


def build_model(dims: dict, seed: int):
    """models.DIVAFN(**dims) with its initial weights drawn from `seed`: the same θx⁰, θy⁰ every time.

    TrainDIVAFN trains this model; DumpFeatures rebuilds it untrained for the "before training" features.
    """
    from models import DIVAFN
    torch.manual_seed(seed)
    return DIVAFN(**dims)


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


@torch.no_grad()
def _trunk_all(f, X, device, batch=256):
    f.eval()
    out = torch.cat([f.trunk_features(X[i:i + batch].to(device)).float() for i in range(0, len(X), batch)])
    f.train()
    return out


@torch.no_grad()
def _eval_head(f, T):
    f.eval()
    out = f.head(T).float()
    f.train()
    return out


@torch.no_grad()
def _forward_all(net, X, device, batch=512):
    net.eval()
    out = torch.cat([net(X[i:i + batch].to(device, non_blocking=True)).float() for i in range(0, len(X), batch)])
    net.train()
    return out


def _sim(A, B, yA, yB, balanced: bool = False):
    """L_sim(A, B) as the mean over its pairs (0 when one side is empty); `balanced`: the mean of the mean over
    same-class pairs and the mean over different-class pairs (each class pair type weighs the same)."""
    M = similarity_matrix(yA, yB)
    if not balanced:
        return similarity_nll(A, B, M) / max(1, len(A) * len(B))
    theta = 0.5 * A @ B.T
    nll = nnf.softplus(theta) - M * theta
    return 0.5 * ((nll * M).sum() / M.sum().clamp_min(1) + (nll * (1 - M)).sum() / (1 - M).sum().clamp_min(1))


def _auto(Z, mu, W, S_Z, lam):
    """Auto-·(Z; W) as the mean over items of Z prepared as pipeline.method.sae.prepare prepares it."""
    return autoencoder_loss(nnf.normalize(Z - mu, dim=1), W, S_Z, lam) / max(1, len(Z))


def closed_form(Z: torch.Tensor, S_Z: torch.Tensor, lam: float) -> tuple:
    """(μ, W) of Auto-· for fixed features Z (n, c): μ their mean, W = sae.fit_sae(prepare(Z, μ), S_Z, λ)."""
    mu = Z.double().mean(0)
    W = sae.fit_sae(sae.prepare(Z.cpu().double().numpy(), mu.cpu().numpy()), S_Z.cpu().double().numpy(), lam)
    return mu.float(), torch.from_numpy(W).float().to(Z.device)


def stochastic(net: nn.Module) -> bool:
    """Whether net's training-mode output differs from its evaluation-mode one (active dropout, or BatchNorm on
    batch statistics); leaves net in training mode."""
    net.train()
    return any((isinstance(m, nn.Dropout) and m.p > 0 or isinstance(m, nn.modules.batchnorm._BatchNorm)) and m.training
               for m in net.modules())


def optimiser_x(f, cfg: TrainConfig, pretrained: bool):
    """AdamW over θx: the trunk at lr_trunk · lr_x when it starts from ImageNet weights, else at lr_x."""
    if not pretrained:
        groups = [dict(params=list(f.parameters()), lr=cfg.lr_x)]
    else:
        trunk = list(f.trunk_parameters())
        ids = set(map(id, trunk))
        for p in trunk:
            p.requires_grad_(cfg.lr_trunk > 0)
        groups = [dict(params=[p for p in f.parameters() if id(p) not in ids], lr=cfg.lr_x)]
        if cfg.lr_trunk > 0:
            groups.append(dict(params=trunk, lr=cfg.lr_x * cfg.lr_trunk))
    return adamw(groups, cfg.lr_x, cfg.weight_decay)


def adamw(params, lr: float, weight_decay: float):
    """AdamW, fused: one kernel per parameter tensor instead of one per arithmetic step (on 2 CPU cores an
    efficientnet_lite0 step's update takes ~6 ms instead of ~30, ~3 s of SYNTHETIC's 10-epoch training:
    benchmarks/bench_optimiser.py). lr: the groups' own, where `params` are groups that give one."""
    return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, fused=True)


def train(model, data: TrainData, cfg: TrainConfig, device=torch.device("cpu"), progress=lambda frac, msg: None,
          pretrained: bool = False):
    """Train `model` (models.DIVAFN) in place; returns the per-epoch history of each loss term.

    pretrained: θx starts from ImageNet weights (its trunk then learns at lr_trunk · lr_x).
    """
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    model.to(device)
    amp = dict(device_type="cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")

    X = rows.concat(data.X, data.K)        # still items: images then keyframes; X[index] reads those items only
    y_X = torch.from_numpy(np.concatenate([data.y_X, data.y_K])).to(device)
    is_kf = torch.cat([torch.zeros(len(data.X), dtype=torch.bool), torch.ones(len(data.K), dtype=torch.bool)]).to(device)
    if device.type == "cuda":
        X = X.pin_memory()
    Y = torch.from_numpy(data.Y).float().to(device)
    y_Y = torch.from_numpy(data.y_Y).to(device)
    S = torch.from_numpy(data.S).float().to(device)
    model.g.set_input_stats(Y, per_dimension=cfg.video_input == "standardise")
    recompute = stochastic(model.f)                                    # train-mode outputs are not the buffers'
    # A frozen ImageNet trunk on un-augmented stills gives every item the same trunk output at every step:
    # computed once here, f's step then runs only its new layers (the recipe of docs/method.md).
    frozen = pretrained and cfg.lr_trunk == 0 and not cfg.augment
    T = _trunk_all(model.f, X, device) if frozen else None

    def f_step(b, xb):
        """f's training-mode output for batch b, and which of its rows are the un-augmented items' features."""
        if frozen:
            return model.f.head(T[b]), torch.ones(len(b), dtype=torch.bool, device=device)
        plain = torch.ones(len(b), dtype=torch.bool)
        if cfg.augment:
            xb, plain = augment_share(xb, cfg.augment_p, gen)
        with torch.autocast(**amp):
            return model.f(xb).float(), plain.to(device)

    # Buffers of every item's features: the "other side" of each step, refreshed batch by batch.
    FH = _eval_head(model.f, T) if frozen else _forward_all(model.f, X, device)   # (n_img + n_kf, c)
    G = _forward_all(model.g, Y, device)                                 # (n_vid, c)

    opt_x = optimiser_x(model.f, cfg, pretrained)
    opt_y = adamw(model.g.parameters(), cfg.lr_y, cfg.weight_decay)
    sched = [torch.optim.lr_scheduler.CosineAnnealingLR(o, cfg.epochs) for o in (opt_x, opt_y)]
    t_x = math.ceil(len(X) / cfg.batch_size)
    t_y = t_x if cfg.video_steps == "algorithm" else math.ceil(len(Y) / cfg.batch_size)
    yF_all, yH_all = y_X[~is_kf], y_X[is_kf]

    def refresh():
        """(μ, W) of Auto-F, Auto-H, Auto-G in closed form on the buffers as they stand, also set in the model."""
        F_all, H_all = FH[~is_kf], FH[is_kf]
        fits = (closed_form(F_all, S[yF_all], cfg.lam),
                closed_form(H_all, S[yH_all], cfg.lam) if len(H_all) else (torch.zeros_like(FH[0]), model.W_H),
                closed_form(G, S[y_Y], cfg.lam))
        for name, (_, W) in zip(("W_F", "W_H", "W_G"), fits):
            getattr(model, name).copy_(W)
        return fits

    history = []
    for epoch in range(cfg.epochs):
        t0, sums = time.time(), dict(sim_fg=0.0, sim_hg=0.0, sim_fh=0.0, auto_f=0.0, auto_h=0.0, auto_g=0.0)
        (mu_F, W_F), (mu_H, W_H), (mu_G, W_G) = refresh()                   # Algorithm 1's W-step, exactly
        perm = torch.randperm(len(X), generator=gen)
        for step in range(t_x):                                          # Algorithm 1, lines 2–7
            b = perm[step * cfg.batch_size:(step + 1) * cfg.batch_size].to(device)
            F_all, H_all = FH[~is_kf], FH[is_kf]                         # the latest buffers (copies)
            xb = None if frozen else X[b.cpu()].to(device, non_blocking=True)
            out, plain = f_step(b, xb)
            kf, yb = is_kf[b], y_X[b]
            Fb, Hb, yF, yH = out[~kf], out[kf], yb[~kf], yb[kf]
            terms = dict(
                sim_fg=_sim(Fb, G, yF, y_Y, cfg.balanced), sim_hg=_sim(Hb, G, yH, y_Y, cfg.balanced),
                sim_fh=0.5 * (_sim(Fb, H_all, yF, yH_all, cfg.balanced) + _sim(Hb, F_all, yH, yF_all, cfg.balanced)),
                auto_f=_auto(Fb, mu_F, W_F, S[yF], cfg.lam), auto_h=_auto(Hb, mu_H, W_H, S[yH], cfg.lam))
            loss = (cfg.alpha_fg * terms["sim_fg"] + cfg.alpha_hg * terms["sim_hg"] + cfg.alpha_fh * terms["sim_fh"]
                    + cfg.beta * (terms["auto_f"] + terms["auto_h"]))
            if recompute:                                   # dropout / batch-statistics BatchNorm: eval mode, un-augmented
                FH[b] = _eval_head(model.f, T[b]) if frozen else _forward_all(model.f, X[b.cpu()], device)
            else:                                                        # f(x) is f's eval output: keep it free
                FH[b[plain]] = out[plain].detach()
            opt_x.zero_grad(set_to_none=True)
            loss.backward()
            opt_x.step()
            for k, v in terms.items():
                sums[k] += v.item() / t_x
            progress((epoch + (step + 1) / (t_x + t_y)) / cfg.epochs, f"epoch {epoch + 1}/{cfg.epochs}: image side")

        F_all, H_all = FH[~is_kf], FH[is_kf]
        if cfg.video_steps == "algorithm":
            batches = video_batches(len(Y), cfg.batch_size, t_y, gen)
        else:                                    # one pass: the earlier trainings' exact draws (digest_added)
            batches = torch.randperm(len(Y), generator=gen).split(cfg.batch_size)
        for step, b in enumerate(batches):                               # Algorithm 1, lines 8–13
            b = b.to(device)
            Gb = model.g(Y[b]).float()
            auto_g = _auto(Gb, mu_G, W_G, S[y_Y[b]], cfg.lam)
            loss = (cfg.alpha_fg * _sim(F_all, Gb, yF_all, y_Y[b], cfg.balanced) + cfg.alpha_hg * _sim(H_all, Gb, yH_all, y_Y[b], cfg.balanced)
                    + cfg.beta * auto_g)
            opt_y.zero_grad(set_to_none=True)
            loss.backward()
            opt_y.step()
            G[b] = Gb.detach()                                           # g has no dropout: deterministic
            sums["auto_g"] += auto_g.item() / t_y
            progress((epoch + (t_x + step + 1) / (t_x + t_y)) / cfg.epochs, f"epoch {epoch + 1}/{cfg.epochs}: video side")
        for s in sched:
            s.step()
        history.append(dict(epoch=epoch + 1, seconds=round(time.time() - t0, 3), **{k: round(v, 6) for k, v in sums.items()}))
        log.info("epoch %d/%d  %s", epoch + 1, cfg.epochs, "  ".join(f"{k} {v:.4f}" for k, v in sums.items()))
    refresh()                  # the saved W's: the closed form of the final buffers
    return history


def config_dict(cfg: TrainConfig) -> dict:
    return asdict(cfg)
