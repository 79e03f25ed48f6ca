"""Backbones of the image/keyframe network f(·; θx): EfficientNet-Lite0 (ImageNet weights from an installed
package, the default), CNN-F (the paper's), torchvision AlexNet and ResNet-18.

Every backbone has CNNF's interface: input (n, px, px, 3) uint8 RGB (normalised inside with ImageNet
statistics), output (n, c) at the fixed length `scale` (models.cnnf.on_sphere), the last layer — the
new, randomly initialised c-wide head — as `self.full[-1]`. torchvision models are built with
`weights=None`: nothing is ever downloaded; ImageNet weights come only from a local file
(pipeline.pretrained.load_pretrained, TrainDIVAFN's `pretrained` path).
"""
import torch
from torch import nn

from . import BACKBONES  # noqa: F401  (the names, defined without torch in models/__init__.py)
from .cnnf import CNNF, StillNet
from .efficientnet import EfficientNetLite0


class TorchvisionBackbone(StillNet):
    """A torchvision ImageNet classifier as f: its trunk (`self.net`, torchvision's own layer names, so an
    ImageNet state dict loads into it as is) without its 1000-way layer, then a new head full8 → c.

    alexnet: the trunk keeps full6/full7 (classifier.1, classifier.4) at width `fc_dim` (4096 in ImageNet
    weights); resnet18: the trunk ends at the 512-d global average pool, `fc_dim` is not used.
    """
    HEAD = {"alexnet": "classifier.6.", "resnet18": "fc."}   # ImageNet's 1000-way layer: never loaded

    def __init__(self, name: str, c: int, fc_dim: int = 4096, dropout: float = 0.5, scale: float = 4.0):
        super().__init__(scale)
        import torchvision          # here: an efficientnet_lite0 or CNN-F model (and prediction) never pays for it
        self.name = name
        if name == "alexnet":
            net = torchvision.models.alexnet(weights=None)
            net.classifier = nn.Sequential(                      # indices kept: classifier.1/.4 as in torchvision
                nn.Dropout(dropout), nn.Linear(256 * 36, fc_dim), nn.ReLU(inplace=True),
                nn.Dropout(dropout), nn.Linear(fc_dim, fc_dim), nn.ReLU(inplace=True))
            width = fc_dim
        elif name == "resnet18":
            net = torchvision.models.resnet18(weights=None)
            net.fc = nn.Identity()
            width = 512
        else:
            raise ValueError(f"unknown torchvision backbone {name!r}; one of alexnet, resnet18")
        self.net = net
        self.full = nn.Sequential(self.new_head(width, c))      # full8: the representation

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def build_backbone(name: str, c: int, fc_dim: int = 4096, image_size: int = 224) -> nn.Module:
    """f(·; θx) by name: one of BACKBONES (`image_size` fixes efficientnet_lite0's padding)."""
    if name == "efficientnet_lite0":
        return EfficientNetLite0(c, fc_dim, image_size)
    if name == "cnnf":
        return CNNF(c, fc_dim)
    if name in TorchvisionBackbone.HEAD:
        return TorchvisionBackbone(name, c, fc_dim)
    raise ValueError(f"unknown backbone {name!r}; one of {', '.join(BACKBONES)}")
