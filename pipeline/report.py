"""A run's report: report.md and its figures (for people) next to metrics.json (for machines).

`write_report` draws every figure into the run folder and writes report.md, which links only the files it
wrote there. The figures:

- confusion.png: row-normalised confusion matrix of each method on the test videos;
- training_curves.png: each loss term of Algorithm 1 per epoch (model.pt's history);
- projection.png: a joint 2-D PCA of F (images), H (keyframes) and G (videos) before training (the networks'
  initial weights) and after, coloured by modality and by class: the picture of domain alignment.

Plots use matplotlib's headless Agg backend; nothing here needs a display or luigi.
"""
import json
import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import numpy as np  # noqa: E402

FIGURES = dict(confusion="confusion.png", curves="training_curves.png", projection="projection.png")
METHOD_TEXT = {  # method → (what it uses, in a few words; how)
    "divafn": ("images, keyframes, videos", "the linear SVM on [W_H h ; W_G g ; W_E e], the trained networks' semantic features"),
    "video_only": ("videos only", "the same SVM on the raw video features y: no images, no keyframes, no training"),
    "keyframe_only": ("keyframes only", "the same SVM on h, the video's keyframes through the trained f, pooled"),
    "image_only": ("images only", "the SVM trained on the images' F, tested on the test videos' h: no labelled video"),
    "divafn_no_keyframes": ("images, videos", "DIVAFN trained without keyframes (no H–G, F–H terms); then as divafn"),
    "divafn_no_autoencoder": ("images, keyframes, videos", "the same SVM on [h ; g ; e]: no semantic projection"),
    "divafn_no_fusion": ("images, keyframes, videos", "the same SVM on [W_H h ; W_G g]: no Auto-E"),
}
TERM_TEXT = {
    "sim_fg": "L_sim(F, G): image–video", "sim_hg": "L_sim(H, G): keyframe–video", "sim_fh": "L_sim(F, H): image–keyframe",
    "auto_f": "Auto-F(F; W_F)", "auto_h": "Auto-H(H; W_H)", "auto_g": "Auto-G(G; W_G)",
}
MODALITIES = (("F", "images", "tab:orange", "o"), ("H", "keyframes", "tab:green", "^"), ("G", "videos", "tab:blue", "s"))


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
    """Cross-modal nearest-class-mean accuracy on the test videos: images→videos, keyframes→videos, images→keyframes.

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


def mean_norms(F, H, G) -> dict:
    """Mean length ‖·‖ of the items of each modality: how different their scales are."""
    return {k: float(np.linalg.norm(Z.reshape(-1, Z.shape[-1]), axis=1).mean()) if Z.size else float("nan")
            for k, Z in (("F", F), ("H", H), ("G", G))}


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


def data_summary(manifest, split: int) -> dict:
    """Per-class counts of a pipeline.manifest.Manifest's images and videos by split, and where each dataset lies."""
    def counts(items):
        c = {name: dict(train=0, test=0) for name in manifest.classes}
        for it in items:
            row = c[manifest.classes[it.label]]
            row[it.split] = row.get(it.split, 0) + 1
        return c

    def root(items):   # an item's path is <dataset root>/<id>
        return os.path.commonpath([it.path[:-len(it.id)] or "." for it in items]) if items else "?"
    return dict(images=counts(manifest.images), videos=counts(manifest.videos), image_root=root(manifest.images),
                video_root=root(manifest.videos), split=split)


# --------------------------------------------------------------------------------------------- figures

def _class_colours(n):
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20" if n <= 20 else "hsv")
    return [cmap(i if n <= 20 else i / n) for i in range(n)]


def plot_confusion(cms: dict, classes: list, path, accuracies: dict) -> None:
    """One row-normalised confusion matrix per method (name → (C, C) counts; rows true, columns predicted)."""
    names = list(cms)
    size = min(1.8 + 0.3 * len(classes), 16)                       # inches per panel; 101 classes stay readable
    ticks = max(4, min(9, 0.7 * 72 * size / max(len(classes), 1)))  # font size (pt) that fits one row
    fig, axes = plt.subplots(1, len(names), figsize=((size + 0.9) * len(names) + 0.8, size + 1.2), squeeze=False,
                             layout="constrained")
    for ax, name in zip(axes[0], names):
        cm = np.asarray(cms[name])
        norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
        im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right", fontsize=ticks)
        ax.set_yticks(range(len(classes)), classes, fontsize=ticks)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{name}: {accuracies[name]:.1%}", fontsize=12)
        if len(classes) <= 25:
            for i, j in np.ndindex(cm.shape):
                if cm[i, j]:
                    ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=ticks,
                            color="white" if norm[i, j] > 0.5 else "black")
    fig.colorbar(im, ax=axes[0].tolist(), fraction=0.03, label="fraction of the true class")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def plot_training_curves(history: list, path) -> list:
    """One panel per loss term (history: per-epoch dicts); returns the terms drawn."""
    terms = [k for k in (history[0] if history else {}) if k not in ("epoch", "seconds")
             and all(isinstance(h.get(k), (int, float)) for h in history)]
    ncols = min(3, max(len(terms), 1))
    nrows = max(math.ceil(len(terms) / ncols), 1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.7 * nrows), squeeze=False)
    epochs = [h.get("epoch", i + 1) for i, h in enumerate(history)]
    for ax, term in zip(axes.flat, terms):
        ax.plot(epochs, [h[term] for h in history], marker="o", markersize=3)
        ax.set_title(TERM_TEXT.get(term, term), fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in list(axes.flat)[len(terms):]:
        ax.axis("off")
    if not terms:
        axes.flat[0].text(0.5, 0.5, "model.pt holds no training history", ha="center", va="center")
    fig.suptitle("loss terms per epoch (mean over the epoch's mini-batches)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return terms


def _modality_points(F, H, G, y_F, y_V, max_per_modality, rng):
    """[(key, Z, labels)] with H's keyframes as separate points; each modality subsampled to a maximum."""
    out = []
    for key, Z, y in (("F", F, y_F), ("H", H.reshape(-1, H.shape[-1]), np.repeat(y_V, H.shape[1])), ("G", G, y_V)):
        if len(Z) > max_per_modality:
            keep = np.sort(rng.choice(len(Z), max_per_modality, replace=False))
            Z, y = Z[keep], y[keep]
        out.append((key, Z, y))
    return out


def plot_projection(stages: dict, y_F, y_V, classes, path, max_per_modality: int = 600, seed: int = 0) -> dict:
    """stages: "before"/"after" → (F, H, G). One column per stage, a joint PCA of the three modalities each;
    top row coloured by modality, bottom row by class (marker = modality). Every item's feature is scaled to
    length 1 first (the modalities' scales can differ by orders of magnitude, which would leave one modality
    a dot at the origin), so the picture shows directions, as cosine similarity does. Returns the variance explained."""
    names = list(stages)
    fig, axes = plt.subplots(2, len(names), figsize=(4.2 * len(names) + 2.2, 8.4), squeeze=False)
    colours = _class_colours(len(classes))
    explained = {}
    for col, name in enumerate(names):
        pts = _modality_points(*stages[name], y_F, y_V, max_per_modality, np.random.default_rng(seed))
        pts = [(key, unit_rows(Z), y) for key, Z, y in pts]
        xy, explained[name] = pca_2d(np.concatenate([Z for _, Z, _ in pts]))
        start = 0
        for (key, Z, y), (_, label, colour, marker) in zip(pts, MODALITIES):
            P = xy[start:start + len(Z)]
            start += len(Z)
            axes[0, col].scatter(P[:, 0], P[:, 1], s=14, c=colour, marker=marker, alpha=0.6, linewidths=0,
                                 label=f"{label} ({key}, {len(Z)})")
            axes[1, col].scatter(P[:, 0], P[:, 1], s=16, c=[colours[int(k)] for k in y], marker=marker, alpha=0.75,
                                 linewidths=0)
        for row in range(2):
            ax = axes[row, col]
            ax.set_title(f"{name} training, by {'modality' if row == 0 else 'class'}", fontsize=11)
            ax.set_xlabel(f"PC1   (PC1 + PC2: {explained[name]:.0%} of the variance)", fontsize=9)
            ax.set_ylabel("PC2", fontsize=9)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.2)
    axes[0, -1].legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=9, title="modality", markerscale=2)
    if len(classes) <= 30:
        handles = [plt.Line2D([], [], marker="o", ls="", color=colours[i], label=c) for i, c in enumerate(classes)]
        axes[1, -1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, title="class", markerscale=1.5)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return explained


# --------------------------------------------------------------------------------------------- markdown

def _pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def _p(p) -> str:
    return f"{p:.2g}" if p >= 0.001 else "< 0.001"


def verdict(metrics: dict) -> str:
    """One paragraph: did DIVAFN beat the video-only baseline and chance, on how many test videos."""
    acc, chance, n = metrics["accuracy"], metrics["chance"], metrics["n_test_videos"]
    d = acc.get("divafn")
    if d is None:
        return "This run scored no `divafn` method; see the accuracy table."
    vs_chance = metrics["tests"]["divafn_above_chance_p"]
    chance_txt = (f"above chance ({_pct(chance)}, binomial p = {_p(vs_chance)})" if vs_chance < 0.05
                  else f"not distinguishable from chance ({_pct(chance)}, binomial p = {_p(vs_chance)})")
    if "video_only" not in acc:
        return f"DIVAFN recognises {_pct(d)} of the {n} test videos: {chance_txt}."
    v, p = acc["video_only"], metrics["tests"]["divafn_vs_video_only_p"]
    diff = 100 * (d - v)
    if d > v and p < 0.05:
        head = (f"**The adaptation worked on this run.** DIVAFN recognises {_pct(d)} of the {n} test videos against "
                f"{_pct(v)} for the video-only baseline (+{diff:.1f} points, McNemar p = {_p(p)}): the images and "
                f"keyframes added what the videos alone lack")
    elif d > v:
        head = (f"**Inconclusive.** DIVAFN is ahead of the video-only baseline ({_pct(d)} against {_pct(v)}, "
                f"+{diff:.1f} points), but on {n} test videos that difference is within noise (McNemar p = {_p(p)})")
    else:
        head = (f"**The adaptation did not help on this run.** DIVAFN recognises {_pct(d)} of the {n} test videos, "
                f"the video-only baseline {_pct(v)} ({diff:+.1f} points, McNemar p = {_p(p)})")
    return f"{head}. DIVAFN is {chance_txt}. One test video is {100 / max(n, 1):.1f} points."


def _table(header, rows, align=None) -> list:
    """A pipe table; `align`: one letter per column, l (text) or r (numbers); default: first l, the rest r."""
    align = align or "l" + "r" * (len(header) - 1)
    cell = lambda c: str(c).replace("|", "\\|")
    # pandoc sizes the columns of a wrapping table by the dashes in this rule: as many as the widest cell (3–60)
    width = [max(3, min(60, max(len(cell(x)) for x in [h, *(r[i] for r in rows)]))) for i, h in enumerate(header)]
    rule = "|" + "|".join("-" * w if a == "l" else "-" * (w - 1) + ":" for a, w in zip(align, width)) + "|"
    return ["| " + " | ".join(header) + " |", rule] + ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]


def markdown(metrics: dict) -> str:
    """report.md's text, from metrics (as written to metrics.json); links only metrics["figures"] files and metrics.json."""
    classes, acc, figs = metrics["classes"], metrics["accuracy"], metrics["figures"]
    n = metrics["n_test_videos"]
    methods = sorted(acc, key=lambda k: (k != "divafn", -acc[k]))
    L = [f"# DIVAFN on {metrics['pair']}", "", verdict(metrics), "",
         f"{len(classes)} classes · {metrics['n_images']} labelled images · {metrics['n_train_videos']} training videos · "
         f"{n} test videos · seed {metrics['seed']} · code {metrics['code_version']}. "
         f"Machine-readable numbers: [metrics.json](metrics.json).", ""]

    L += ["## Accuracy on the test videos", ""]
    rows = []
    for m in methods:
        a = acc[m]
        se = math.sqrt(a * (1 - a) / n) if n else float("nan")
        name = f"**{m}**" if m == "divafn" else m
        rows.append([name, METHOD_TEXT.get(m, ("", ""))[0], _pct(a), f"{round(a * n)}/{n}", f"±{se:.1%}"])
    rows.append(["chance", "1 / number of classes", _pct(metrics["chance"]), "", ""])
    L += _table(["method", "uses", "accuracy", "correct", "s.e."], rows, "llrrr")
    L += [""] + [f"- **{m}**: {METHOD_TEXT[m][1]}." for m in methods if m in METHOD_TEXT]
    L += ["- s.e.: binomial standard error of an accuracy over the test videos; the verdict above compares "
          "methods with McNemar's test on the same videos.", ""]

    L += ["## Per-class accuracy", ""]
    per = metrics["per_class_by_method"]
    counts = metrics["n_test_per_class"]
    L += _table(["class", "test videos", *methods], [[c, counts[i], *(_pct(per[m][i]) for m in methods)]
                                                     for i, c in enumerate(classes)])
    L += [""]

    fig_no = 0
    if "confusion" in figs:
        fig_no += 1
        L += ["## Confusion matrices", "", f"![Figure {fig_no}: confusion matrices]({figs['confusion']})\\",
              f"*Figure {fig_no}. Confusion matrices on the test videos, one per method (rows: true class, columns: "
              f"predicted; colour: fraction of the true class, numbers: videos).*", ""]

    L += ["## Training", ""]
    if "curves" in figs:
        fig_no += 1
        L += [f"![Figure {fig_no}: training curves]({figs['curves']})\\",
              f"*Figure {fig_no}. Each loss term of Algorithm 1 per epoch, the mean over the epoch's mini-batches "
              f"(L_sim per pair of items, Auto-· per item). Falling curves: the networks learn; flat ones: they do not.*", ""]
    hist = metrics.get("training", {})
    if hist.get("terms"):
        L += _table(["loss term", "first epoch", "last epoch", "change"],
                    [[TERM_TEXT.get(t, t), f"{v['first']:.4g}", f"{v['last']:.4g}",
                      f"{(v['last'] - v['first']) / abs(v['first']) if v['first'] else 0:+.1%}"]
                     for t, v in hist["terms"].items()])
        L += ["", f"{hist['epochs']} epochs in {hist['seconds']:.0f} s on {hist.get('device', '?')}.", ""]
    else:
        L += ["model.pt holds no training history.", ""]

    L += ["## Domain alignment: F, H and G before and after training", ""]
    if "projection" in figs:
        fig_no += 1
        before = "before" in metrics["alignment"]
        L += [f"![Figure {fig_no}: 2-D projection of F, H, G]({figs['projection']})\\",
              f"*Figure {fig_no}. Every image (F, circles), keyframe (H, triangles) and video (G, squares) of the run, "
              f"scaled to length 1 and projected on the first two principal axes of the three modalities together"
              + (", before training (the networks' initial weights) and after" if before else ", after training") +
              ". Top: coloured by modality; bottom: by class. Aligned domains overlap in the top row and group by "
              "class, not by modality, in the bottom row; a modality drawn as one spot points every item the same way and "
              "carries no class information.*", ""]
    if not metrics["alignment"].get("before"):
        L += ["The features before training are not in this run's features.h5 (written by older code): delete the "
              "DumpFeatures folder and re-run to get them.", ""]
    stages = [s for s in ("before", "after") if s in metrics["alignment"]]
    pairs = list(metrics["alignment"]["after"])
    L += _table(["source → target", *(f"{s} training" for s in stages)],
                [[p, *(_pct(metrics["alignment"][s][p]) for s in stages)] for p in pairs]
                + [[f"mean length ‖{k}‖ ({label})", *(f"{metrics['feature_norms'][s][k]:.3g}" for s in stages)]
                   for k, label, _, _ in MODALITIES]
                + [[f"mean cosine between {k} items ({label})", *(f"{metrics['feature_cosines'][s][k]:.3f}" for s in stages)]
                   for k, label, _, _ in MODALITIES if "feature_cosines" in metrics])
    L += ["", f"*Each test item of the target modality is labelled by the nearest (cosine) class mean of the source "
              f"modality, in the c-dimensional space shared by F, H and G; chance is {_pct(metrics['chance'])}. "
              f"Cross-modal accuracy well above chance means the modalities are aligned class by class. The mean "
              f"lengths show the modalities' scales: Θ = ½⟨a, b⟩ grows with them, and while they are small every "
              f"L_sim stays near its value at Θ = 0 (log 2 per pair). A mean cosine near 1 means the modality's items all "
              f"point one way (collapsed): whatever tells the classes apart is a small part of each feature.*", ""]

    L += ["## Rejected items", ""]
    rejects = metrics.get("rejects", [])
    if not rejects:
        L += ["None: every video of the manifest was decoded and used (no shard recorded a rejected item).", ""]
    else:
        L += [f"{len(rejects)} items were rejected and left out of training and evaluation:", ""]
        shown = rejects[:50]
        L += _table(["item", "reason", "recorded in"],
                    [[f"`{r['path']}`", r["reason"] or "–", f"`{r['source']}`"] for r in shown], "lll")
        if len(rejects) > len(shown):
            L += ["", f"… and {len(rejects) - len(shown)} more (all in metrics.json, `rejects`)."]
        L += [""]

    data = metrics["data"]
    L += ["## Data", "",
          f"Pair **{metrics['pair']}**: images from `{data.get('image_root', '?')}`, videos from `{data.get('video_root', '?')}` "
          f"(official split {data.get('split', '?')}).", ""]
    L += _table(["class", "images (train / test)", "videos (train / test)"],
                [[c, f"{data['images'][c]['train']} / {data['images'][c]['test']}",
                  f"{data['videos'][c]['train']} / {data['videos'][c]['test']}"] for c in classes])
    L += ["", f"- class-name embedding S: {metrics['embedding']}",
          f"- network weights: {metrics['weights']}",
          "- autoencoder λ (chosen by cross-validation on the training items): "
          + ", ".join(f"{k} {v:g}" for k, v in sorted(metrics["lambdas"].items())), ""]

    L += ["## Parameters", "", "The significant parameters of every stage of this run (those that shape its output hash):", ""]
    show = lambda params: ", ".join(f"{k}={v if v != '' else '(empty)'}" for k, v in sorted(params.items()) if k != "pair")
    L += _table(["stage", "parameters"], [[stage, show(p) or "–"]
                                          for stage, p in metrics["parameters"].items()], "ll")
    L += ["", "## Artifacts", "", "This report's folder: [metrics.json](metrics.json), "
          + ", ".join(f"[{f}]({f})" for f in figs.values()) + ". The artifacts it was made from "
          "(inspect any of them with `python -m pipeline.inspect PATH`; the run folder lists them all):", ""]
    L += _table(["stage", "artifact"], [[task, f"`{p}`"] for task, paths in metrics["artifacts"].items() for p in paths], "ll")
    L += [""]
    return "\n".join(L)


# --------------------------------------------------------------------------------------------- the whole report

def write_report(folder, metrics: dict, results: dict, features: dict, history: list) -> dict:
    """Draw the figures into `folder`, complete `metrics` (figures, alignment, tests, training) and write report.md.

    results: results.json's content (per method: accuracy, per_class, confusion, predicted; test_labels).
    features: features.h5's arrays (F, H, G, image_labels, video_labels, video_split; F0, H0, G0 when present).
    history: model.pt's per-epoch loss terms. Returns the completed metrics (also for metrics.json).
    """
    folder = Path(folder)
    classes, C = metrics["classes"], len(metrics["classes"])
    methods = results["methods"]
    y_test = np.asarray(results["test_labels"])
    right = {m: np.asarray(r["predicted"]) == y_test for m, r in methods.items()}
    tests = {}
    if "divafn" in right:
        tests["divafn_above_chance_p"] = above_chance_p(int(right["divafn"].sum()), len(y_test), metrics["chance"])
        if "video_only" in right:
            tests["divafn_vs_video_only_p"] = mcnemar_p(right["divafn"], right["video_only"])
    metrics.update(tests=tests, per_class_by_method={m: r["per_class"] for m, r in methods.items()},
                   n_test_per_class=np.bincount(y_test, minlength=C).tolist())

    figs = {}
    plot_confusion({m: r["confusion"] for m, r in sorted(methods.items(), key=lambda kv: kv[0] != "divafn")},
                   classes, folder / FIGURES["confusion"], {m: r["accuracy"] for m, r in methods.items()})
    figs["confusion"] = FIGURES["confusion"]
    terms = plot_training_curves(history, folder / FIGURES["curves"])
    figs["curves"] = FIGURES["curves"]
    metrics["training"] = dict(epochs=len(history), seconds=float(sum(h.get("seconds", 0) for h in history)),
                               device=metrics.get("device"),
                               terms={t: dict(first=history[0][t], last=history[-1][t]) for t in terms})

    y_F, y_V = np.asarray(features["image_labels"]), np.asarray(features["video_labels"])
    test = np.asarray(features["video_split"]).astype(str) == "test"
    stages = {}
    if all(k in features for k in ("F0", "H0", "G0")):
        stages["before"] = (features["F0"], features["H0"], features["G0"])
    stages["after"] = (features["F"], features["H"], features["G"])
    explained = plot_projection(stages, y_F, y_V, classes, folder / FIGURES["projection"], seed=metrics.get("seed", 0))
    figs["projection"] = FIGURES["projection"]
    metrics["alignment"] = {s: alignment_scores(*arrays, y_F, y_V, test, C) for s, arrays in stages.items()}
    metrics["feature_norms"] = {s: mean_norms(*arrays) for s, arrays in stages.items()}
    metrics["feature_cosines"] = {s: mean_cosines(*arrays) for s, arrays in stages.items()}
    metrics["projection_variance_explained"] = explained

    metrics["figures"] = figs
    (folder / "report.md").write_text(markdown(metrics))
    return metrics


def write_metrics(folder, metrics: dict) -> None:
    """metrics.json: the run's results, identical for one seed and configuration on one machine; and run.json:
    what differs between two such runs (wall time, where the data was read from, the device)."""
    metrics = json.loads(json.dumps(metrics, default=_json_default))
    run = dict(training_seconds=metrics.get("training", {}).pop("seconds", None), device=metrics.pop("device", None),
               image_root=metrics.get("data", {}).pop("image_root", None), video_root=metrics.get("data", {}).pop("video_root", None))
    Path(folder, "metrics.json").write_text(json.dumps(metrics, indent=1))
    Path(folder, "run.json").write_text(json.dumps(run, indent=1))


def _json_default(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")
