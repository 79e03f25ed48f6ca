"""Backbones of f (models/backbones.py: CNN-F, AlexNet, ResNet-18): one interface, uint8 in, fixed length out."""
import pytest
import torch

from models import build_backbone
from models.backbones import TorchvisionBackbone

C, FC = 8, 64


@pytest.mark.parametrize("name", ["cnnf", "alexnet", "resnet18"])
def test_same_interface_uint8_in_fixed_length_out(name):
    torch.manual_seed(0)
    f = build_backbone(name, C, FC).eval()
    x = torch.randint(0, 256, (3, 64, 64, 3), dtype=torch.uint8)
    z = f(x)
    assert z.shape == (3, C) and f.full[-1].out_features == C
    torch.testing.assert_close(z.norm(dim=1), torch.full((3,), f.scale))   # models.cnnf.on_sphere
    z.sum().backward()                                                      # trainable end to end
    assert all(p.grad is not None for p in f.parameters() if p.requires_grad)


def test_unknown_backbone():
    with pytest.raises(ValueError, match="cnnf, alexnet, resnet18"):
        build_backbone("vgg", C)
    assert set(TorchvisionBackbone.HEAD) == {"alexnet", "resnet18"}
