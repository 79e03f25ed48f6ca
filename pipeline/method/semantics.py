"""Semantic projection of a run's features by the four autoencoders Auto-F, Auto-H, Auto-G, Auto-E.

Each W is fitted in closed form (pipeline.method.sae) on labelled items: W_F on the images, W_H on the
training videos' pooled keyframe features h, W_G on their video features G, W_E on the fused
E = [ĥ; ĝ] (each part prepared as its own autoencoder prepares it). Auto-H has its own W_H: keyframes
are of the video domain and need not share the images' projection. Each λ is chosen by
cross-validation on the same training items. With `centre`, each autoencoder's input is centred on the
mean μ of the items it is fitted on (see pipeline.method.sae); μ_F, μ_H, μ_G, μ_E are kept with the W's.
"""
import numpy as np

from pipeline.method import sae
from pipeline.method.features import pool_keyframes


def fused(h, G, mu_H, mu_G) -> np.ndarray:
    """E = [ĥ ; ĝ] (n_vid, 2c): each video's keyframe and video features, prepared as Auto-H and Auto-G prepare
    them."""
    return np.concatenate([sae.prepare(h, mu_H), sae.prepare(G, mu_G)], 1)


def semantic_features(h, G, W: dict) -> dict:
    """SH = W_H ĥ, SG = W_G ĝ, SE = W_E ê (n_vid, d) of videos with pooled keyframe features h (n_vid, c) and video
    features G (n_vid, c), by semantic.h5's arrays W (W_H, W_G, W_E and the μ_H, μ_G, μ_E they are centred on).
    ProjectSemantics computes its videos' semantic features with it, and so does prediction for new videos."""
    E = fused(h, G, W["mu_H"], W["mu_G"])
    return dict(SH=sae.project(h, W["W_H"], W["mu_H"]), SG=sae.project(G, W["W_G"], W["mu_G"]),
                SE=sae.project(E, W["W_E"], W["mu_E"]))


def fit_all(F, y_F, H, G, y_V, train, S, lambda_grid, pooling="mean", seed=0, centre=True) -> dict:
    """W_F, W_H, W_G, W_E, their means μ, the videos' semantic features SH, SG, SE (n_vid, d), the λs and CV scores.

    at_edge: the autoencoders whose λ is an end of the grid; edge_ties: those of them whose cross-validation scored
    another λ of the grid as high, so the end was the tie-break's (the smaller λ), not a trend toward it — as on the
    training videos, whose features the networks were fitted on and which every λ fits alike."""
    h = pool_keyframes(H, pooling)
    mean = (lambda Z: np.asarray(Z, np.float64).mean(0)) if centre else (lambda Z: np.zeros(Z.shape[1]))
    mu_H, mu_G = mean(h[train]), mean(G[train])
    E = fused(h, G, mu_H, mu_G)
    out, lambdas, scores = {}, {}, {}
    for name, Z, y in (("F", F, y_F), ("H", h[train], y_V[train]), ("G", G[train], y_V[train]),
                       ("E", E[train], y_V[train])):
        mu = mean(Z)
        Z = sae.prepare(Z, mu)
        lam, cv = sae.select_lambda(Z, y, S, lambda_grid, seed=seed)
        out[f"W_{name}"], out[f"mu_{name}"] = sae.fit_sae(Z, S[y], lam), mu
        lambdas[name], scores[name] = lam, cv
    out.update(semantic_features(h, G, dict(out, mu_H=mu_H, mu_G=mu_G)))
    grid = sorted(float(v) for v in lambda_grid)
    at_edge = {k: v for k, v in lambdas.items() if len(grid) > 1 and v in (grid[0], grid[-1])}
    edge_ties = sorted(k for k, v in at_edge.items() if sum(s == scores[k][v] for s in scores[k].values()) > 1)
    return dict(arrays=out, lambdas=lambdas, cv_scores=scores, at_edge=at_edge, edge_ties=edge_ties)
