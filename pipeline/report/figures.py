"""The report's figures (matplotlib, headless Agg backend): confusion matrices, training curves, the projection."""
import math

import matplotlib

matplotlib.use("Agg")   # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from pipeline.report.stats import NEIGHBOURS, pca_2d  # noqa: E402

TERM_TEXT = {
    "sim_fg": "L_sim(F, G): image–video", "sim_hg": "L_sim(H, G): keyframe–video",
    "sim_fh": "L_sim(F, H): image–keyframe",
    "auto_f": "Auto-F(F; W_F)", "auto_h": "Auto-H(H; W_H)", "auto_g": "Auto-G(G; W_G)",
}
MODALITIES = (("F", "images", "tab:orange", "o"), ("H", "keyframes", "tab:green", "^"),
              ("G", "videos", "tab:blue", "s"))


def _class_colours(n):
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20" if n <= 20 else "hsv")
    return [cmap(i if n <= 20 else i / n) for i in range(n)]


def plot_confusion(cms: dict, classes: list, path, accuracies: dict) -> None:
    """One row-normalised confusion matrix per method (name → (C, C) counts; rows true, columns predicted).

    Laid out in a grid at most two panels wide (one for more than 12 classes), each panel sized to its class
    count, so that at a report's page width (about 1300 px) every cell's number stays legible.
    """
    names, C = list(cms), len(classes)
    ncols = 1 if C > 12 or len(names) == 1 else 2
    nrows = math.ceil(len(names) / ncols)
    size = min(max(4.0, 0.45 * C + 2.0), 12.0)                       # inches per panel
    ticks = max(6, min(10, 0.55 * 72 * size / max(C, 1)))           # font size (pt) of labels and numbers
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * (size + 1.6), nrows * (size + 1.0)), squeeze=False,
                             layout="constrained")
    for panel, (ax, name) in enumerate(zip(axes.flat, names)):
        cm = np.asarray(cms[name])
        norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
        im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(C), classes, rotation=45, ha="right", fontsize=ticks)
        ax.set_xlabel("predicted")
        if panel % ncols == 0:   # the rows' names once per line of panels: a right panel's would crowd the left one
            ax.set_yticks(range(C), classes, fontsize=ticks)
            ax.set_ylabel("true")
        else:
            ax.set_yticks(range(C), [])
        ax.set_title(f"{name}: {accuracies[name]:.1%}", fontsize=12)
        if C <= 25:
            for i, j in np.ndindex(cm.shape):
                if cm[i, j]:
                    ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=ticks,
                            color="white" if norm[i, j] > 0.5 else "black")
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.colorbar(im, ax=axes.ravel().tolist(), fraction=0.03, label="fraction of the true class")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_training_curves(history: list, path) -> list:
    """One panel per loss term (history: per-epoch dicts); returns the terms drawn."""
    terms = [k for k in (history[0] if history else {}) if k not in ("epoch", "seconds")
             and all(isinstance(h.get(k), (int, float)) for h in history)]
    ncols = min(3, max(len(terms), 1))
    nrows = max(math.ceil(len(terms) / ncols), 1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.7 * nrows + (0.4 if ncols < 2 else 0)),
                             squeeze=False)
    epochs = [h.get("epoch", i + 1) for i, h in enumerate(history)]
    for ax, term in zip(axes.flat, terms):
        ax.plot(epochs, [h[term] for h in history], marker="o", markersize=3)
        ax.set_title(TERM_TEXT.get(term, term), fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(epochs) == 1:       # no integer lies in the one epoch's margins: the locator would fall back to decimals
            ax.set_xticks(epochs)
    for ax in list(axes.flat)[len(terms):]:
        ax.axis("off")
    if not terms:
        axes.flat[0].text(0.5, 0.5, "model.pt holds no training history", ha="center", va="center")
    # the title on two lines when one panel's width would clip it
    fig.suptitle("loss terms per epoch" + ("\n" if ncols < 2 else " ") + "(mean over the epoch's mini-batches)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return terms


def plot_projection(points: dict, classes, path, neighbours: dict) -> dict:
    """points: stage ("before"/"after") → stats.drawn_points (F, H, G, each capped, rows of length 1); neighbours:
    stage → stats.modality_neighbours of those points. One column per stage, a joint PCA of its three modalities;
    top row coloured by modality, bottom row by class (marker = modality); beside the top row, each modality's share
    of own-modality nearest neighbours, stage by stage. Returns the variance the two axes explain, per stage."""
    names = list(points)
    fig, axes = plt.subplots(2, len(names), figsize=(4.2 * len(names) + 2.2, 8.4), squeeze=False)
    colours = _class_colours(len(classes))
    explained = {}
    for col, name in enumerate(names):
        pts = points[name]
        xy, explained[name] = pca_2d(np.concatenate([Z for _, Z, _, _ in pts]))
        start = 0
        for (key, Z, y, total), (_, label, colour, marker) in zip(pts, MODALITIES):
            P = xy[start:start + len(Z)]
            start += len(Z)
            axes[0, col].scatter(P[:, 0], P[:, 1], s=14, c=colour, marker=marker, alpha=0.6, linewidths=0,
                                 label=f"{label} ({key}): {len(Z)}" + (f" of {total}" if total > len(Z) else ""))
            axes[1, col].scatter(P[:, 0], P[:, 1], s=16, c=[colours[int(k)] for k in y], marker=marker, alpha=0.75,
                                 linewidths=0)
        for row in range(2):
            ax = axes[row, col]
            ax.set_title(f"{name} training, by {'modality' if row == 0 else 'class'}", fontsize=11)
            ax.set_xlabel(f"PC1   (PC1 + PC2: {explained[name]:.0%} of the variance)", fontsize=9)
            ax.set_ylabel("PC2", fontsize=9)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.2)
    top = axes[0, -1]
    top.add_artist(top.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=9, title="modality: points drawn",
                              markerscale=2))
    shares = [plt.Line2D([], [], marker=marker, ls="", color=colour, markersize=7, label=" → ".join(
        f"{neighbours[s][key]['same']:.0%}" for s in names) + f"   (mixed: {neighbours[names[-1]][key]['mixed']:.0%})")
        for key, _, colour, marker in MODALITIES]
    top.legend(handles=shares, loc="upper left", bbox_to_anchor=(1.02, 0.6), fontsize=9, alignment="left",
               title=f"own modality among a point's\n{NEIGHBOURS} nearest neighbours,\n{' → '.join(names)} training")
    if len(classes) <= 30:
        handles = [plt.Line2D([], [], marker="o", ls="", color=colours[i], label=c) for i, c in enumerate(classes)]
        axes[1, -1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, title="class",
                           markerscale=1.5)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return explained


# --------------------------------------------------------------------------------------------- markdown
