"""Algorithm 1's buffers (pipeline/method/buffers.py): rows refreshed one batch at a time, encoders at a refresh."""
from types import SimpleNamespace

import torch
from numpy.testing import assert_allclose

from pipeline.method import buffers, sae

C, c, d, lam = 3, 4, 5, 0.7


def test_W_refresh_is_sae_closed_form():
    Z, S_Z = torch.randn(20, c), torch.randn(20, d)
    mu, W = buffers.closed_form(Z, S_Z, lam)
    assert_allclose(mu.numpy(), Z.mean(0).numpy(), rtol=1e-5, atol=1e-6)
    want = sae.fit_sae(sae.prepare(Z.double().numpy(), Z.double().mean(0).numpy()), S_Z.double().numpy(), lam)
    assert_allclose(W.numpy(), want, rtol=1e-5, atol=1e-6)


def _buffers(n_kf=3):
    g = torch.Generator().manual_seed(0)
    FH, G, S = torch.randn(4 + n_kf, c, generator=g), torch.randn(5, c, generator=g), torch.randn(C, d, generator=g)
    is_kf = torch.arange(4 + n_kf) >= 4                          # 4 images, then the keyframes
    model = SimpleNamespace(W_F=torch.zeros(d, c), W_H=torch.ones(d, c), W_G=torch.zeros(d, c))
    return buffers.Buffers(FH.clone(), is_kf, torch.arange(4 + n_kf) % C, G.clone(), torch.arange(5) % C, S), FH, model


def test_a_row_changes_when_its_item_is_updated_and_the_encoders_at_a_refresh():
    buf, FH, model = _buffers()
    enc = buf.refresh_encoders(lam, model)
    seen = buf.F                                                  # what a step's loss was scored against
    rows = torch.randn(2, c)
    buf.update_stills(torch.tensor([1, 5]), rows)                 # image 1 and keyframe 1
    assert torch.equal(seen, FH[:4])                              # a copy: it keeps the values the loss saw
    assert torch.equal(buf.F[1], rows[0]) and torch.equal(buf.H[1], rows[1])
    assert torch.equal(buf.F[[0, 2, 3]], FH[[0, 2, 3]]) and torch.equal(buf.H[[0, 2]], FH[[4, 6]])
    buf.update_videos(torch.tensor([2]), rows[:1])
    assert torch.equal(buf.G[2], rows[0])
    assert torch.equal(model.W_F, enc["F"][1])                    # the encoders wait for the next refresh
    enc = buf.refresh_encoders(lam, model)
    for name, Z, y in (("F", buf.F, buf.y_F), ("H", buf.H, buf.y_H), ("G", buf.G, buf.y_G)):
        mu, W = buffers.closed_form(Z, buf.S[y], lam)
        assert torch.equal(enc[name][0], mu) and torch.equal(enc[name][1], W)
        assert torch.equal(getattr(model, f"W_{name}"), W)        # model.pt keeps the last refresh's


def test_without_keyframes_W_H_stays_as_it_was():
    buf, _, model = _buffers(n_kf=0)
    enc = buf.refresh_encoders(lam, model)
    assert torch.equal(model.W_H, torch.ones(d, c)) and enc["H"][1] is model.W_H
