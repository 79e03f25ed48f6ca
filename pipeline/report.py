"""A run's report: metrics.json (for machines), report.md and confusion.png (for people)."""
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_confusion(cm: np.ndarray, classes: list, path, title: str) -> None:
    cm = np.asarray(cm)
    norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    size = 2.5 + 0.45 * len(classes)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    if len(classes) <= 25:
        for i, j in np.ndindex(cm.shape):
            ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if norm[i, j] > 0.5 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046, label="fraction of the true class")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_markdown(path, metrics: dict, confusion_png: str) -> None:
    acc = metrics["accuracy"]
    lines = [f"# DIVAFN run: {metrics['pair']}", "",
             f"{len(metrics['classes'])} classes, {metrics['n_train_videos']} training videos, "
             f"{metrics['n_test_videos']} test videos, {metrics['n_images']} images; seed {metrics['seed']}; "
             f"chance {metrics['chance']:.1%}.", "",
             "## Test accuracy", "", "| method | accuracy |", "|---|---|"]
    lines += [f"| {name} | {value:.1%} |" for name, value in sorted(acc.items(), key=lambda kv: -kv[1])]
    lines += ["", "## Per-class accuracy (divafn)", "", "| class | accuracy |", "|---|---|"]
    lines += [f"| {c} | {a:.1%} |" for c, a in metrics["per_class_accuracy"].items()]
    lines += ["", "## Confusion matrix (divafn)", "", f"![confusion matrix]({confusion_png})", "",
              "## Settings", "",
              f"- class-name embedding: {metrics['embedding']}",
              f"- autoencoder λ (chosen by cross-validation): " + ", ".join(f"{k} {v:g}" for k, v in metrics["lambdas"].items()),
              f"- weights: {metrics['weights']}",
              f"- code version: {metrics['code_version']}", "",
              "## Parameters of each stage", "", "```json", json.dumps(metrics["parameters"], indent=1, sort_keys=True), "```", ""]
    Path(path).write_text("\n".join(lines))
