"""The standard baselines' training of f and g (TrainDIVAFN objective finetune or dann; docs/method.md, "Methods
compared"), on pipeline.method.train's stills, optimisers and schedule, so that the budget is DIVAFN's."""
import logging
import math
import time

import torch
import torch.nn.functional as nnf
from torch import nn

from pipeline.method.buffers import Buffers
from pipeline.method.features import evaluate
from pipeline.method.losses import domain_loss, reversal_weight
from pipeline.method.train import TrainData, _descend, adamw, optimiser_x, start
from pipeline.method.train_config import TrainConfig

log = logging.getLogger(__name__)


def train_supervised(model, data: TrainData, cfg: TrainConfig, device=torch.device("cpu"),
                     progress=lambda frac, msg: None, pretrained: bool = False) -> list:
    """The baselines' training of f and g (cfg.objective finetune or dann), with DIVAFN's budget: the same stills, the
    same epochs, batch size, optimisers, rates, cosine schedule and augmentation as `train`.

    finetune: each epoch, f by softmax cross-entropy through a new linear C-way layer on its c-dim output over every
    labelled still (images X and training keyframes K), then g the same way over the training videos' features.
    dann: the same, plus a domain classifier on f's output behind a gradient-reversal layer, telling images from the
    training videos' keyframes (no test video is seen), its loss weighted by domain_weight and its reversal by
    λ_p = reversal_weight(p) at training progress p (Ganin & Lempitsky 2016). W_F, W_H, W_G are fitted in closed form
    on the final features, as `train` leaves them. Returns the per-epoch history (ce_x, acc_x: the stills' training
    accuracy on the batches, ce_y; dann: domain, its mean loss, and domain_acc, the domain classifier's accuracy).
    """
    from models import DomainClassifier
    gen, X, Y, y_V, S = start(model, data, cfg, device, pretrained)
    c, n_classes = model.W_F.shape[1], len(S)
    head_x, head_y = nn.Linear(c, n_classes).to(device), nn.Linear(c, n_classes).to(device)
    opt_x = optimiser_x(model.f, cfg, pretrained)
    opt_x.add_param_group(dict(params=list(head_x.parameters()), lr=cfg.lr_x))
    disc = None
    if cfg.objective == "dann":
        disc = DomainClassifier(c).to(device)
        opt_x.add_param_group(dict(params=list(disc.parameters()), lr=cfg.lr_x))
    opt_y = adamw(list(model.g.parameters()) + list(head_y.parameters()), cfg.lr_y, cfg.weight_decay)
    sched = [torch.optim.lr_scheduler.CosineAnnealingLR(o, cfg.epochs) for o in (opt_x, opt_y)]
    t_x = math.ceil(len(X) / cfg.batch_size)
    history = []
    for epoch in range(cfg.epochs):
        adversarial = dict(domain=0.0, domain_acc=0.0) if disc else {}
        t0, sums = time.time(), dict(ce_x=0.0, acc_x=0.0, ce_y=0.0, **adversarial)
        perm = torch.randperm(len(X), generator=gen)
        for step in range(t_x):
            b = perm[step * cfg.batch_size:(step + 1) * cfg.batch_size].to(device)
            out, _ = X.forward(b, gen)
            logits_x = head_x(out)
            loss = nnf.cross_entropy(logits_x, X.y[b])
            sums["ce_x"] += loss.item() / t_x
            sums["acc_x"] += (logits_x.argmax(1) == X.y[b]).float().mean().item() / t_x
            if disc is not None:
                disc.reverse.weight = reversal_weight((epoch * t_x + step) / (cfg.epochs * t_x))
                logits, kf = disc(out), X.is_kf[b]
                dom = domain_loss(logits, kf)
                loss = loss + cfg.domain_weight * dom
                sums["domain"] += dom.item() / t_x
                sums["domain_acc"] += ((logits > 0) == kf).float().mean().item() / t_x
            _descend(opt_x, loss)
            progress((epoch + (step + 1) / (t_x + 1)) / cfg.epochs, f"epoch {epoch + 1}/{cfg.epochs}: stills")
        batches = torch.randperm(len(Y), generator=gen).split(cfg.batch_size)
        for b in batches:
            b = b.to(device)
            loss = nnf.cross_entropy(head_y(model.g(Y[b]).float()), y_V[b])
            _descend(opt_y, loss)
            sums["ce_y"] += loss.item() / len(batches)
        progress((epoch + 1) / cfg.epochs, f"epoch {epoch + 1}/{cfg.epochs}: videos")
        for s_ in sched:
            s_.step()
        history.append(dict(epoch=epoch + 1, seconds=round(time.time() - t0, 3),
                            **{k: round(v, 6) for k, v in sums.items()}))
        log.info("epoch %d/%d  %s", epoch + 1, cfg.epochs, "  ".join(f"{k} {v:.4f}" for k, v in sums.items()))
    buf = Buffers(X.features(), X.is_kf, X.y, evaluate(model.g, Y, device), y_V, S)
    buf.refresh_encoders(cfg.lam, model)
    return history
