"""The heads the baselines and divafn_plus train beside f and g (pipeline.method.train), not part of models.DIVAFN:
its model.pt, and so DIVAFN's initial weights, stay as they were. Features are f's and g's outputs, as for DIVAFN."""
import torch
from torch import nn


class _Reverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight: float):
        ctx.weight = weight
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.weight * grad, None


class GradientReversal(nn.Module):
    """The identity forward; backward, the gradient times −weight (DANN's gradient-reversal layer). `weight` is set
    by training at each step (pipeline.method.losses.reversal_weight)."""

    def __init__(self, weight: float = 1.0):
        super().__init__()
        self.weight = weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _Reverse.apply(x, self.weight)


class DomainClassifier(nn.Module):
    """DANN's domain classifier on a c-dim feature: two hidden ReLU layers, one logit (keyframe vs image), behind a
    gradient-reversal layer, so f learns to make the two domains indistinguishable while this learns to tell them."""

    def __init__(self, c: int, hidden: int = 256):
        super().__init__()
        self.reverse = GradientReversal()
        self.net = nn.Sequential(nn.Linear(c, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(self.reverse(z)).squeeze(1)
