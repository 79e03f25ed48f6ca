"""divafn_plus's supervised term (issue 26), added to Algorithm 1's two losses by pipeline.method.train.train."""
import torch
import torch.nn.functional as nnf
from torch import nn

from pipeline.method.losses import semantic_cross_entropy
from pipeline.method.train_config import TrainConfig


class Supervised:
    """divafn_plus's supervised term γ·L_sup, added to each side's loss of Algorithm 1 so that training keeps the
    class structure that the similarity terms alone can lose (docs/method.md, "divafn_plus").

    supervision "linear": L_sup = cross-entropy through a linear C-way layer on f's output (one layer for F and H,
    learnt with θx) and another on g's (learnt with θy); "semantic": the softmax over semantic_logits, with the
    epoch's closed-form encoders W_F, W_H, W_G and the class embeddings S (no new weights).
    """

    def __init__(self, cfg: TrainConfig, n_classes: int, c: int, opt_x, opt_y, device):
        self.cfg, self.heads = cfg, None
        if cfg.supervision == "linear":
            self.heads = dict(x=nn.Linear(c, n_classes).to(device), y=nn.Linear(c, n_classes).to(device))
            opt_x.add_param_group(dict(params=list(self.heads["x"].parameters()), lr=cfg.lr_x))
            opt_y.add_param_group(dict(params=list(self.heads["y"].parameters()), lr=cfg.lr_y))

    def term(self, Z, y, side: str, key: str, enc: dict, S) -> torch.Tensor:
        if self.heads is not None:
            return nnf.cross_entropy(self.heads[side](Z), y) if len(Z) else Z.sum()
        return semantic_cross_entropy(Z, y, *enc[key], S, self.cfg.tau)

    def stills(self, loss, terms: dict, out, kf, y_b, enc: dict, S) -> tuple:
        """L_x + γ·L_sup over the batch's images (F_b) and keyframes (H_b), weighted by their counts."""
        n = max(1, len(out))
        sup = (self.term(out[~kf], y_b[~kf], "x", "F", enc, S) * int((~kf).sum())
               + self.term(out[kf], y_b[kf], "x", "H", enc, S) * int(kf.sum())) / n
        return loss + self.cfg.gamma * sup, dict(terms, sup_x=sup)

    def videos(self, loss, terms: dict, G_b, y_b, enc: dict, S) -> tuple:
        sup = self.term(G_b, y_b, "y", "G", enc, S)
        return loss + self.cfg.gamma * sup, dict(terms, sup_g=sup)
