"""MatConvNet's CNN-F file (`imagenet-vgg-f.mat`, the paper's ImageNet initialisation) into models.CNNF.

The file is a MATLAB v5 file (utils/import-caffe.py of MatConvNet writes it with scipy.io.savemat) of a
SimpleNN network:
- `layers`: a 1×L cell array of structs with `name` and `type`: conv1 relu1 norm1 pool1 conv2 relu2 norm2 pool2
  conv3 relu3 conv4 relu4 conv5 relu5 pool5 fc6 relu6 fc7 relu7 fc8 prob. A `conv` has `weights` = {filters
  H×W×Cin×Cout single, biases Cout×1} (older files: `filters`, `biases`), `stride`, `pad` ([top bottom left right]
  or one number); fc6–fc8 are convs too (fc6 6×6×256×4096 over pool5's 6×6 map, fc7 1×1×4096×4096, fc8 the
  1000-way ImageNet layer). An `lrn` (older: `normalize`) has `param` = [N κ α β] (vl_nnnormalize:
  x / (κ + α Σ_N x²)^β). A `pool` has `method`, `pool` (size), `stride`, `pad`. `dropout` layers may be there.
- `meta.normalization` (older files: a top-level `normalization`): `averageImage` (H×W×3 or 1×1×3, RGB in
  0..255), `imageSize`, `interpolation`, …. MatConvNet subtracts the average image and divides by nothing.
Missing `stride`/`pad`/`method`/`param` take vl_simplenn_tidy's defaults (1, 0, 'max', [5 1 1e-4/5 0.75]).
"""
import numpy as np
import scipy.io
import torch
from torch import nn

from models.cnnf import CNNF
from pipeline.errors import DataError

# CNN-F's layer types in the file's order (dropout removed) against CNNF's modules: ("features", i) or ("full", i).
PLAN = (("conv", "features", 0), ("relu", None, None), ("lrn", "features", 2), ("pool", "features", 3),
        ("conv", "features", 4), ("relu", None, None), ("lrn", "features", 6), ("pool", "features", 7),
        ("conv", "features", 8), ("relu", None, None), ("conv", "features", 10), ("relu", None, None),
        ("conv", "features", 12), ("relu", None, None), ("pool", "features", 14),
        ("conv", "full", 1), ("relu", None, None), ("conv", "full", 4), ("relu", None, None))
HEAD_TYPES = {"conv", "softmax", "softmaxloss"}          # fc8 and prob after relu7: the ImageNet head, skipped
NAMES = "conv1 relu1 norm1 pool1 conv2 relu2 norm2 pool2 conv3 relu3 conv4 relu4 conv5 relu5 pool5 fc6 relu6 fc7 relu7"
FIX = "[TrainDIVAFN] pretrained must name MatConvNet's imagenet-vgg-f.mat (SimpleNN CNN-F)"


def _one(x):
    """MATLAB's 1×1 wrappers (cells, struct arrays, char arrays) unwrapped to the value inside."""
    while isinstance(x, np.ndarray) and x.dtype == object and x.size == 1:
        x = x.reshape(-1)[0]
    return x


def _text(x) -> str:
    x = _one(x)
    if isinstance(x, np.ndarray):
        x = x.reshape(-1)[0] if x.size else ""
    return str(x)


def _numbers(x) -> np.ndarray:
    return np.asarray(_one(x), dtype=np.float64).reshape(-1)


def _pair(x) -> list:
    """A MATLAB size/stride ([a b] or one number) as two ints."""
    return [int(v) for v in np.resize(_numbers(x), 2)]


def _pad4(layer) -> list:
    pad = _numbers(getattr(layer, "pad", 0))
    return [int(p) for p in (np.repeat(pad, 4) if pad.size == 1 else pad)]


def _field(layer, *names):
    return next((getattr(layer, n) for n in names if hasattr(layer, n)), None)


def read(path) -> dict:
    """The file's layers (mat_struct objects, dropout left out) and its average colour:
    {"layers", "mean", "image_size"}."""
    try:
        mat = scipy.io.loadmat(path, squeeze_me=False, struct_as_record=False)
    except Exception as e:   # noqa: BLE001 — v7.3 (HDF5), truncated or not MATLAB: the same user error
        raise DataError(f"{path}: cannot read as a MATLAB v5 file ({type(e).__name__}: {str(e)[:160]}); {FIX}, as "
                        f"MatConvNet distributes it (a file re-saved with -v7.3 must be re-saved with -v7).") from None
    if "layers" not in mat:
        raise DataError(f"{path}: no `layers` cell array, not a MatConvNet SimpleNN network; {FIX}.")
    if "params" in mat:
        raise DataError(f"{path}: a MatConvNet DagNN network (it has `params`); {FIX}, the SimpleNN file.")
    cells = np.asarray(mat["layers"]).reshape(-1)
    layers = [_one(c) for c in cells]
    if not all(isinstance(x, scipy.io.matlab.mat_struct) and hasattr(x, "type") for x in layers):
        raise DataError(f"{path}: `layers` is not a cell array of structs with a `type`; {FIX}.")
    layers = [x for x in layers if _text(x.type) != "dropout"]
    meta = _one(mat["meta"]) if "meta" in mat else None
    norm = _one(getattr(meta, "normalization", None)) if meta is not None else _one(mat.get("normalization"))
    avg = None if norm is None or not hasattr(norm, "averageImage") else np.asarray(_one(norm.averageImage), np.float64)
    if avg is None or avg.size == 0 or avg.size % 3 or (avg.size > 3 and (avg.ndim != 3 or avg.shape[2] != 3)):
        raise DataError(f"{path}: no usable meta.normalization.averageImage (H×W×3 or 1×1×3; found "
                        f"{'none' if avg is None else avg.shape}); {FIX}.")
    size = _numbers(getattr(norm, "imageSize", [])).astype(int).tolist()
    return dict(layers=layers, mean=avg.reshape(-1, 3).mean(0), image_size=size[:2])


def _conv(path, layer, name, target: nn.Module, cin: int = 0) -> list:
    """(weight, bias) of one conv layer of the file, as torch tensors shaped as `target`: a Conv2d, or a Linear
    over a `cin`-channel square map (full6: pool5's 6×6×256, flattened as torch does, (C, H, W); full7: 1×1)."""
    weights = _field(layer, "weights")
    filt, bias = ((_one(weights.reshape(-1)[0]), _one(weights.reshape(-1)[1])) if weights is not None and
                  np.asarray(weights).size == 2 else (_field(layer, "filters"), _field(layer, "biases")))
    if filt is None or bias is None:
        raise DataError(f"{path}: layer {name} (conv) has no weights = {{filters, biases}}; {FIX}.")
    filt, bias = np.asarray(filt, np.float32), np.asarray(bias, np.float32).reshape(-1)
    filt = filt.reshape(filt.shape + (1,) * (4 - filt.ndim))              # MATLAB drops trailing singleton dims
    if isinstance(target, nn.Conv2d):
        want = tuple(target.weight.shape[i] for i in (2, 3, 1, 0))        # H×W×Cin×Cout
        geometry = dict(stride=list(target.stride), pad=[target.padding[0]] * 2 + [target.padding[1]] * 2)
    else:   # full6 over pool5's 6×6×256 map; full7 1×1
        side = int(round((target.in_features / cin) ** 0.5))
        want = (side, side, cin, target.out_features)
        geometry = dict(stride=[1, 1], pad=[0, 0, 0, 0])
    found = dict(stride=_pair(getattr(layer, "stride", 1)), pad=_pad4(layer))
    if filt.shape != want or bias.size != want[3]:
        width = "" if filt.ndim != 4 or want[:3] != filt.shape[:3] else (
            f" (the file's width is {filt.shape[3]}: set [TrainDIVAFN] fc_dim = {filt.shape[3]})")
        raise DataError(f"{path}: layer {name} has filters {filt.shape} and {bias.size} biases; CNNF wants "
                        f"{want}{width}; otherwise {FIX}.")
    if found != geometry:
        raise DataError(f"{path}: layer {name} has stride {found['stride']}, pad {found['pad']}; CNN-F's is stride "
                        f"{geometry['stride']}, pad {geometry['pad']}; {FIX}.")
    w = torch.from_numpy(np.ascontiguousarray(filt.transpose(3, 2, 0, 1)))   # (Cout, Cin, H, W): MATLAB's H is rows
    return [w if isinstance(target, nn.Conv2d) else w.reshape(target.out_features, -1),   # flattened as (C, H, W)
            torch.from_numpy(bias.copy())]


def load_vgg_f(f: CNNF, path) -> dict:
    """Initialise CNNF `f` from imagenet-vgg-f.mat: conv1–5, full6, full7 (fc8, the 1000-way layer, skipped: f's head
    is new), the two LRNs' [N κ α β], and the input normalisation: mean = the average image's per-channel mean,
    std = 1 (MatConvNet subtracts the average and scales nothing; a full H×W×3 average image becomes its mean
    colour). Anything that does not fit is one DataError naming the file, the layer and the fix.
    Returns {"loaded": number of tensors, "skipped": [the file's head layers], "image_size": the file's [H, W]}.
    """
    if not isinstance(f, CNNF):
        raise DataError(f"{path}: MatConvNet's CNN-F loads into backbone cnnf only; set --backbone cnnf.")
    got = read(path)
    layers = got["layers"]
    types = [{"normalize": "lrn"}.get(t, t) for t in (_text(x.type) for x in layers)]
    names = [_text(getattr(x, "name", f"layer{i + 1}")) for i, x in enumerate(layers)]
    for i, (want, _, _) in enumerate(PLAN):
        if i >= len(types) or types[i] != want:
            where = (f"layer {i + 1} ({names[i]}) is a {types[i]!r}" if i < len(types)
                     else f"it ends after {len(types)} layers")
            raise DataError(f"{path}: {where}, where CNN-F has a {want!r} (CNN-F: {NAMES}, then its ImageNet head); "
                            f"{FIX}.")
    head = list(zip(types[len(PLAN):], names[len(PLAN):]))
    if any(t not in HEAD_TYPES for t, _ in head):
        raise DataError(f"{path}: after relu7 it has {', '.join(f'{n} ({t})' for t, n in head)}; CNN-F has only "
                        f"fc8 and its softmax there; {FIX}.")
    tensors, lrn = {}, []
    for layer, name, (kind, part, i) in zip(layers, names, PLAN):
        if kind == "conv":
            cin = {"features": 0, "full": f.features[12].out_channels if i == 1 else f.full[1].out_features}[part]
            tensors[f"{part}.{i}.weight"], tensors[f"{part}.{i}.bias"] = _conv(path, layer, name, getattr(f, part)[i],
                                                                               cin)
        elif kind == "lrn":
            p = _numbers(getattr(layer, "param", [5, 1, 1e-4 / 5, 0.75]))
            if p.size != 4 or p[0] != int(p[0]) or p[0] < 1 or p[0] % 2 == 0:
                raise DataError(f"{path}: layer {name} has param {p.tolist()}; want [N κ α β] with N odd; {FIX}.")
            lrn.append((f.features[i], p))
        elif kind == "pool":
            pool = f.features[i]
            found = (_text(getattr(layer, "method", "max")), _pair(getattr(layer, "pool", 0)),
                     _pair(getattr(layer, "stride", 1)), _pad4(layer))
            # ceil mode = MatConvNet's pad [0 s−1 0 s−1] (import-caffe's correction of Caffe's pools)
            s = pool.stride
            if found != ("max", [pool.kernel_size] * 2, [s] * 2, [0, s - 1, 0, s - 1]):
                raise DataError(f"{path}: layer {name} pools {found[0]} {found[1]} stride {found[2]} pad {found[3]}; "
                                f"CNN-F's is max [{pool.kernel_size}, {pool.kernel_size}] stride [{s}, {s}] pad "
                                f"[0, {s - 1}, 0, {s - 1}]; {FIX}.")
    mean = torch.tensor(got["mean"], dtype=torch.float32).view(1, 3, 1, 1)
    with torch.no_grad():
        f.load_state_dict(tensors, strict=False)
        for module, p in lrn:       # models.cnnf.LRN: MatConvNet's [N κ α β], kept as a buffer
            module.set(int(p[0]), *map(float, p[1:]))
        f.mean.copy_(mean)
        f.std.fill_(1.0)
    return dict(loaded=len(tensors), skipped=[n for _, n in head], image_size=got["image_size"])
