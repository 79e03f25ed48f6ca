"""torch modules of DIVAFN: the image/keyframe network f(·; θx), the video network g(·; θy), and their container."""
from .backbones import BACKBONES, TorchvisionBackbone, build_backbone
from .cnnf import CNNF
from .divafn import DIVAFN
from .video_net import VideoNet

__all__ = ["CNNF", "VideoNet", "DIVAFN", "TorchvisionBackbone", "build_backbone", "BACKBONES"]
