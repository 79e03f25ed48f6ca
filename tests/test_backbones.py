"""Backbones of f (CNN-F, AlexNet, ResNet-18): one interface, seeded construction, local ImageNet weights."""
import pytest
import torch

from models import DIVAFN, build_backbone
from models.backbones import TorchvisionBackbone
from pipeline.errors import DataError
from pipeline.method import train
from pipeline.method.pretrained import load_pretrained

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


@pytest.mark.parametrize("name", ["cnnf", "alexnet", "resnet18"])
def test_divafn_backbone_argument_and_seeded_construction(name):
    dims = dict(c=C, video_dim=10, d=5, fc_dim=FC, video_hidden=16, backbone=name)
    a, b = train.build_model(dims, seed=3), train.build_model(dims, seed=3)
    assert isinstance(a, DIVAFN)
    for (k, v), (_, w) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(v, w), k
    other = train.build_model(dims, seed=4)
    assert not torch.equal(a.f.full[-1].weight, other.f.full[-1].weight)


def imagenet_like_state_dict(name, fc_dim):
    """What a user's ImageNet file holds: the whole classifier, 1000-way head included, in its own key names."""
    torch.manual_seed(1)
    if name == "cnnf":
        from models import CNNF
        return {k: v for k, v in CNNF(1000, fc_dim).state_dict().items() if k not in ("mean", "std")}
    import torchvision
    net = getattr(torchvision.models, name)(weights=None)
    if name == "alexnet":                              # the test's fc_dim instead of 4096, to stay small
        net.classifier[1], net.classifier[4], net.classifier[6] = (torch.nn.Linear(9216, fc_dim), torch.nn.Linear(fc_dim, fc_dim),
                                                                   torch.nn.Linear(fc_dim, 1000))
    return net.state_dict()


@pytest.mark.parametrize("name", ["cnnf", "alexnet", "resnet18"])
def test_pretrained_file_initialises_the_trunk_not_the_head(tmp_path, name):
    sd = imagenet_like_state_dict(name, FC)
    path = tmp_path / f"{name}.pt"
    torch.save({"state_dict": {f"module.{k}": v for k, v in sd.items()}} if name == "resnet18" else sd, path)
    f = build_backbone(name, C, FC)
    head_before = f.full[-1].weight.clone()
    out = load_pretrained(f, path, name)
    trunk = f if name == "cnnf" else f.net
    own = trunk.state_dict()
    for k, v in sd.items():
        if k.startswith((f"full.{len(f.full) - 1}.", "classifier.6.", "fc.")):
            continue
        assert torch.equal(own[k], v), k
    assert out["loaded"] > 0 and out["skipped"]                 # the 1000-way layer was skipped ...
    assert torch.equal(f.full[-1].weight, head_before)          # ... and the head kept its init


def test_mismatched_or_unreadable_file_is_a_clear_data_error(tmp_path):
    path = tmp_path / "resnet.pt"
    torch.save(imagenet_like_state_dict("resnet18", FC), path)
    with pytest.raises(DataError, match="does not fit backbone alexnet.*missing.*unexpected"):
        load_pretrained(build_backbone("alexnet", C, FC), path, "alexnet")
    torch.save(imagenet_like_state_dict("alexnet", FC), path)
    with pytest.raises(DataError, match=r"shape classifier\.1\.bias \(64,\) vs \(32,\)"):
        load_pretrained(build_backbone("alexnet", C, 32), path, "alexnet")   # fc_dim 32 vs the file's 64
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    with pytest.raises(DataError, match="cannot read pretrained weights"):
        load_pretrained(build_backbone("cnnf", C, FC), tmp_path / "junk.pt", "cnnf")
    torch.save(torch.zeros(3), tmp_path / "tensor.pt")
    with pytest.raises(DataError, match="not a state dict"):
        load_pretrained(build_backbone("cnnf", C, FC), tmp_path / "tensor.pt", "cnnf")


def test_unknown_backbone():
    with pytest.raises(ValueError, match="cnnf, alexnet, resnet18"):
        build_backbone("vgg", C)
    assert set(TorchvisionBackbone.HEAD) == {"alexnet", "resnet18"}
