"""MatConvNet's imagenet-vgg-f.mat into CNNF (pipeline/method/matconvnet.py), on files written here in its layout.

The writer follows MatConvNet's utils/import-caffe.py (SimpleNN output, scipy.io.savemat with oned_as='column'):
`layers` a 1×L cell of 1×1 structs, conv `weights` a 1×2 cell {H×W×Cin×Cout filters, Cout×1 biases}, lrn `param`
[N κ α β], pools padded [0 1 0 1], `meta.normalization.averageImage` H×W×3. The older layout (top-level
`normalization`, `filters`/`biases`, type 'normalize', a 1×1×3 average colour, dropout layers) is written too.
Real CNN-F shapes up to conv5; full6/full7 FC wide instead of 4096 to stay small.
"""
import numpy as np
import pytest
import scipy.io
import torch
from torch.nn import functional as F

from models import CNNF
from pipeline.errors import DataError
from pipeline.method import checkpoint, train
from pipeline.method.pretrained import load_pretrained

C, FC = 8, 64
CONVS = dict(conv1=(11, 3, 64, 4, 0), conv2=(5, 64, 256, 1, 2), conv3=(3, 256, 256, 1, 1), conv4=(3, 256, 256, 1, 1),
             conv5=(3, 256, 256, 1, 1), fc6=(6, 256, FC, 1, 0), fc7=(1, FC, FC, 1, 0), fc8=(1, FC, 1000, 1, 0))
LRN1, LRN2 = [5, 2.0, 1e-4, 0.75], [3, 1.0, 1e-3, 0.5]      # the second differs: each layer's own values are used
ORDER = ("conv1 relu1 norm1 pool1 conv2 relu2 norm2 pool2 conv3 relu3 conv4 relu4 conv5 relu5 pool5 "
         "fc6 relu6 fc7 relu7 fc8 prob").split()


def struct(**fields):
    """A 1×1 MATLAB struct as import-caffe builds it (dictToMatlabStruct)."""
    s = np.empty((1,), dtype=[(k, object) for k in fields])
    for k, v in fields.items():
        s[k][0] = v
    return s


def cell(*items):
    c = np.empty((1, len(items)), dtype=object)
    for i, x in enumerate(items):
        c[0, i] = x
    return c


def row(*x):
    return np.array(x, dtype=float).reshape(1, -1)


def vgg_f_layers(old=False, rng=None, fc_dim=FC, edit=None):
    """{name: struct} of CNN-F in SimpleNN form, weights from `rng`; `edit` changes named layers' fields."""
    rng = rng or np.random.default_rng(0)
    layers, weights = {}, {}
    for name in ORDER:
        kind = {"co": "conv", "fc": "conv", "re": "relu", "no": "normalize" if old else "lrn", "po": "pool",
                "pr": "softmax"}[name[:2]]
        if kind == "conv":
            k, cin, cout, stride, pad = CONVS[name]
            cin, cout = dict(fc6=(256, fc_dim), fc7=(fc_dim, fc_dim), fc8=(fc_dim, 1000)).get(name, (cin, cout))
            w = (rng.standard_normal((k, k, cin, cout)) / np.sqrt(k * k * cin)).astype(np.float32)
            b = rng.standard_normal((cout, 1)).astype(np.float32)
            weights[name] = (w, b[:, 0])
            params = dict(filters=w, biases=b) if old else dict(weights=cell(w, b))
            layers[name] = dict(name=name, type=kind, **params, size=row(*w.shape), stride=row(stride, stride),
                                pad=row(pad) if old else row(pad, pad, pad, pad), dilate=row(1, 1))
        elif kind in ("lrn", "normalize"):
            layers[name] = dict(name=name, type=kind, param=row(*(LRN1 if name == "norm1" else LRN2)))
        elif kind == "pool":
            layers[name] = dict(name=name, type="pool", method="max", pool=row(3, 3), stride=row(2, 2), pad=row(0, 1, 0, 1))
        else:
            layers[name] = dict(name=name, type=kind) if kind == "softmax" else dict(name=name, type=kind, leak=0.0)
    for name, fields in (edit or {}).items():
        layers[name].update(fields)
    return layers, weights


def write_vgg_f(path, old=False, fc_dim=FC, edit=None, drop=()):
    """Write a CNN-F .mat; returns (weights {name: (filters, biases)}, average image)."""
    rng = np.random.default_rng(0)
    layers, weights = vgg_f_layers(old, rng, fc_dim, edit)
    names = [n for n in ORDER if n not in drop]
    if old:   # MatConvNet before meta: dropout kept, an average colour
        names = names[:names.index("fc7")] + ["drop6"] + names[names.index("fc7"):]
        layers["drop6"] = dict(name="drop6", type="dropout", rate=0.5)
    avg = (rng.uniform(0, 255, (1, 1, 3)) if old else rng.uniform(0, 255, (224, 224, 3))).astype(np.float32)
    normalization = struct(averageImage=avg, imageSize=row(224, 224, 3), interpolation="bilinear", keepAspect=1.0,
                           border=row(32, 32), cropSize=0.875)
    mnet = dict(layers=cell(*[struct(**layers[n]) for n in names]))
    mnet.update(normalization=normalization, classes=struct(name=cell("n01440764"))) if old else \
        mnet.update(meta=struct(normalization=normalization, inputs=cell(), classes=struct(name=cell("n01440764"))))
    scipy.io.savemat(path, mnet, oned_as="column")
    return weights, avg


def matconvnet_lrn(x, N, kappa, alpha, beta):
    """vl_nnnormalize on (n, D, H, W), its doc's formula:

    y_k = x_k / (κ + α Σ_{q=k−⌊(N−1)/2}^{k+⌈(N−1)/2⌉} x_q²)^β, q clipped to the D channels."""
    D = x.shape[1]
    y = np.empty_like(x)
    for k in range(D):
        q = slice(max(0, k - (N - 1) // 2), min(D, k + int(np.ceil((N - 1) / 2)) + 1))
        y[:, k] = x[:, k] / (kappa + alpha * (x[:, q] ** 2).sum(1)) ** beta
    return y


@pytest.mark.parametrize("old", [False, True], ids=["meta-layout", "older-layout"])
def test_vgg_f_file_initialises_cnnf_with_its_lrn_and_mean(tmp_path, old):
    path = tmp_path / "imagenet-vgg-f.mat"
    weights, avg = write_vgg_f(path, old)
    torch.manual_seed(0)
    f = CNNF(C, FC).eval()
    head = f.full[-1].weight.clone()
    out = load_pretrained(f, path, "cnnf")
    assert out == dict(loaded=14, skipped=["fc8", "prob"], image_size=[224, 224])
    targets = dict(conv1=f.features[0], conv2=f.features[4], conv3=f.features[8], conv4=f.features[10],
                   conv5=f.features[12], fc6=f.full[1], fc7=f.full[4])
    for name, m in targets.items():
        w, b = weights[name]
        want = torch.from_numpy(w).permute(3, 2, 0, 1)
        assert torch.equal(m.weight, want if name[:2] == "co" else want.reshape(len(b), -1)), name
        assert torch.equal(m.bias, torch.from_numpy(b)), name
    assert torch.equal(f.full[-1].weight, head)                      # fc8 skipped, the head kept its init
    with torch.no_grad():
        # conv1's orientation: MATLAB's filter f(i, j, d, k) over image x(i, j, d), i the row — at output (0, 0)
        x = torch.rand(1, 3, 11, 11) * 255
        w, b = weights["conv1"]
        oracle = np.einsum("ijdk,dij->k", w.astype(np.float64), x[0].double().numpy()) + b
        np.testing.assert_allclose(f.features[0](x)[0, :, 0, 0].numpy(), oracle, rtol=1e-4, atol=1e-3)
        # fc6 as MatConvNet computes it: a 6×6×256 filter bank over pool5's map (i, j, d), against torch's flatten
        p5 = torch.rand(2, 256, 6, 6)
        w, b = weights["fc6"]
        oracle = np.einsum("ijdk,ndij->nk", w.astype(np.float64), p5.double().numpy()) + b
        np.testing.assert_allclose(f.full[1](f.full[0](p5)).numpy(), oracle, rtol=1e-4, atol=1e-4)
        # the LRNs carry the file's [N κ α β] (torch alpha = α·N) and compute vl_nnnormalize
        for m, p in ((f.features[2], LRN1), (f.features[6], LRN2)):
            torch.testing.assert_close(m.param, torch.tensor(p, dtype=torch.float32))
            assert (m.size, m.k, m.beta) == (p[0], p[1], p[3]) and m.alpha == pytest.approx(p[2] * p[0])
            x = torch.randn(2, 12, 3, 3) * 30
            np.testing.assert_allclose(m(x).numpy(), matconvnet_lrn(x.double().numpy(), *p), rtol=1e-5, atol=1e-6)
        # the pools in ceil mode are MatConvNet's pad [0 1 0 1] at every size CNN-F meets at 224 px
        for n in (54, 27, 13):
            x = torch.rand(1, 2, n, n)
            assert torch.equal(f.features[3](x), F.max_pool2d(F.pad(x, (0, 1, 0, 1), value=-float("inf")), 3, 2))
    # mean-only input normalisation: the average image's colour, std 1
    torch.testing.assert_close(f.mean.view(3), torch.from_numpy(avg.reshape(-1, 3).mean(0, dtype=np.float64)).float())
    assert torch.equal(f.std, torch.ones(1, 3, 1, 1))
    z = f(torch.randint(0, 256, (2, 224, 224, 3), dtype=torch.uint8))
    assert z.shape == (2, C) and torch.isfinite(z).all()


def test_loaded_model_survives_model_pt_save_and_load(tmp_path):
    mat, pt = tmp_path / "imagenet-vgg-f.mat", tmp_path / "model.pt"
    write_vgg_f(mat)
    dims = dict(c=C, video_dim=6, d=4, fc_dim=FC, video_hidden=16, backbone="cnnf", image_size=96)
    model = train.build_model(dims, seed=3)
    load_pretrained(model.f, mat, "cnnf")
    checkpoint.save(pt, model, dims, {}, [], ["a", "b"], str(mat), True, {})
    x = torch.randint(0, 256, (3, 96, 96, 3), dtype=torch.uint8)
    for again in (checkpoint.load_model(pt), checkpoint.initial_model(pt, seed=3)):   # as trained; θx⁰ from the .mat
        assert torch.equal(again.f.features[6].param, torch.tensor(LRN2, dtype=torch.float32))
        assert (again.f.features[6].size, again.f.features[6].alpha) == (model.f.features[6].size, model.f.features[6].alpha)
        assert torch.equal(again.f.mean, model.f.mean) and torch.equal(again.f.std, torch.ones(1, 3, 1, 1))
        with torch.no_grad():
            assert torch.equal(again.f.eval()(x), model.f.eval()(x))


def test_model_pt_from_before_lrn_buffers_still_loads():
    old = {k: v for k, v in CNNF(C, FC).state_dict().items() if not k.endswith(".param")}   # what older code saved
    g = CNNF(C, FC)
    g.load_state_dict(old)                                           # strict, yet no missing key: the defaults stay
    assert (g.features[2].size, g.features[2].k) == (5, 2.0) and g.features[2].alpha == pytest.approx(1e-4)


@pytest.mark.parametrize("case, match", [
    ("fc_dim", r"layer fc6 has filters \(6, 6, 256, 64\).*set \[TrainDIVAFN\] fc_dim = 64"),
    ("swapped", r"layer 3 \(pool1\) is a 'pool', where CNN-F has a 'lrn'"),
    ("truncated", r"it ends after 15 layers"),
    ("conv_stride", r"layer conv1 has stride \[2, 2\], pad \[0, 0, 0, 0\]; CNN-F's is stride \[4, 4\]"),
    ("pool_pad", r"layer pool2 pools max \[3, 3\] stride \[2, 2\] pad \[0, 0, 0, 0\]"),
    ("lrn_even", r"layer norm1 has param \[4\.0, 2\.0"),
    ("no_mean", r"no usable meta.normalization.averageImage"),
    ("backbone", r"loads into backbone cnnf only, not alexnet; set --backbone cnnf"),
    ("junk", r"cannot read as a MATLAB v5 file"),
    ("not_simplenn", r"no `layers` cell array"),
])
def test_a_file_that_does_not_fit_is_one_data_error_naming_it(tmp_path, case, match):
    path = tmp_path / "imagenet-vgg-f.mat"
    fc_dim, backbone = FC, "cnnf"
    if case == "fc_dim":
        fc_dim = 32
    if case == "swapped":
        write_vgg_f(path, drop=("norm1",))
    elif case == "truncated":
        write_vgg_f(path, drop=ORDER[15:])
    elif case == "junk":
        path.write_bytes(b"MATLAB 5.0 MAT-file, truncated")
    elif case == "not_simplenn":
        scipy.io.savemat(path, dict(net=np.zeros(3)))
    else:
        edit = dict(conv_stride={"conv1": dict(stride=row(2, 2))}, pool_pad={"pool2": dict(pad=row(0, 0, 0, 0))},
                    lrn_even={"norm1": dict(param=row(4, 2, 1e-4, 0.75))}).get(case)
        write_vgg_f(path, edit=edit)
        if case == "no_mean":
            mat = scipy.io.loadmat(path)
            scipy.io.savemat(path, dict(layers=mat["layers"]), oned_as="column")
        backbone = "alexnet" if case == "backbone" else backbone
    with pytest.raises(DataError, match=match) as e:
        load_pretrained(CNNF(C, fc_dim), path, backbone)
    assert str(path) in str(e.value)
