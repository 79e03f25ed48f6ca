"""The baselines' and divafn_plus's terms (pipeline/method/losses.py) against hand-computed values, and their
training (pipeline/method/baselines.py: train_supervised; supervised.py: Supervised) on tiny sets."""
import math

import numpy as np
import pytest
import torch

from pipeline.method import baselines, losses, train
from pipeline.method.pretrained import default_weights, load_pretrained
from pipeline.method.supervised import Supervised


def test_reversal_weight_follows_dann_schedule():
    assert losses.reversal_weight(0.0) == 0.0
    assert losses.reversal_weight(0.5) == pytest.approx(2 / (1 + math.exp(-5)) - 1)   # 0.98661
    assert losses.reversal_weight(0.1) == pytest.approx(0.46211716, abs=1e-8)            # 2/(1+e^-1) − 1


def test_domain_loss_is_the_mean_of_each_domain_mean_bce():
    logits, is_kf = torch.tensor([0.0, 2.0, -1.0]), torch.tensor([True, False, True])
    # keyframes: −log σ(0) = log 2, −log σ(−1) = log(1 + e); images: −log(1 − σ(2)) = log(1 + e²)
    want = 0.5 * (0.5 * (math.log(2) + math.log(1 + math.e)) + math.log(1 + math.e ** 2))
    assert losses.domain_loss(logits, is_kf).item() == pytest.approx(want, rel=1e-6)


def test_semantic_cross_entropy_against_hand_computation():
    Z = torch.tensor([[3.0, 0.0], [1.0, 2.0]])
    mu = torch.tensor([1.0, 0.0])
    W = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])        # (d=3, c=2)
    S = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])          # (C=2, d=3)
    y = torch.tensor([0, 1])
    # ẑ: (2, 0)/2 = (1, 0); (0, 2)/2 = (0, 1). W ẑ: (1, 0, 1); (0, 2, 1). logits ⟨W ẑ, s_k⟩ / 0.5: (2, 0); (0, 4)
    nll0 = -math.log(math.exp(2) / (math.exp(2) + 1))
    nll1 = -math.log(math.exp(4) / (1 + math.exp(4)))
    got = losses.semantic_cross_entropy(Z, y, mu, W, S, 0.5).item()
    assert got == pytest.approx((nll0 + nll1) / 2, rel=1e-6)


def test_supervised_stills_term_weighs_images_and_keyframes_by_their_counts():
    cfg = train.TrainConfig(objective="divafn_plus", supervision="semantic", gamma=2.0, tau=1.0)
    sup = Supervised(cfg, 2, 2, None, None, "cpu")
    out = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])
    kf, y = torch.tensor([False, False, True]), torch.tensor([0, 1, 1])
    eye = torch.eye(2)
    enc = dict(F=(torch.zeros(2), eye), H=(torch.zeros(2), eye))
    loss, terms = sup.stills(torch.tensor(0.5), {}, out, kf, y, enc, eye)
    right, wrong = -math.log(math.e / (math.e + 1)), -math.log(1 / (math.e + 1))   # logits (1, 0) / (0, 1)
    want = (2 * right + wrong) / 3               # two images right, one keyframe's logits (1, 0) for class 1
    assert terms["sup_x"].item() == pytest.approx(want, rel=1e-6)
    assert loss.item() == pytest.approx(0.5 + 2.0 * want, rel=1e-6)


def test_supervised_linear_term_is_the_cross_entropy_of_its_linear_layer_and_joins_each_side_optimiser():
    cfg = train.TrainConfig(objective="divafn_plus", supervision="linear", gamma=0.5)
    opt_x, opt_y = (torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1) for _ in range(2))
    sup = Supervised(cfg, 2, 2, opt_x, opt_y, "cpu")
    assert [len(o.param_groups) for o in (opt_x, opt_y)] == [2, 2]      # each side learns its own layer
    with torch.no_grad():
        for head in sup.heads.values():
            head.weight.copy_(torch.tensor([[2.0, 0.0], [0.0, 1.0]]))
            head.bias.copy_(torch.tensor([0.0, 1.0]))
    G, y = torch.tensor([[1.0, 1.0]]), torch.tensor([0])
    loss, terms = sup.videos(torch.tensor(1.0), {}, G, y, {}, None)
    want = -math.log(math.exp(2) / (math.exp(2) + math.exp(2)))          # logits (2, 2): log 2
    assert terms["sup_g"].item() == pytest.approx(want, rel=1e-6)
    assert loss.item() == pytest.approx(1.0 + 0.5 * want, rel=1e-6)


def _separable(n_per=8, n_classes=3, size=64, seed=0):
    """Stills whose class is their colour (plus noise); keyframes darker than images: a domain to tell apart."""
    r = np.random.default_rng(seed)
    colours = np.array([[220, 30, 30], [30, 220, 30], [30, 30, 220]], dtype=float)[:n_classes]

    def stills(n, shade):
        y = np.arange(n) % n_classes
        x = colours[y][:, None, None, :] * shade + r.normal(0, 10, (n, size, size, 3))
        return np.clip(x, 0, 255).astype(np.uint8), y

    X, y_X = stills(n_per * n_classes, 1.0)
    K, y_K = stills(n_per * n_classes, 0.5)
    y_V = np.arange(2 * n_classes) % n_classes
    Y = (np.eye(n_classes)[y_V] * 3 + r.normal(0, 0.3, (len(y_V), n_classes))).astype(np.float32)
    return train.TrainData(X=X, y_X=y_X, K=K, y_K=y_K, Y=Y, y_V=y_V,
                           S=r.normal(size=(n_classes, 5)).astype(np.float32))


def _model(data, seed=0):
    """efficientnet_lite0 from ImageNet, its trunk frozen (lr_trunk 0, no augmentation: computed once, so quick)."""
    dims = dict(c=8, video_dim=data.Y.shape[1], d=5, fc_dim=32, video_hidden=16, backbone="efficientnet_lite0",
                image_size=64)
    model = train.build_model(dims, seed)
    load_pretrained(model.f, default_weights("efficientnet_lite0"), "efficientnet_lite0")
    return model


def test_finetune_fits_a_tiny_separable_set():
    data = _separable()
    cfg = train.TrainConfig(objective="finetune", epochs=15, batch_size=16, lr_x=3e-3, lr_trunk=0.0, augment=False)
    history = train.train(_model(data), data, cfg, pretrained=True)
    assert history[-1]["acc_x"] >= 0.95
    assert history[-1]["ce_x"] < history[0]["ce_x"]


def test_dann_domain_loss_falls_and_its_domain_accuracy_nears_chance(monkeypatch):
    """Keyframes whose every other pixel is inverted: a domain f's features tell apart at once. Without reversal
    (λ_p held at 0) the domain classifier learns to tell them (its accuracy → 1); DANN's reversal makes f fight
    it: its domain loss still falls over training, but ends far above the control's, and its accuracy nearer chance."""
    data = _separable()
    K = data.K.copy()
    K[:, ::2, ::2, :] = 255 - K[:, ::2, ::2, :]
    data = train.TrainData(**dict(data.__dict__, K=K))
    cfg = train.TrainConfig(objective="dann", epochs=8, batch_size=16, lr_x=3e-3, lr_trunk=0.0, augment=False)
    adversarial = train.train(_model(data), data, cfg, pretrained=True)
    monkeypatch.setattr(baselines, "reversal_weight", lambda progress: 0.0)
    control = train.train(_model(data), data, cfg, pretrained=True)
    assert control[-1]["domain_acc"] == 1.0
    assert control[-1]["domain"] < 0.1
    assert adversarial[-1]["domain"] < adversarial[0]["domain"]
    assert adversarial[-1]["domain"] > 5 * control[-1]["domain"]
    assert abs(adversarial[-1]["domain_acc"] - 0.5) < abs(control[-1]["domain_acc"] - 0.5)
