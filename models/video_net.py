import torch
from torch import nn

from .cnnf import on_sphere


class VideoNet(nn.Module):
    """The paper's video network g(·; θy): full1 (8192, ReLU) → full2 (c), on a clip-level feature y.

    Its output has the same fixed length as CNNF's (models.cnnf.on_sphere).
    The input is zero-meaned per dimension (as DCMH does for its text side) with `y_mean`, and divided by
    `y_scale`: each dimension's standard deviation, or one scale for all (the dimensions' RMS standard deviation),
    buffers set from the training videos so that the saved model applies the same at feature-dump time.
    """

    def __init__(self, in_dim: int, c: int, hidden: int = 8192, scale: float = 4.0):
        super().__init__()
        self.scale = scale
        self.register_buffer("y_mean", torch.zeros(in_dim))
        self.register_buffer("y_scale", torch.ones(in_dim))
        self.full = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, c))
        nn.init.normal_(self.full[-1].weight, 0.0, 0.01)
        nn.init.zeros_(self.full[-1].bias)

    def set_input_stats(self, Y: torch.Tensor, per_dimension: bool = True) -> None:
        """Centre each input dimension on the training videos Y (n, in_dim); scale each to unit std (per_dimension),
        or all by one scale, so that their mean variance is 1."""
        self.y_mean.copy_(Y.mean(0))
        std = Y.std(0)
        self.y_scale.copy_(std.clamp_min(1e-6) if per_dimension else std.square().mean().sqrt().clamp_min(1e-6))

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return on_sphere(self.full((y - self.y_mean) / self.y_scale), self.scale)   # (n, c), as CNNF's
