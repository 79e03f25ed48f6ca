"""Video features from a torchvision 3D CNN (r3d_18, r2plus1d_18, mc3_18) with weights from a local file.

No download ever: the network is built with `weights=None` and its state dict is loaded from the file
named in luigi.cfg (`[ExtractVideoFeatures] weights = /path/to/r3d_18.pth`), e.g. torchvision's
Kinetics-400 checkpoint copied by hand. Without a weights file the extractor refuses (random weights give
meaningless features) unless `allow_random_weights` is set (tests, smoke runs).

Input as in torchvision's Kinetics-400 training recipe: n frames (default 16) sampled uniformly over the
video, resized to 128×171 (h×w), centre-cropped to 112×112, scaled to [0, 1] and normalised by the Kinetics
mean/std; tensor (3, n, 112, 112). Output: the 512-d global-average-pooled feature before the classifier
(`fc` replaced by Identity). torch is imported by the functions that use it, so that the constants here (ARCHS,
the extractor choices of tasks/extract.py) cost nothing to import.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import DataError

if TYPE_CHECKING:
    import torch
    from torch import nn

ARCHS = ("r3d_18", "r2plus1d_18", "mc3_18")
KINETICS_MEAN = (0.43216, 0.394666, 0.37645)
KINETICS_STD = (0.22803, 0.22145, 0.216989)
RESIZE = (171, 128)      # (w, h) the frames are decoded to
CROP = 112
DIM = 512


def build(arch: str, weights, allow_random: bool = False) -> nn.Module:
    """The backbone `arch` with `fc` = Identity and the state dict of the local file `weights` loaded."""
    import torchvision.models.video as tv
    from torch import nn
    if arch not in ARCHS:
        raise DataError(f"unknown video backbone {arch!r}; choose one of {', '.join(ARCHS)}")
    model = getattr(tv, arch)(weights=None)
    model.fc = nn.Identity()
    if not weights:
        if not allow_random:
            raise DataError(f"extractor {arch} needs pretrained weights: set `weights = /path/to/{arch}.pth` in "
                            f"luigi.cfg [ExtractVideoFeatures] (or --ExtractVideoFeatures-weights); random weights "
                            f"give meaningless features (allow them with --ExtractVideoFeatures-allow-random-weights).")
    else:
        model.load_state_dict(load_state_dict(weights, model))
    return model.eval()


def load_state_dict(path, model: nn.Module) -> dict:
    """The state dict in the local file `path`, checked against `model` (classifier `fc.*` keys dropped)."""
    import torch
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: weights file not found (luigi.cfg [ExtractVideoFeatures] weights). "
                        f"Copy the {type(model).__name__} state dict there or correct the path; nothing is downloaded.")
    try:
        sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 — any unreadable file gets the same one-line message
        raise DataError(f"{path}: not a torch state dict ({type(e).__name__}: {e}); "
                        f"luigi.cfg [ExtractVideoFeatures] weights must name a file saved with "
                        f"torch.save(state_dict).") from None
    if isinstance(sd, dict) and isinstance(sd.get("state_dict"), dict):
        sd = sd["state_dict"]
    sd = {k.removeprefix("module."): v for k, v in sd.items() if not k.removeprefix("module.").startswith("fc.")}
    want = model.state_dict()
    missing, extra = sorted(set(want) - set(sd)), sorted(set(sd) - set(want))
    bad = [k for k in set(want) & set(sd) if tuple(sd[k].shape) != tuple(want[k].shape)]
    if missing or extra or bad:
        raise DataError(f"{path}: does not fit the video backbone: {len(missing)} missing keys {missing[:3]}, "
                        f"{len(extra)} unexpected {extra[:3]}, {len(bad)} of wrong shape {bad[:3]}; "
                        f"is it the state dict of this architecture (--ExtractVideoFeatures-extractor)?")
    return sd


def clip_tensor(clip: np.ndarray) -> torch.Tensor:
    """(n, 128, 171, 3) uint8 → (3, n, 112, 112) float32, centre-cropped and Kinetics-normalised."""
    import torch
    n, h, w, _ = clip.shape
    top, left = (h - CROP) // 2, (w - CROP) // 2
    x = torch.from_numpy(np.ascontiguousarray(clip[:, top:top + CROP, left:left + CROP])).float().div_(255)
    x = (x - torch.tensor(KINETICS_MEAN)) / torch.tensor(KINETICS_STD)      # (n, 112, 112, 3)
    return x.permute(3, 0, 1, 2).contiguous()


def features(model: nn.Module, clips: list, device, batch: int = 16) -> np.ndarray:
    """(N, 512) float32 features of N clips, each (n, 128, 171, 3) uint8."""
    import torch
    model = model.to(device)
    out = []
    with torch.no_grad():
        for i in range(0, len(clips), batch):
            x = torch.stack([clip_tensor(c) for c in clips[i:i + batch]]).to(device)   # (B, 3, n, 112, 112)
            out.append(model(x).float().cpu())
    return torch.cat(out).numpy() if out else np.empty((0, DIM), np.float32)
