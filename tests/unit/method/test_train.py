"""Training (pipeline/method/train.py): the seeded model, the gradient of one step's full loss against an
autograd-free oracle, and what the buffers and the encoders W hold.

The loss of each side of Algorithm 1 is the one training uses, pipeline.method.losses.image_side_loss and
video_side_loss, on features through models.cnnf.on_sphere, with TrainConfig's defaults (balanced L_sim) and
with the plain mean over pairs. The oracle is numpy in float64: the loss itself, its hand-derived gradient

    L_sim(A, B) = Σ_ij w_ij ℓ_ij, ℓ_ij = log(1 + e^Θ_ij) − M_ij Θ_ij, Θ = ½ A Bᵀ:  ∂/∂A = ½ (w ∘ (σ(Θ) − M)) B,
        w_ij = 1/(n_A n_B) (mean over pairs), or (balanced) ½/m₊ where M_ij = 1 and ½/m₋ where M_ij = 0
        (m₊, m₋: the numbers of same-class and different-class pairs)
    Auto(Z; W) (mean over items, on ẑ = (z − μ)/‖z − μ‖, W and μ fixed):  ∂/∂ẑ = [2 (ẑ − S W) + 2λ (ẑ Wᵀ − S) W] / n
    u = s v/‖v‖ (on_sphere, and prepare with s = 1):  ∂/∂v = (s/‖v‖) (I − û ûᵀ) ∂/∂u,  û = v/‖v‖

and central finite differences of the numpy loss. torch autograd must match the formulas; the formulas
must match the finite differences.
"""
from functools import partial

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from models import DIVAFN
from models.cnnf import on_sphere
from pipeline.method import losses, sae, train
from pipeline.method.pretrained import default_weights, load_pretrained

rng = np.random.default_rng(0)
C, c, d, lam, scale = 3, 4, 5, 0.7, 2.0
A_FG, A_HG, A_FH, BETA = 1.0, 0.6, 0.8, 0.5


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ------------------------------------------------------------------------------------------ numpy oracle

def np_pair_weights(M, balanced):
    if not balanced:
        return np.full(M.shape, 1 / M.size)
    return 0.5 * M / max(1, M.sum()) + 0.5 * (1 - M) / max(1, (1 - M).sum())


def np_sim(A, B, yA, yB, balanced):
    M = (yA[:, None] == yB[None, :]).astype(float)
    T = 0.5 * A @ B.T
    return (np_pair_weights(M, balanced) * (np.logaddexp(0, T) - M * T)).sum()


def np_sim_grads(A, B, yA, yB, balanced):
    M = (yA[:, None] == yB[None, :]).astype(float)
    R = np_pair_weights(M, balanced) * (sigmoid(0.5 * A @ B.T) - M)
    return 0.5 * R @ B, 0.5 * R.T @ A


def np_prep(Z, mu):
    return (Z - mu) / np.linalg.norm(Z - mu, axis=1, keepdims=True)


def np_auto(Z, mu, W, S):
    P = np_prep(Z, mu)
    return (((P - S @ W) ** 2).sum() + lam * ((P @ W.T - S) ** 2).sum()) / len(Z)


def np_auto_grad(Z, mu, W, S):
    P = np_prep(Z, mu)
    g = (2 * (P - S @ W) + 2 * lam * (P @ W.T - S) @ W) / len(Z)
    return np_sphere_back(Z - mu, g, 1.0)


def np_sphere(z):
    return scale * z / np.linalg.norm(z, axis=1, keepdims=True)


def np_sphere_back(z, g, s=scale):
    norm = np.linalg.norm(z, axis=1, keepdims=True)
    u = z / norm
    return s / norm * (g - u * (u * g).sum(1, keepdims=True))


# ------------------------------------------------------------------------------------------ the step's data

nF, nH, nG = 4, 3, 5                              # the batch: nF images and nH keyframes; nG videos
S_cls = rng.normal(size=(C, d))
yF, yH, yG = rng.integers(0, C, nF), rng.integers(0, C, nH), rng.integers(0, C, nG)
F_all, yF_all = np_sphere(rng.normal(size=(6, c))), rng.integers(0, C, 6)     # buffers: held fixed
H_all, yH_all = np_sphere(rng.normal(size=(5, c))), rng.integers(0, C, 5)
G_all = np_sphere(rng.normal(size=(nG, c)))
W_F, W_H, W_G = (rng.normal(size=(d, c)) for _ in range(3))                   # the epoch's closed-form W's
mu_F, mu_H, mu_G = (0.3 * rng.normal(size=c) for _ in range(3))               # and means


def image_loss_np(zF, zH, balanced):
    """Image side (lines 4–6 of Algorithm 1) on the pre-normalisation outputs zF, zH."""
    Fb, Hb = np_sphere(zF), np_sphere(zH)
    return (A_FG * np_sim(Fb, G_all, yF, yG, balanced) + A_HG * np_sim(Hb, G_all, yH, yG, balanced)
            + A_FH * 0.5 * (np_sim(Fb, H_all, yF, yH_all, balanced) + np_sim(Hb, F_all, yH, yF_all, balanced))
            + BETA * (np_auto(Fb, mu_F, W_F, S_cls[yF]) + np_auto(Hb, mu_H, W_H, S_cls[yH])))


def image_grads_np(zF, zH, balanced):
    Fb, Hb = np_sphere(zF), np_sphere(zH)
    gF = (A_FG * np_sim_grads(Fb, G_all, yF, yG, balanced)[0]
          + A_FH * 0.5 * np_sim_grads(Fb, H_all, yF, yH_all, balanced)[0])
    gH = (A_HG * np_sim_grads(Hb, G_all, yH, yG, balanced)[0]
          + A_FH * 0.5 * np_sim_grads(Hb, F_all, yH, yF_all, balanced)[0])
    gF = gF + BETA * np_auto_grad(Fb, mu_F, W_F, S_cls[yF])
    gH = gH + BETA * np_auto_grad(Hb, mu_H, W_H, S_cls[yH])
    return np_sphere_back(zF, gF), np_sphere_back(zH, gH)


def video_loss_np(zG, balanced):
    """Video side (lines 10–12): the batch is every video here."""
    Gb = np_sphere(zG)
    return (A_FG * np_sim(F_all, Gb, yF_all, yG, balanced) + A_HG * np_sim(H_all, Gb, yH_all, yG, balanced)
            + BETA * np_auto(Gb, mu_G, W_G, S_cls[yG]))


def video_grads_np(zG, balanced):
    Gb = np_sphere(zG)
    g = (A_FG * np_sim_grads(F_all, Gb, yF_all, yG, balanced)[1]
         + A_HG * np_sim_grads(H_all, Gb, yH_all, yG, balanced)[1])
    return (np_sphere_back(zG, g + BETA * np_auto_grad(Gb, mu_G, W_G, S_cls[yG])),)


# ------------------------------------------------------------------------------------------ torch: losses.py's

T = torch.tensor
ENC = dict(F=(T(mu_F), T(W_F)), H=(T(mu_H), T(W_H)), G=(T(mu_G), T(W_G)))       # what Buffers.refresh_encoders gives


def config(balanced):
    return train.TrainConfig(alpha_fg=A_FG, alpha_hg=A_HG, alpha_fh=A_FH, beta=BETA, lam=lam, balanced=balanced)


def image_loss_torch(zF, zH, balanced):
    loss, _ = losses.image_side_loss(on_sphere(zF, scale), T(yF), on_sphere(zH, scale), T(yH), T(F_all), T(yF_all),
                                     T(H_all), T(yH_all), T(G_all), T(yG), T(S_cls), ENC, config(balanced))
    return loss


def video_loss_torch(zG, balanced):
    loss, _ = losses.video_side_loss(on_sphere(zG, scale), T(yG), T(F_all), T(yF_all), T(H_all), T(yH_all), T(S_cls),
                                     ENC, config(balanced))
    return loss


def central_differences(f, args, eps=1e-6):
    grads = []
    for i, a in enumerate(args):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus, minus = [x.copy() for x in args], [x.copy() for x in args]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            g[idx] = (f(*plus) - f(*minus)) / (2 * eps)
        grads.append(g)
    return grads


def test_the_default_similarity_is_balanced():
    assert train.TrainConfig().balanced        # so the gradient test's balanced case is the default's loss


@pytest.mark.parametrize("balanced", [True, False], ids=["default_balanced", "mean_over_pairs"])
@pytest.mark.parametrize("side", ["image", "video"])
def test_full_step_gradient_matches_formulas_autograd_and_finite_differences(side, balanced):
    if side == "image":
        args = [rng.normal(size=(nF, c)), rng.normal(size=(nH, c))]
        loss_np, grads_np, loss_t = image_loss_np, image_grads_np, image_loss_torch
    else:
        args = [rng.normal(size=(nG, c))]
        loss_np, grads_np, loss_t = video_loss_np, video_grads_np, video_loss_torch
    ts = [torch.tensor(a, requires_grad=True) for a in args]
    loss = loss_t(*ts, balanced)
    loss.backward()
    assert loss.dtype == torch.float64
    assert_allclose(loss.item(), loss_np(*args, balanced), rtol=1e-12)                 # the same loss
    formulas = grads_np(*args, balanced)
    for t, g in zip(ts, formulas):
        assert_allclose(t.grad.numpy(), g, rtol=1e-9, atol=1e-12)                      # autograd = hand formulas
    for g, fd in zip(formulas, central_differences(partial(loss_np, balanced=balanced), args)):
        assert_allclose(g, fd, rtol=1e-6, atol=1e-8)                                   # formulas = finite differences


# ------------------------------------------------------------------------------------------ the seeded model

def test_build_model_is_seeded():
    dims = dict(c=4, video_dim=6, d=5, fc_dim=8, video_hidden=8)
    a, b, other = train.build_model(dims, 3), train.build_model(dims, 3), train.build_model(dims, 4)
    for (k, va), vb, vo in zip(a.state_dict().items(), b.state_dict().values(), other.state_dict().values()):
        assert torch.equal(va, vb), k
    assert not torch.equal(a.g.full[0].weight, other.g.full[0].weight)


# ------------------------------------------------------------------------------------------ buffers and W's

def _tiny_data(n_img=6, n_vid=3, size=64, seed=0):
    r = np.random.default_rng(seed)
    return train.TrainData(X=r.integers(0, 256, (n_img, size, size, 3), dtype=np.uint8), y_X=np.arange(n_img) % C,
                           K=r.integers(0, 256, (2 * n_vid, size, size, 3), dtype=np.uint8), y_K=np.arange(2 * n_vid) % C,
                           Y=r.normal(size=(n_vid, 7)).astype(np.float32), y_V=np.arange(n_vid) % C,
                           S=r.normal(size=(C, d)).astype(np.float32))


@torch.no_grad()
def _eval_features(model, data):
    model.eval()
    return model.f(torch.from_numpy(np.concatenate([data.X, data.K]))), model.g(torch.from_numpy(data.Y))


@pytest.mark.parametrize("backbone", ["cnnf", "efficientnet_lite0"])
def test_buffers_hold_eval_mode_unaugmented_features_and_W_is_their_closed_form(backbone):
    """With learning rates 0 the networks never change, so the buffers must equal the evaluation-mode features of
    the un-augmented items — cnnf has dropout 0.5, efficientnet_lite0 takes its buffer rows from the step's own
    output, and augmentation is on — and the saved W_F, W_H, W_G the closed
    form (sae.fit_sae on the prepared buffers) of exactly those features."""
    data = _tiny_data()
    model = train.build_model(dict(c=c, video_dim=7, d=d, fc_dim=32, video_hidden=16, backbone=backbone,
                                   image_size=64), seed=0)
    if backbone == "efficientnet_lite0":      # its random-init outputs are nearly collinear: an ill-posed fit
        load_pretrained(model.f, default_weights("efficientnet_lite0"), "efficientnet_lite0")
    assert train.stochastic(model.f) == (backbone == "cnnf")
    cfg = train.TrainConfig(epochs=1, batch_size=4, lr_x=0.0, lr_y=0.0, augment=True, lam=lam)
    train.train(model, data, cfg, pretrained=backbone == "efficientnet_lite0")
    FH, G = _eval_features(model, data)
    n = len(data.X)
    S = torch.from_numpy(data.S)
    for W, Z, y in ((model.W_F, FH[:n], data.y_X), (model.W_H, FH[n:], data.y_K), (model.W_G, G, data.y_V)):
        mu = Z.double().mean(0).numpy()
        want = sae.fit_sae(sae.prepare(Z.numpy(), mu), S[torch.from_numpy(y)].double().numpy(), lam)
        assert_allclose(W.numpy(), want, rtol=1e-3, atol=1e-4)


def test_batchnorm_on_batch_statistics_makes_the_training_output_stochastic():
    """resnet18 from scratch normalises by batch statistics in training: its step output is not an item's feature."""
    dims = dict(c=c, video_dim=7, d=d, fc_dim=32, video_hidden=16, backbone="resnet18", image_size=64)
    assert train.stochastic(train.build_model(dims, seed=0).f)


def test_frozen_trunk_trains_only_the_new_layers_and_is_deterministic():
    data = _tiny_data()
    dims = dict(c=c, video_dim=7, d=d, fc_dim=32, video_hidden=16, backbone="efficientnet_lite0", image_size=64)
    runs = []
    for _ in range(2):
        model = train.build_model(dims, seed=0)
        load_pretrained(model.f, default_weights("efficientnet_lite0"), "efficientnet_lite0")
        trunk0 = [p.clone() for p in model.f.trunk_parameters()]
        head0 = model.f.full[0].weight.clone()
        cfg = train.TrainConfig(epochs=2, batch_size=5, lr_x=1e-2, lr_trunk=0.0, augment=False)
        train.train(model, data, cfg, pretrained=True)
        assert all(torch.equal(p, q) for p, q in zip(model.f.trunk_parameters(), trunk0))
        assert not torch.equal(model.f.full[0].weight, head0)
        runs.append(model.state_dict())
    for k in runs[0]:
        assert torch.equal(runs[0][k], runs[1][k]), k


@pytest.mark.parametrize("name", ["cnnf", "alexnet", "resnet18"])
def test_divafn_backbone_argument_and_seeded_construction(name):
    dims = dict(c=8, video_dim=10, d=5, fc_dim=64, video_hidden=16, backbone=name)
    a, b = train.build_model(dims, seed=3), train.build_model(dims, seed=3)
    assert isinstance(a, DIVAFN)
    for (k, v), (_, w) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(v, w), k
    other = train.build_model(dims, seed=4)
    assert not torch.equal(a.f.full[-1].weight, other.f.full[-1].weight)


@pytest.mark.parametrize("video_steps, want", [("one_pass", 1), ("algorithm", 3)])
def test_video_steps_set_how_many_video_side_steps_an_epoch_runs(video_steps, want):
    """12 stills and 3 videos in batches of 4: t_x = 3 image-side steps; t_y = ⌈3/4⌉ = 1 (one_pass) or t_x = 3
    (algorithm: Algorithm 1's one n). Counted from the progress reports, one per step; seeded runs repeat exactly."""
    data, states = _tiny_data(), []
    for _ in range(2):
        steps = []
        model = train.build_model(dict(c=c, video_dim=7, d=d, fc_dim=32, video_hidden=16, backbone="cnnf",
                                       image_size=64), seed=0)
        cfg = train.TrainConfig(epochs=2, batch_size=4, video_steps=video_steps)
        train.train(model, data, cfg, progress=lambda frac, msg: steps.append(msg))
        assert steps.count("epoch 1/2: video side") == steps.count("epoch 2/2: video side") == want
        assert steps.count("epoch 1/2: image side") == 3
        states.append(model.state_dict())
    assert all(torch.equal(states[0][k], states[1][k]) for k in states[0])


def test_unknown_video_steps_are_refused():
    with pytest.raises(ValueError, match="want one_pass or algorithm"):
        train.TrainConfig(video_steps="twice")
