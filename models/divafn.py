import torch
from torch import nn

from .backbones import build_backbone
from .video_net import VideoNet


class DIVAFN(nn.Module):
    """All learned weights of DIVAFN: θx (f), θy (g) and the semantic encoders W_F, W_H, W_G (d, c).

    W_E is not here: it is solved in closed form after training (Algorithm 1, line 14).
    Keyframes pass through the same network f as images (the paper's Figs. 1–2 give both one table).
    """

    def __init__(self, c: int, video_dim: int, d: int, fc_dim: int = 4096, video_hidden: int = 8192,
                 backbone: str = "cnnf", image_size: int = 224):
        super().__init__()
        self.f = build_backbone(backbone, c, fc_dim, image_size)   # models.backbones.BACKBONES
        self.g = VideoNet(video_dim, c, video_hidden)
        # Buffers, not parameters: training sets them in closed form each epoch (pipeline.method.train).
        for name in ("W_F", "W_H", "W_G"):
            self.register_buffer(name, torch.zeros(d, c))
