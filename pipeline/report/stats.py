"""The statistics a report quotes: significance tests, cross-modal alignment, feature geometry.

All take numpy arrays and return floats or dicts of floats; nothing here draws or writes.
"""
import numpy as np

CAP = 600         # points per modality in the projection and the neighbour counts: a random subset beyond it
NEIGHBOURS = 10   # the nearest neighbours modality_neighbours counts

# --------------------------------------------------------------------------------------------- statistics

def mcnemar_p(right_a: np.ndarray, right_b: np.ndarray) -> float:
    """Two-sided exact McNemar test of two classifiers on the same items (bool arrays: item correct)."""
    from scipy.stats import binomtest
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    return 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)


def above_chance_p(n_right: int, n: int, chance: float) -> float:
    """One-sided binomial p-value of getting at least `n_right` of `n` right by guessing."""
    from scipy.stats import binomtest
    return 1.0 if n == 0 else float(binomtest(n_right, n, chance, alternative="greater").pvalue)


def _class_means(Z, y, n_classes):
    means = np.full((n_classes, Z.shape[1]), np.nan)
    for k in range(n_classes):
        if np.any(y == k):
            means[k] = Z[y == k].mean(0)
    return means


def nearest_mean_accuracy(source, y_source, target, y_target, n_classes) -> float:
    """Label each target item by the nearest (cosine) class mean of the source modality; accuracy.

    Near chance when the two modalities live in unrelated spaces, high when training has aligned them.
    """
    if len(target) == 0:
        return float("nan")
    means = _class_means(source, y_source, n_classes)
    sims = unit_rows(target) @ unit_rows(np.nan_to_num(means)).T
    sims[:, np.isnan(means).any(1)] = -np.inf
    return float((sims.argmax(1) == y_target).mean())


def alignment_scores(F, H, G, y_F, y_V, test, n_classes) -> dict:
    """Cross-modal nearest-class-mean accuracy on the test videos: images→videos, keyframes→videos,
    images→keyframes.

    F (n_img, c), H (n_vid, k, c) (mean-pooled into h here), G (n_vid, c); `test` (n_vid,) bool.
    The keyframe class means come from the training videos.
    """
    h = H.mean(1)
    train = ~test
    return {"images → videos": nearest_mean_accuracy(F, y_F, G[test], y_V[test], n_classes),
            "keyframes → videos": nearest_mean_accuracy(h[train], y_V[train], G[test], y_V[test], n_classes),
            "images → keyframes": nearest_mean_accuracy(F, y_F, h[test], y_V[test], n_classes)}


def unit_rows(Z: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (zero rows stay zero)."""
    return Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)


def drawn_points(F, H, G, y_F, y_V, cap: int = CAP, seed: int = 0) -> list:
    """[(key, Z, labels, total)] for F, H, G (total: the modality's points before the cap): what projection.png
    draws and modality_neighbours measures. H's keyframes are points of their own; a modality of more than `cap`
    points keeps a random `cap` of them (the same ones for every stage of one seed: the rows are the same items);
    every row is scaled to length 1 (directions, as cosine similarity sees them: the modalities' scales could
    otherwise differ by orders of magnitude)."""
    rng = np.random.default_rng(seed)
    out = []
    for key, Z, y in (("F", F, y_F), ("H", H.reshape(-1, H.shape[-1]), np.repeat(y_V, H.shape[1])), ("G", G, y_V)):
        total = len(Z)
        if total > cap:
            keep = np.sort(rng.choice(total, cap, replace=False))
            Z, y = Z[keep], y[keep]
        out.append((key, unit_rows(Z), np.asarray(y), total))
    return out


def modality_neighbours(points: list, k: int = NEIGHBOURS) -> dict:
    """Whether the modalities mix, per modality of `points` (drawn_points): `same`, the mean share of its points' k
    nearest neighbours (cosine, among all points, itself left out) that are of its own modality; `mixed`, that share
    if the modalities were mixed at random, (n_m − 1) / (N − 1). Near `mixed`: mixed with the others; near 1: a
    cluster of its own (own_cluster)."""
    Z = np.concatenate([P for _, P, _, _ in points])
    modality = np.concatenate([np.full(len(P), i) for i, (_, P, _, _) in enumerate(points)])
    n, k = len(Z), min(k, len(Z) - 1)
    out = {}
    if k < 1:
        return {key: dict(same=float("nan"), mixed=float("nan")) for key, _, _, _ in points}
    S = Z @ Z.T                                               # (N, N) cosines: the rows have length 1
    np.fill_diagonal(S, -np.inf)
    nearest = np.argpartition(-S, k - 1, axis=1)[:, :k]       # (N, k), in no order
    same = (modality[nearest] == modality[:, None]).mean(1)
    for i, (key, P, _, _) in enumerate(points):
        out[key] = dict(same=float(same[modality == i].mean()) if len(P) else float("nan"),
                        mixed=float((len(P) - 1) / (n - 1)))
    return out


def own_cluster(share: dict) -> bool:
    """The report's rule: a modality forms a cluster of its own when its `same` share (modality_neighbours) is
    closer to 1 than to `mixed`."""
    return share["same"] >= (1 + share["mixed"]) / 2


def mean_cosines(F, H, G) -> dict:
    """Mean cosine between the items of each modality, ‖mean of the unit rows‖² (self-pairs included).

    1 means every item points the same way: after L2 normalisation (SVM aside) the modality carries almost no
    class information. ReLU networks start near 1 (their activations are all positive); training should lower it.
    """
    return {k: float(np.square(unit_rows(Z.reshape(-1, Z.shape[-1])).mean(0)).sum()) if Z.size else float("nan")
            for k, Z in (("F", F), ("H", H), ("G", G))}


def pca_2d(Z: np.ndarray) -> tuple:
    """(n, 2) coordinates on the two principal axes of Z (n, c), and the fraction of variance they explain."""
    Zc = Z - Z.mean(0)
    if len(Zc) < 2 or not np.any(Zc):
        return np.zeros((len(Z), 2)), 0.0
    _, s, Vt = np.linalg.svd(Zc, full_matrices=False)
    V = Vt[:2].T
    if V.shape[1] < 2:
        V = np.pad(V, ((0, 0), (0, 2 - V.shape[1])))
    return Zc @ V, float((s[:2] ** 2).sum() / max((s ** 2).sum(), 1e-30))
