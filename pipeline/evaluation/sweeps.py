"""Summaries of several runs: the seed sweep (mean ± std of every method) and the parameter study (c, λ)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def seed_table(per_seed: dict) -> dict:
    """per_seed: seed → {method: accuracy}. Returns method → dict(mean, std, values (by seed)); std is the
    sample standard deviation (ddof=1; 0 for one seed)."""
    seeds = sorted(per_seed)
    methods = sorted({m for acc in per_seed.values() for m in acc})
    out = {}
    for m in methods:
        v = np.array([per_seed[s][m] for s in seeds if m in per_seed[s]])
        out[m] = dict(mean=float(v.mean()), std=float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                      values=dict(zip(map(str, seeds), v.tolist())))
    return out


def _order(methods):
    return sorted(methods, key=lambda m: (m != "divafn", not m.startswith("divafn"), m))


def seed_markdown(pair: str, table: dict, seeds) -> str:
    L = [f"# Seed sweep: {pair}", "", f"Test accuracy of every method over seeds {', '.join(map(str, seeds))} "
         "(each seed: training, λ folds and SVM), mean ± sample std.", "",
         "| method | mean ± std | " + " | ".join(f"seed {s}" for s in seeds) + " |",
         "|---|---:|" + "---:|" * len(seeds)]
    for m in _order(table):
        t = table[m]
        L.append(f"| {m} | {t['mean']:.1%} ± {t['std']:.1%} | "
                 + " | ".join(f"{t['values'].get(str(s), float('nan')):.1%}" for s in seeds) + " |")
    pairs = [(a, b) for a, b in PAIRED if a in table and b in table]
    if pairs:
        L += ["", "Paired differences (the same seed, the same test videos), mean ± sample std:", ""]
    for a, b in pairs:
        d = paired(table, a, b)
        L.append(f"- {a} − {b}: {d.mean():+.1%} ± {d.std(ddof=1) if len(d) > 1 else 0.0:.1%} "
                 f"(per seed: {', '.join(f'{x:+.1%}' for x in d)})")
    return "\n".join(L) + "\n"


# The differences a reader asks for: what the images add, the paper's method against the standard baselines, and
# divafn_plus against them and against the paper's.
PAIRED = (("divafn", "video_only"), ("divafn", "finetune"), ("divafn", "dann"), ("divafn_plus", "divafn"),
          ("divafn_plus", "finetune"), ("divafn_plus", "dann"))


def paired(table: dict, a: str, b: str) -> np.ndarray:
    """a − b seed by seed (seed_table's values), over the seeds both have."""
    va, vb = table[a]["values"], table[b]["values"]
    return np.array([va[s] - vb[s] for s in va if s in vb])


def plot_seed_table(table: dict, path) -> None:
    methods = _order(table)
    fig, ax = plt.subplots(figsize=(1.1 * len(methods) + 2, 4), layout="constrained")
    x = np.arange(len(methods))
    ax.bar(x, [table[m]["mean"] for m in methods], yerr=[table[m]["std"] for m in methods], capsize=4,
           color=["tab:red" if m == "divafn" else "tab:gray" for m in methods], alpha=0.7)
    for i, m in enumerate(methods):
        v = list(table[m]["values"].values())
        ax.plot(np.full(len(v), i), v, "k.", ms=5)
    ax.set_xticks(x, methods, rotation=30, ha="right")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1)
    ax.set_title("mean ± std over seeds (dots: seeds)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sensitivity_markdown(pair: str, study: dict, defaults: dict) -> str:
    """study: parameter → {value: {method: accuracy}} (one parameter varied at a time, the other at its default)."""
    L = [f"# Parameter study: {pair}", "", "Test accuracy as one training parameter varies, the others at their "
         f"defaults ({', '.join(f'{k}={v}' for k, v in defaults.items())}); one seed.", ""]
    for param, points in study.items():
        methods = _order({m for acc in points.values() for m in acc})
        L += [f"## {param}", "", f"| {param} | " + " | ".join(methods) + " |", "|---:|" + "---:|" * len(methods)]
        for v in sorted(points, key=float):
            L.append(f"| {v} | " + " | ".join(f"{points[v][m]:.1%}" for m in methods) + " |")
        L.append("")
    return "\n".join(L)


def plot_sensitivity(study: dict, path) -> None:
    fig, axes = plt.subplots(1, len(study), figsize=(4.5 * len(study), 3.6), squeeze=False, layout="constrained")
    for ax, (param, points) in zip(axes[0], study.items()):
        xs = sorted(points, key=float)
        for m in _order({m for acc in points.values() for m in acc}):
            ax.plot([float(x) for x in xs], [points[x][m] for x in xs], "o-", label=m,
                    color="tab:red" if m == "divafn" else None)
        ax.set_xscale("log")
        ax.set_xlabel(param)
        ax.set_ylabel("test accuracy")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)
