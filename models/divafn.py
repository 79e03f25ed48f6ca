import torch
from torch import nn

from .backbones import build_backbone
from .video_net import VideoNet


class DIVAFN(nn.Module):
    """All trained parameters of DIVAFN: θx (f), θy (g) and the semantic encoders W_F, W_H, W_G (d, c).

    W_E is not here: it is solved in closed form after training (Algorithm 1, line 14).
    Keyframes pass through the same network f as images (the paper's Figs. 1–2 give both one table).
    """

    def __init__(self, c: int, video_dim: int, d: int, fc_dim: int = 4096, video_hidden: int = 8192,
                 backbone: str = "cnnf"):
        super().__init__()
        self.f = build_backbone(backbone, c, fc_dim)   # CNN-F (the paper's), or torchvision alexnet / resnet18
        self.g = VideoNet(video_dim, c, video_hidden)
        # Random init (Algorithm 1, line 1) at a scale where the decoded class vectors Wᵀs have unit
        # length: from the start each class has a distinct target, which keeps F, H, G from collapsing.
        self.W_F = nn.Parameter(torch.randn(d, c) / c ** 0.5)
        self.W_H = nn.Parameter(torch.randn(d, c) / c ** 0.5)
        self.W_G = nn.Parameter(torch.randn(d, c) / c ** 0.5)
