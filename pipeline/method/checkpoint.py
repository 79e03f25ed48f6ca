"""model.pt, TrainDIVAFN's output: the one module that writes and reads it.

Keys: `state_dict` (θx, θy, W_F, W_H, W_G and the networks' input statistics), `dims` (DIVAFN's constructor
arguments: c, video_dim, d, fc_dim, video_hidden, backbone, image_size), `config` (the TrainConfig), `history`
(per-epoch loss terms), `classes`, `pretrained` (the ImageNet file θx started from; "" from scratch),
`use_keyframes` and `provenance` (what made it). Read with `weights_only=True`: a model.pt holds tensors and
plain values only.
"""
import torch

from models import DIVAFN
from pipeline.errors import DataError
from pipeline.io.artifacts import fix_hint
from pipeline.method import pretrained, train

KEYS = ("state_dict", "dims", "config", "history", "classes", "pretrained", "use_keyframes", "provenance")
DIMS = ("c", "video_dim", "d", "fc_dim", "video_hidden", "backbone", "image_size")


def save(path, model: DIVAFN, dims: dict, config: dict, history: list, classes: list, pretrained_from: str,
         use_keyframes: bool, provenance: dict) -> None:
    torch.save(dict(state_dict={k: v.cpu() for k, v in model.state_dict().items()}, dims=dims, config=config,
                    history=history, classes=classes, pretrained=pretrained_from, use_keyframes=use_keyframes,
                    provenance=provenance), path)


def load(path) -> dict:
    """The checkpoint's dict; a file that is not a complete model.pt is one DataError naming it and the fix."""
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:   # torch raises many types for a bad file (RuntimeError, UnpicklingError, EOFError…)
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DataError(f"{path}: not a readable torch checkpoint ({msg[:160]}); {fix_hint(path)}.") from None
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        raise DataError(f"{path}: a torch file without 'state_dict'; not a model.pt of TrainDIVAFN: {fix_hint(path)}.")
    missing = [k for k in KEYS if k not in ckpt] + [f"dims.{k}" for k in DIMS if k not in (ckpt.get("dims") or {})]
    if missing:
        raise DataError(f"{path}: a model.pt without {', '.join(missing)}: written by older code; {fix_hint(path)}.")
    return ckpt


def load_model(path) -> DIVAFN:
    """The trained networks of model.pt."""
    ckpt = load(path)
    model = DIVAFN(**ckpt["dims"])
    model.load_state_dict(ckpt["state_dict"])
    return model


def initial_model(path, seed: int) -> DIVAFN:
    """The networks of model.pt as training started: initial weights rebuilt from `seed` (train.build_model),
    with the trained model's buffers (input statistics, set from the data before the first step)."""
    ckpt = load(path)
    model = train.build_model(ckpt["dims"], seed)
    if ckpt["pretrained"]:              # θx⁰ was the ImageNet file's
        pretrained.load_pretrained(model.f, ckpt["pretrained"], ckpt["dims"]["backbone"])
    buffers = {name for name, _ in model.named_buffers()}
    model.load_state_dict({k: v for k, v in ckpt["state_dict"].items() if k in buffers}, strict=False)
    return model


def weights_text(ckpt: dict) -> str:
    """Which backbone θx is and where its weights came from, in words (the report's "network weights")."""
    backbone = ckpt["dims"]["backbone"]
    return (f"{backbone} initialised from ImageNet weights in {ckpt['pretrained']}" if ckpt["pretrained"]
            else f"{backbone} trained from scratch (no ImageNet weights file)")
