"""Training (pipeline/method/train.py): the seeded model, and the gradient of one step's full loss against an
autograd-free oracle.

Both sides of Algorithm 1 are built exactly as pipeline.method.train builds them (train._sim, losses.autoencoder_loss,
models.cnnf.on_sphere). The oracle is numpy in float64: the loss itself, its hand-derived gradient

    L_sim(A, B)/n:  ∂/∂A = ½ (σ(Θ) − M) B / n,   ∂/∂B = ½ (σ(Θ) − M)ᵀ A / n,   Θ = ½ A Bᵀ
    Auto(Z; W)/n:   ∂/∂Z = [2 (Z − S W) + 2λ (Z Wᵀ − S) W] / n,   ∂/∂W = [−2 Sᵀ (Z − S W) + 2λ (Z Wᵀ − S)ᵀ Z] / n
    on_sphere(z) = s z/‖z‖:  ∂/∂z = (s/‖z‖) (I − u uᵀ) ∂/∂out,  u = z/‖z‖

and central finite differences of the numpy loss. torch autograd must match the formulas; the formulas
must match the finite differences.
"""
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from models import DIVAFN
from models.cnnf import on_sphere
from pipeline.method import train
from pipeline.method.losses import autoencoder_loss

rng = np.random.default_rng(0)
C, c, d, lam, scale = 3, 4, 5, 0.7, 2.0
A_FG, A_HG, A_FH, BETA = 1.0, 0.6, 0.8, 0.5


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ------------------------------------------------------------------------------------------ numpy oracle

def np_sim(A, B, yA, yB, n):
    M = (yA[:, None] == yB[None, :]).astype(float)
    T = 0.5 * A @ B.T
    return (np.logaddexp(0, T) - M * T).sum() / n


def np_sim_grads(A, B, yA, yB, n):
    M = (yA[:, None] == yB[None, :]).astype(float)
    R = sigmoid(0.5 * A @ B.T) - M
    return 0.5 * R @ B / n, 0.5 * R.T @ A / n


def np_auto(Z, W, S, n):
    return (((Z - S @ W) ** 2).sum() + lam * ((Z @ W.T - S) ** 2).sum()) / n


def np_auto_grads(Z, W, S, n):
    dec, enc = Z - S @ W, Z @ W.T - S
    return (2 * dec + 2 * lam * enc @ W) / n, (-2 * S.T @ dec + 2 * lam * enc.T @ Z) / n


def np_sphere(z):
    return scale * z / np.linalg.norm(z, axis=1, keepdims=True)


def np_sphere_back(z, g):
    norm = np.linalg.norm(z, axis=1, keepdims=True)
    u = z / norm
    return scale / norm * (g - u * (u * g).sum(1, keepdims=True))


# ------------------------------------------------------------------------------------------ the step's data

nF, nH, nG = 4, 3, 5                              # the batch: nF images and nH keyframes; nG videos
S_cls = rng.normal(size=(C, d))
yF, yH, yG = rng.integers(0, C, nF), rng.integers(0, C, nH), rng.integers(0, C, nG)
F_all, yF_all = np_sphere(rng.normal(size=(6, c))), rng.integers(0, C, 6)     # buffers: held fixed
H_all, yH_all = np_sphere(rng.normal(size=(5, c))), rng.integers(0, C, 5)
G_all = np_sphere(rng.normal(size=(nG, c)))


def image_loss_np(zF, zH, W_F, W_H):
    """Image side (pipeline.method.train, lines 2–7 of Algorithm 1) on the pre-normalisation outputs zF, zH."""
    Fb, Hb, n = np_sphere(zF), np_sphere(zH), nF + nH
    return (A_FG * np_sim(Fb, G_all, yF, yG, n) + A_HG * np_sim(Hb, G_all, yH, yG, n)
            + A_FH * (np_sim(Fb, H_all, yF, yH_all, n) + np_sim(Hb, F_all, yH, yF_all, n))
            + BETA * (np_auto(Fb, W_F, S_cls[yF], n) + np_auto(Hb, W_H, S_cls[yH], n)))


def image_grads_np(zF, zH, W_F, W_H):
    Fb, Hb, n = np_sphere(zF), np_sphere(zH), nF + nH
    gF = A_FG * np_sim_grads(Fb, G_all, yF, yG, n)[0] + A_FH * np_sim_grads(Fb, H_all, yF, yH_all, n)[0]
    gH = A_HG * np_sim_grads(Hb, G_all, yH, yG, n)[0] + A_FH * np_sim_grads(Hb, F_all, yH, yF_all, n)[0]
    aF, gW_F = np_auto_grads(Fb, W_F, S_cls[yF], n)
    aH, gW_H = np_auto_grads(Hb, W_H, S_cls[yH], n)
    return (np_sphere_back(zF, gF + BETA * aF), np_sphere_back(zH, gH + BETA * aH), BETA * gW_F, BETA * gW_H)


def video_loss_np(zG, W_G):
    """Video side (lines 8–13): the batch is every video here."""
    Gb, n = np_sphere(zG), nG
    return (A_FG * np_sim(F_all, Gb, yF_all, yG, n) + A_HG * np_sim(H_all, Gb, yH_all, yG, n)
            + BETA * np_auto(Gb, W_G, S_cls[yG], n))


def video_grads_np(zG, W_G):
    Gb, n = np_sphere(zG), nG
    g = A_FG * np_sim_grads(F_all, Gb, yF_all, yG, n)[1] + A_HG * np_sim_grads(H_all, Gb, yH_all, yG, n)[1]
    aG, gW_G = np_auto_grads(Gb, W_G, S_cls[yG], n)
    return np_sphere_back(zG, g + BETA * aG), BETA * gW_G


# ------------------------------------------------------------------------------------------ torch, as train.py

def image_loss_torch(zF, zH, W_F, W_H):
    T = lambda a: torch.tensor(a)
    Fb, Hb, n = on_sphere(zF, scale), on_sphere(zH, scale), nF + nH
    S = T(S_cls)
    terms = dict(
        sim_fg=train._sim(Fb, T(G_all), T(yF), T(yG), n), sim_hg=train._sim(Hb, T(G_all), T(yH), T(yG), n),
        sim_fh=train._sim(Fb, T(H_all), T(yF), T(yH_all), n) + train._sim(Hb, T(F_all), T(yH), T(yF_all), n),
        auto_f=autoencoder_loss(Fb, W_F, S[T(yF)], lam) / n, auto_h=autoencoder_loss(Hb, W_H, S[T(yH)], lam) / n)
    return (A_FG * terms["sim_fg"] + A_HG * terms["sim_hg"] + A_FH * terms["sim_fh"]
            + BETA * (terms["auto_f"] + terms["auto_h"]))


def video_loss_torch(zG, W_G):
    T = lambda a: torch.tensor(a)
    Gb, n = on_sphere(zG, scale), nG
    return (A_FG * train._sim(T(F_all), Gb, T(yF_all), T(yG), n) + A_HG * train._sim(T(H_all), Gb, T(yH_all), T(yG), n)
            + BETA * autoencoder_loss(Gb, W_G, T(S_cls)[T(yG)], lam) / n)


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


@pytest.mark.parametrize("side", ["image", "video"])
def test_full_step_gradient_matches_formulas_autograd_and_finite_differences(side):
    if side == "image":
        args = [rng.normal(size=(nF, c)), rng.normal(size=(nH, c)), rng.normal(size=(d, c)), rng.normal(size=(d, c))]
        loss_np, grads_np, loss_t = image_loss_np, image_grads_np, image_loss_torch
    else:
        args = [rng.normal(size=(nG, c)), rng.normal(size=(d, c))]
        loss_np, grads_np, loss_t = video_loss_np, video_grads_np, video_loss_torch
    ts = [torch.tensor(a, requires_grad=True) for a in args]
    loss = loss_t(*ts)
    loss.backward()
    assert loss.dtype == torch.float64
    assert_allclose(loss.item(), loss_np(*args), rtol=1e-12)                           # the same loss
    formulas = grads_np(*args)
    for t, g in zip(ts, formulas):
        assert_allclose(t.grad.numpy(), g, rtol=1e-9, atol=1e-12)                      # autograd = hand formulas
    for g, fd in zip(formulas, central_differences(loss_np, args)):
        assert_allclose(g, fd, rtol=1e-6, atol=1e-8)                                   # formulas = finite differences


# ------------------------------------------------------------------------------------------ the seeded model

def test_build_model_is_seeded():
    dims = dict(c=4, video_dim=6, d=5, fc_dim=8, video_hidden=8)
    a, b, other = train.build_model(dims, 3), train.build_model(dims, 3), train.build_model(dims, 4)
    for (k, va), vb, vo in zip(a.state_dict().items(), b.state_dict().values(), other.state_dict().values()):
        assert torch.equal(va, vb), k
    assert not torch.equal(a.W_F, other.W_F)


@pytest.mark.parametrize("name", ["cnnf", "alexnet", "resnet18"])
def test_divafn_backbone_argument_and_seeded_construction(name):
    dims = dict(c=8, video_dim=10, d=5, fc_dim=64, video_hidden=16, backbone=name)
    a, b = train.build_model(dims, seed=3), train.build_model(dims, seed=3)
    assert isinstance(a, DIVAFN)
    for (k, v), (_, w) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(v, w), k
    other = train.build_model(dims, seed=4)
    assert not torch.equal(a.f.full[-1].weight, other.f.full[-1].weight)
