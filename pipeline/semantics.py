"""Semantic projection of a run's features by the four autoencoders Auto-F, Auto-H, Auto-G, Auto-E.

Each W is fitted in closed form (pipeline.sae) on labelled items: W_F on the images, W_H on the
training videos' pooled keyframe features h, W_G on their video features G, W_E on the fused
E = [h; G]. Auto-H has its own W_H: keyframes are of the video domain and need not share the images'
projection. Each λ is chosen by cross-validation on the same training items.
"""
import numpy as np

from . import sae
from .features import pool_keyframes


def fit_all(F, y_F, H, G, y_V, train, S, lambda_grid, pooling="mean", seed=0) -> dict:
    """W_F, W_H, W_G, W_E, the videos' semantic features SH, SG, SE (n_vid, d), the λs and CV scores."""
    h = pool_keyframes(H, pooling)
    E = np.concatenate([sae.l2_normalise(h), sae.l2_normalise(G)], 1)
    out, lambdas, scores = {}, {}, {}
    for name, Z, y in (("F", F, y_F), ("H", h[train], y_V[train]), ("G", G[train], y_V[train]), ("E", E[train], y_V[train])):
        lam, cv = sae.select_lambda(Z, y, S, lambda_grid, seed=seed)
        out[f"W_{name}"] = sae.fit_sae(sae.l2_normalise(Z), S[y], lam)
        lambdas[name], scores[name] = lam, cv
    out.update(SH=sae.project(h, out["W_H"]), SG=sae.project(G, out["W_G"]), SE=sae.project(E, out["W_E"]))
    return dict(arrays=out, lambdas=lambdas, cv_scores=scores)
