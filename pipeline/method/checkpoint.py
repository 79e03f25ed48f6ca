"""model.pt, TrainDIVAFN's output: the one module that writes and reads it.

Keys: `state_dict` (θx, θy, W_F, W_H, W_G and the networks' input statistics), `dims` (DIVAFN's constructor
arguments: c, video_dim, d, fc_dim, video_hidden, backbone, image_size), `config` (the TrainConfig), `history`
(per-epoch loss terms), `classes`, `pretrained` (the local path of the ImageNet file θx started from, which
`initial_model` reads again; "" from scratch), `weights` (that file in terms alike on every install: package,
version, file name, sha256; pipeline.method.pretrained.weights_record; absent in files of older code),
`use_keyframes` and `provenance` (what made it). Read with `weights_only=True`: a model.pt holds tensors and plain
values only.
"""
import torch

from models import DIVAFN
from pipeline.errors import DataError
from pipeline.io.artifacts import fix_hint, made_by_folder
from pipeline.method import pretrained, train

KEYS = ("state_dict", "dims", "config", "history", "classes", "pretrained", "use_keyframes", "provenance")
DIMS = ("c", "video_dim", "d", "fc_dim", "video_hidden", "backbone", "image_size")


def save(path, model: DIVAFN, dims: dict, config: dict, history: list, classes: list, pretrained_from: str,
         use_keyframes: bool, provenance: dict) -> None:
    torch.save(dict(state_dict={k: v.cpu() for k, v in model.state_dict().items()}, dims=dims, config=config,
                    history=history, classes=classes, pretrained=pretrained_from,
                    weights=pretrained.weights_record(pretrained_from, dims["backbone"]), use_keyframes=use_keyframes,
                    provenance=provenance), path)


def load(path) -> dict:
    """The checkpoint's dict; a file that is not a complete model.pt is one DataError naming it and the fix."""
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:   # torch raises many types for a bad file (RuntimeError, UnpicklingError, EOFError…)
        raise unreadable(path, e) from None
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        raise DataError(f"{path}: a torch file without 'state_dict'; not a model.pt of TrainDIVAFN: {fix_hint(path)}.")
    missing = [k for k in KEYS if k not in ckpt] + [f"dims.{k}" for k in DIMS if k not in (ckpt.get("dims") or {})]
    if missing:
        raise DataError(f"{path}: a model.pt without {', '.join(missing)}: written by older code; {fix_hint(path)}.")
    return ckpt


def unreadable(path, error: Exception) -> DataError:
    """The one line for a file that torch cannot read as a checkpoint: what it is likely to be, the first sentence of
    the reader's own message (whole, never cut), and the fix: model.pt is TrainDIVAFN's to write again."""
    first = str(error).strip().split("\n")[0].split(". ")[0].rstrip(".")
    why = f"{type(error).__name__}: {first}" if first and len(first) <= 200 else type(error).__name__
    fix = (fix_hint(path) if made_by_folder(path)
           else "if it is a model.pt, delete it and re-run TrainDIVAFN, the stage that writes it")
    return DataError(f"{path}: not a readable torch checkpoint: truncated, or not a model.pt ({why}); {fix}.")


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


def weights_record(ckpt: dict) -> dict:
    """Where θx's initial weights came from, the same on every install (pipeline.method.pretrained.weights_record);
    for a model.pt of older code, which kept only the path, made from that path now."""
    if "weights" in ckpt:
        return ckpt["weights"]
    return pretrained.weights_record(ckpt["pretrained"], ckpt["dims"]["backbone"])
