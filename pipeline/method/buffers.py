"""Algorithm 1's buffers: F, H, G, every item's latest features, and the encoders W_F, W_H, W_G fitted on them.

A step of one side scores its mini-batch against the other modalities' features of every item (DCMH), not
recomputed at each step: they are these buffers, held fixed in the step. A row is refreshed only when its item's
batch is visited (`update_stills`, `update_videos`), once an epoch, so it holds the output of weights up to two
epochs' steps old (an item visited early in one epoch and late in the next), older when a still is augmented on
several visits in a row (`augment_p`: only its un-augmented visits refresh it). The encoders are refitted in closed
form on the buffers as they stand at the start of each epoch (`refresh_encoders`): for fixed features that is the
exact minimiser of Auto-F/H/G.
"""
import torch

from pipeline.method import sae


def closed_form(Z: torch.Tensor, S_Z: torch.Tensor, lam: float) -> tuple:
    """(μ, W) of Auto-· for fixed features Z (n, c): μ their mean, W = sae.fit_sae(prepare(Z, μ), S_Z, λ)."""
    mu = Z.double().mean(0)
    W = sae.fit_sae(sae.prepare(Z.cpu().double().numpy(), mu.cpu().numpy()), S_Z.cpu().double().numpy(), lam)
    return mu.float(), torch.from_numpy(W).float().to(Z.device)


class Buffers:
    """F (images) and H (keyframes), the rows of one matrix FH in the still items' order, and G (videos).

    FH (n_x, c) with is_kf (n_x,) bool marking the keyframes' rows and y_X (n_x,) their labels; G (n_y, c) with
    y_G; S (C, d) the class embeddings. `enc` holds the encoders of the last refresh.
    """

    def __init__(self, FH: torch.Tensor, is_kf: torch.Tensor, y_X: torch.Tensor, G: torch.Tensor, y_G: torch.Tensor,
                 S: torch.Tensor):
        self.FH, self.is_kf, self.G, self.S = FH, is_kf, G, S
        self.y_F, self.y_H, self.y_G = y_X[~is_kf], y_X[is_kf], y_G
        self.enc = None

    @property
    def F(self) -> torch.Tensor:
        return self.FH[~self.is_kf]      # a copy: a loss scored against it keeps the values it saw

    @property
    def H(self) -> torch.Tensor:
        return self.FH[self.is_kf]

    def update_stills(self, index: torch.Tensor, rows: torch.Tensor) -> None:
        """The still items `index` (into FH) now have the features `rows`."""
        self.FH[index] = rows

    def update_videos(self, index: torch.Tensor, rows: torch.Tensor) -> None:
        self.G[index] = rows

    def refresh_encoders(self, lam: float, model) -> dict:
        """enc = {"F": (μ_F, W_F), "H": (μ_H, W_H), "G": (μ_G, W_G)}: Auto-F/H/G in closed form on the buffers as
        they stand, also set as model.W_F, W_H, W_G (model.pt keeps the last ones). Without keyframes (H empty)
        W_H stays as it is: Auto-H is then a mean over no items."""
        F, H, S = self.F, self.H, self.S
        self.enc = dict(F=closed_form(F, S[self.y_F], lam),
                        H=closed_form(H, S[self.y_H], lam) if len(H) else (torch.zeros_like(self.FH[0]), model.W_H),
                        G=closed_form(self.G, S[self.y_G], lam))
        for name, (_, W) in self.enc.items():
            getattr(model, f"W_{name}").copy_(W)
        return self.enc
