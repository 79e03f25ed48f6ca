"""Training of DIVAFN, the paper's Algorithm 1: `train`'s loop reads line by line against the algorithm box.

Each outer iteration ("epoch") refreshes the encoders, then runs t_x = ⌈n_x/N_x⌉ image-side steps and t_y
video-side steps (DCMH-style alternation): t_y = ⌈n_y/N_y⌉, one pass over the training videos (`video_steps =
one_pass`), or t_y = t_x, Algorithm 1's one n for both sides (`algorithm`: batches of min(N_y, n_y) videos drawn
from a stream of shuffles, so each video is seen equally often):

  encoders: W_F, W_H, W_G = the closed-form minimisers of Auto-F/H/G (pipeline.method.sae.fit_sae, λ = lam)
      for the buffers F, H, G as they stand, each prepared (centred on its mean μ, L2-normalised) as
      ProjectSemantics prepares it. For fixed features this is the exact W-step of Algorithm 1.
  image side: a mini-batch of still items (images X and training keyframes K, the same network f)
      F_b, H_b = f(x_b);  L_x = losses.image_side_loss(...)                → update θx
  video side: a mini-batch of training videos
      G_b = g(y_b);       L_y = losses.video_side_loss(...)                → update θy

F, H, G without subscript are the buffers (pipeline.method.buffers): every item's latest features, held fixed in
the other side's step, a row refreshed when its batch is visited (DCMH). They hold deterministic features: the
evaluation-mode output of the un-augmented item, which is what the classifier later sees. A share augment_p of
each batch's stills is augmented; the others' rows come from the step's own output, which is the
evaluation-mode one when f has no dropout and no batch-statistics BatchNorm (efficientnet_lite0) — otherwise
the batch's rows are recomputed in evaluation mode (`stochastic`), one more forward pass.
Each L_sim and Auto-· is a mean (losses.similarity_mean, losses.autoencoder_mean), not the paper's sum, so no pair
of modalities outweighs another by its item count (the weights α, β then mean what they say); docs/method.md says
why L_sim is balanced by default. W_E is solved in closed form afterwards (pipeline.method.semantics).
"""
import logging
import math
import time
from dataclasses import asdict

import numpy as np
import torch
from torch import nn

from pipeline.io import rows
from pipeline.io.assemble import TrainData  # noqa: F401  what training sees (re-exported: train.TrainData)
from pipeline.method.batches import augment_share, video_batches
from pipeline.method.buffers import Buffers
from pipeline.method.features import evaluate
from pipeline.method.losses import image_side_loss, video_side_loss
from pipeline.method.supervised import Supervised
from pipeline.method.train_config import TrainConfig

log = logging.getLogger(__name__)


def seeded(seed: int) -> torch.Generator:
    """Seed torch's global generator, the one that module initialisation and dropout draw from, and return a
    generator of the same seed for the draws training makes by name (batch order, augmentation)."""
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def build_model(dims: dict, seed: int):
    """models.DIVAFN(**dims) with its initial weights drawn from `seed`: the same θx⁰, θy⁰ every time.

    TrainDIVAFN trains this model; DumpFeatures rebuilds it untrained for the "before training" features.
    """
    from models import DIVAFN
    seeded(seed)
    return DIVAFN(**dims)


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def stochastic(net: nn.Module) -> bool:
    """Whether net's training-mode output differs from its evaluation-mode one (active dropout, or BatchNorm on
    batch statistics); leaves net in training mode."""
    net.train()
    return any((isinstance(m, nn.Dropout) and m.p > 0 or isinstance(m, nn.modules.batchnorm._BatchNorm)) and m.training
               for m in net.modules())


class Stills:
    """Algorithm 1's X: the still items, images then the training videos' keyframes (f is one network for both),
    and f's passes over them: the training step's, and the evaluation-mode one that the buffers hold."""

    def __init__(self, data: TrainData, f: nn.Module, cfg: TrainConfig, pretrained: bool, device: torch.device):
        self.X = rows.concat(data.X, data.K)        # X[index] reads those items only
        self.y = torch.from_numpy(np.concatenate([data.y_X, data.y_K])).to(device)
        self.is_kf = torch.cat([torch.zeros(len(data.X), dtype=torch.bool),
                                torch.ones(len(data.K), dtype=torch.bool)]).to(device)
        if device.type == "cuda":
            self.X = self.X.pin_memory()
        self.f, self.cfg, self.device = f, cfg, device
        self.amp = dict(device_type="cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
        self.recompute = stochastic(f)                    # its training-mode output is not an item's feature
        # A frozen ImageNet trunk on un-augmented stills gives every item the same trunk output at every step:
        # computed once here (T), f's step then runs only its new layers (the recipe of docs/method.md).
        frozen = pretrained and cfg.lr_trunk == 0 and not cfg.augment
        self.T = evaluate(f, self.X, device, 256, f.trunk_features) if frozen else None

    def __len__(self) -> int:
        return len(self.X)

    def forward(self, b: torch.Tensor, gen: torch.Generator) -> tuple:
        """f's training-mode output (n_b, c) for the items b, a share augment_p of them augmented, and which of its
        rows are the un-augmented items' (bool (n_b,))."""
        if self.T is not None:
            return self.f.head(self.T[b]), torch.ones(len(b), dtype=torch.bool, device=self.device)
        xb, plain = self.X[b.cpu()].to(self.device, non_blocking=True), torch.ones(len(b), dtype=torch.bool)
        if self.cfg.augment:
            xb, plain = augment_share(xb, self.cfg.augment_p, gen)
        with torch.autocast(**self.amp):
            return self.f(xb).float(), plain.to(self.device)

    def features(self, b: torch.Tensor | None = None) -> torch.Tensor:
        """f's evaluation-mode output for the un-augmented items b (all when None): what the buffers hold."""
        if self.T is not None:
            return evaluate(self.f, self.T if b is None else self.T[b], self.device, None, self.f.head)
        return evaluate(self.f, self.X if b is None else self.X[b.cpu()], self.device)

    def buffer_rows(self, b: torch.Tensor, out: torch.Tensor, plain: torch.Tensor) -> tuple:
        """(items, features) of a step on the items b that refresh the buffers: the step's own output `out` for its
        un-augmented items when it is f's evaluation-mode output; else all of b, recomputed in evaluation mode."""
        if self.recompute:
            return b, self.features(b)
        return b[plain], out[plain].detach()


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


def _descend(opt, loss) -> None:
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def start(model, data: TrainData, cfg: TrainConfig, device, pretrained: bool) -> tuple:
    """What every objective's training starts from: (the seeded generator, the stills X, the training videos' Y and
    labels y_V, the class embeddings S) on `device`, and g's input statistics set from Y."""
    gen = seeded(cfg.seed)
    model.to(device).train()
    X = Stills(data, model.f, cfg, pretrained, device)
    Y, y_V = torch.from_numpy(data.Y).float().to(device), torch.from_numpy(data.y_V).to(device)
    S = torch.from_numpy(data.S).float().to(device)
    model.g.set_input_stats(Y, per_dimension=cfg.video_input == "standardise")
    return gen, X, Y, y_V, S


def train(model, data: TrainData, cfg: TrainConfig, device=torch.device("cpu"), progress=lambda frac, msg: None,
          pretrained: bool = False):
    """Train `model` (models.DIVAFN) in place; returns the per-epoch history of each loss term.

    pretrained: θx starts from ImageNet weights (its trunk then learns at lr_trunk · lr_x).
    The comments "line n" are the lines of Algorithm 1's box (DESIGN §3). cfg.objective finetune and dann train by
    `train_supervised` instead; divafn_plus adds `Supervised`'s term to each side's loss.
    """
    if cfg.objective in ("finetune", "dann"):
        from pipeline.method.baselines import train_supervised      # here: baselines builds on this module
        return train_supervised(model, data, cfg, device, progress, pretrained)
    gen, X, Y, y_V, S = start(model, data, cfg, device, pretrained)
    buf = Buffers(X.features(), X.is_kf, X.y, evaluate(model.g, Y, device), y_V, S)
    opt_x, opt_y = optimiser_x(model.f, cfg, pretrained), adamw(model.g.parameters(), cfg.lr_y, cfg.weight_decay)
    sup = Supervised(cfg, len(S), model.W_F.shape[1], opt_x, opt_y, device) if cfg.objective == "divafn_plus" else None
    sched = [torch.optim.lr_scheduler.CosineAnnealingLR(o, cfg.epochs) for o in (opt_x, opt_y)]
    t_x = math.ceil(len(X) / cfg.batch_size)                                             # line 1
    t_y = t_x if cfg.video_steps == "algorithm" else math.ceil(len(Y) / cfg.batch_size)
    history = []
    for epoch in range(cfg.epochs):
        t0, sums = time.time(), dict(sim_fg=0.0, sim_hg=0.0, sim_fh=0.0, auto_f=0.0, auto_h=0.0, auto_g=0.0)
        enc = buf.refresh_encoders(cfg.lam, model)         # W_F, W_H, W_G of lines 6 and 12, in closed form
        perm = torch.randperm(len(X), generator=gen)
        for step in range(t_x):                                                          # line 2
            b = perm[step * cfg.batch_size:(step + 1) * cfg.batch_size].to(device)       # line 3
            F, H = buf.F, buf.H                                  # the other side, held fixed
            out, plain = X.forward(b, gen)                                               # line 4: f(x_i; θx)
            kf, y_b = X.is_kf[b], X.y[b]
            loss, terms = image_side_loss(out[~kf], y_b[~kf], out[kf], y_b[kf],          # line 5: its loss
                                          F, buf.y_F, H, buf.y_H, buf.G, buf.y_G, S, enc, cfg)
            if sup is not None:
                loss, terms = sup.stills(loss, terms, out, kf, y_b, enc, S)
            buf.update_stills(*X.buffer_rows(b, out, plain))
            _descend(opt_x, loss)                                                        # lines 5–6: update θx
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + v.item() / t_x
            progress((epoch + (step + 1) / (t_x + t_y)) / cfg.epochs, f"epoch {epoch + 1}/{cfg.epochs}: image side")
        F, H = buf.F, buf.H
        if cfg.video_steps == "algorithm":
            batches = video_batches(len(Y), cfg.batch_size, t_y, gen)
        else:                                    # one pass: the earlier trainings' exact draws (digest_added)
            batches = torch.randperm(len(Y), generator=gen).split(cfg.batch_size)
        for step, b in enumerate(batches):                                               # lines 8–9
            b = b.to(device)
            G_b = model.g(Y[b]).float()                                                  # line 10: g(y_j; θy)
            loss, terms = video_side_loss(G_b, y_V[b], F, buf.y_F, H, buf.y_H, S, enc, cfg)  # line 11
            if sup is not None:
                loss, terms = sup.videos(loss, terms, G_b, y_V[b], enc, S)
                sums["sup_g"] = sums.get("sup_g", 0.0) + terms["sup_g"].item() / t_y
            _descend(opt_y, loss)                                                        # lines 11–12: update θy
            buf.update_videos(b, G_b.detach())                   # g has no dropout: its output is deterministic
            sums["auto_g"] += terms["auto_g"].item() / t_y
            progress((epoch + (t_x + step + 1) / (t_x + t_y)) / cfg.epochs,
                     f"epoch {epoch + 1}/{cfg.epochs}: video side")
        for s in sched:
            s.step()
        history.append(dict(epoch=epoch + 1, seconds=round(time.time() - t0, 3),
                            **{k: round(v, 6) for k, v in sums.items()}))
        log.info("epoch %d/%d  %s", epoch + 1, cfg.epochs, "  ".join(f"{k} {v:.4f}" for k, v in sums.items()))
    buf.refresh_encoders(cfg.lam, model)                     # the saved W's: the closed form of the final buffers
    return history


def config_dict(cfg: TrainConfig) -> dict:
    return asdict(cfg)
