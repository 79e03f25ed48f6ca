"""report.md's text, one function per section, from metrics (as written to metrics.json)."""
import math

from pipeline.evaluation.methods import METHODS
from pipeline.report.figures import MODALITIES, TERM_TEXT


def _pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def _p(p) -> str:
    """'= 0.03' or '< 0.001', to follow a 'p'."""
    return f"= {p:.2g}" if p >= 0.001 else "< 0.001"


def verdict(metrics: dict) -> str:
    """One paragraph on what the run shows: DIVAFN against the video-only baseline, against the same pipeline on
    the untrained networks (what training adds), against its ablations, and whether the domains aligned."""
    acc, chance, n, tests = metrics["accuracy"], metrics["chance"], metrics["n_test_videos"], metrics["tests"]
    d = acc.get("divafn")
    if d is None:
        return "This run scored no `divafn` method; see the accuracy table."
    vs_chance = tests["divafn_above_chance_p"]
    chance_txt = (f"above chance ({_pct(chance)}, binomial p {_p(vs_chance)})" if vs_chance < 0.05
                  else f"not distinguishable from chance ({_pct(chance)}, binomial p {_p(vs_chance)})")

    def against(m):   # (difference in points, McNemar p, "significantly ahead" / "behind" / "within noise")
        diff, p = 100 * (d - acc[m]), tests.get(f"divafn_vs_{m}_p", 1.0)
        return diff, p, ("ahead" if diff > 0 and p < 0.05 else "behind" if diff < 0 and p < 0.05 else "level")

    def against_sentence(m, words, what):   # words: the sentence's opening for "ahead" / "behind" / "level"
        diff, p, how = against(m)
        return f"{words[how]} {what} {_pct(acc[m])} ({diff:+.1f} points, McNemar p {_p(p)})."

    parts = [against_sentence("video_only", {"ahead": "**The images and keyframes helped.**",
                                             "behind": "**The adaptation hurt.**",
                                             "level": "**Inconclusive against the videos alone.**"},
                              f"DIVAFN recognises {_pct(d)} of the {n} test videos, the video-only baseline")
             if "video_only" in acc else f"DIVAFN recognises {_pct(d)} of the {n} test videos."]
    if "divafn_untrained" in acc:
        parts.append(against_sentence("divafn_untrained", {"ahead": "Training helped:",
                                                           "behind": "**Training did not help:** it made things worse;",
                                                           "level": "**Training did not measurably help:**"},
                                      "the same pipeline on the networks' initial weights reaches"))
    others = [m for m in acc if m not in ("divafn", "divafn_untrained", "video_only")]
    better = [m for m in others if against(m)[2] == "behind"]
    level = [m for m in others if against(m)[2] == "level" and acc[m] > d]
    if better:
        parts.append("Significantly ahead of DIVAFN: " + ", ".join(f"`{m}` ({_pct(acc[m])})" for m in better) + ".")
    if level:
        parts.append("Ahead within noise: " + ", ".join(f"`{m}` ({_pct(acc[m])})" for m in level) + ".")
    alignment = metrics.get("alignment", {})
    if "after" in alignment:
        after = alignment["after"]
        before = alignment.get("before", {})
        rows = ", ".join(f"{k} {_pct(v)}" + (f" (before {_pct(before[k])})" if k in before else "")
                         for k, v in after.items())
        aligned = all(v >= 2 * chance for v in after.values())
        parts.append(("The domains aligned" if aligned else "**The domains did not align**")
                     + f" (cross-modal nearest-class-mean accuracy, aligned meaning at least twice chance in each "
                       f"direction: {rows}; chance {_pct(chance)}).")
    return " ".join(parts) + f" DIVAFN is {chance_txt}. One test video is {100 / max(n, 1):.1f} points."


def _table(header, rows, align=None) -> list:
    """A pipe table; `align`: one letter per column, l (text) or r (numbers); default: first l, the rest r."""
    align = align or "l" + "r" * (len(header) - 1)
    cell = lambda c: str(c).replace("|", "\\|")
    # pandoc sizes the columns of a wrapping table by the dashes in this rule: as many as the widest cell (3–60)
    width = [max(3, min(60, max(len(cell(x)) for x in [h, *(r[i] for r in rows)]))) for i, h in enumerate(header)]
    rule = "|" + "|".join("-" * w if a == "l" else "-" * (w - 1) + ":" for a, w in zip(align, width)) + "|"
    return ["| " + " | ".join(header) + " |", rule] + ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]


class _Figures:
    """Numbers the figures in the order the sections place them."""

    def __init__(self):
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _methods(metrics) -> list:
    acc = metrics["accuracy"]
    return sorted(acc, key=lambda k: (k != "divafn", -acc[k]))


def header(metrics: dict) -> list:
    classes, n = metrics["classes"], metrics["n_test_videos"]
    return [f"# DIVAFN on {metrics['pair']}", "", verdict(metrics), "",
            f"{len(classes)} classes · {metrics['n_images']} labelled images · "
            f"{metrics['n_train_videos']} training videos · {n} test videos · seed {metrics['seed']} · "
            f"code {metrics['code_version']}. "
            f"Machine-readable numbers: [metrics.json](metrics.json).", ""]


def accuracy_section(metrics: dict) -> list:
    acc, n, methods = metrics["accuracy"], metrics["n_test_videos"], _methods(metrics)
    L = ["## Accuracy on the test videos", ""]
    rows = []
    for m in methods:
        a = acc[m]
        se = math.sqrt(a * (1 - a) / n) if n else float("nan")
        name = f"**{m}**" if m == "divafn" else m
        rows.append([name, METHODS.get(m, {}).get("uses", ""), _pct(a), f"{round(a * n)}/{n}", f"±{se:.1%}"])
    rows.append(["chance", "1 / number of classes", _pct(metrics["chance"]), "", ""])
    L += _table(["method", "uses", "accuracy", "correct", "s.e."], rows, "llrrr")
    L += [""] + [f"- **{m}** ({METHODS[m]['input']}): {METHODS[m]['how']}." for m in methods if m in METHODS]
    L += ["- s.e.: binomial standard error of an accuracy over the test videos; the verdict above compares "
          "methods with McNemar's test on the same videos.", ""]
    return L


def per_class_section(metrics: dict) -> list:
    methods, per, counts = _methods(metrics), metrics["per_class_by_method"], metrics["n_test_per_class"]
    return (["## Per-class accuracy", ""]
            + _table(["class", "test videos", *methods], [[c, counts[i], *(_pct(per[m][i]) for m in methods)]
                                                          for i, c in enumerate(metrics["classes"])]) + [""])


def confusion_section(metrics: dict, fig: _Figures) -> list:
    figs = metrics["figures"]
    if "confusion" not in figs:
        return []
    k = fig.next()
    return ["## Confusion matrices", "", f"![Figure {k}: confusion matrices]({figs['confusion']})\\",
            f"*Figure {k}. Confusion matrices on the test videos, one per method (rows: true class, columns: "
            f"predicted; colour: fraction of the true class, numbers: videos).*", ""]


def training_section(metrics: dict, fig: _Figures) -> list:
    figs, L = metrics["figures"], ["## Training", ""]
    if "curves" in figs:
        k = fig.next()
        L += [f"![Figure {k}: training curves]({figs['curves']})\\",
              f"*Figure {k}. Each loss term of Algorithm 1 per epoch, the mean over the epoch's mini-batches "
              f"(L_sim per pair of items, Auto-· per item). Falling curves: the networks learn; flat ones: they "
              f"do not.*", ""]
    hist = metrics.get("training", {})
    if not hist.get("terms"):
        return L + ["model.pt holds no training history.", ""]
    L += _table(["loss term", "first epoch", "last epoch", "change"],
                [[TERM_TEXT.get(t, t), f"{v['first']:.4g}", f"{v['last']:.4g}",
                  f"{(v['last'] - v['first']) / abs(v['first']) if v['first'] else 0:+.1%}"]
                 for t, v in hist["terms"].items()])
    return L + ["", f"{hist['epochs']} epochs in {hist['seconds']:.0f} s on {hist.get('device', '?')}.", ""]


def alignment_section(metrics: dict, fig: _Figures) -> list:
    figs, alignment, L = (metrics["figures"], metrics["alignment"],
                          ["## Domain alignment: F, H and G before and after training", ""])
    if "projection" in figs:
        k = fig.next()
        before = "before" in alignment
        L += [f"![Figure {k}: 2-D projection of F, H, G]({figs['projection']})\\",
              f"*Figure {k}. Every image (F, circles), keyframe (H, triangles) and video (G, squares) of the run, "
              f"scaled to length 1 and projected on the first two principal axes of the three modalities together"
              + (", before training (the networks' initial weights) and after" if before else ", after training") +
              ". Top: coloured by modality; bottom: by class. Aligned domains overlap in the top row and group by "
              "class, not by modality, in the bottom row; a modality drawn as one spot points every item the same "
              "way and carries no class information.*", ""]
    if not alignment.get("before"):
        L += ["The features before training are not in this run's features.h5 (written by older code): delete the "
              "DumpFeatures folder and re-run to get them.", ""]
    stages = [s for s in ("before", "after") if s in alignment]
    L += _table(["source → target", *(f"{s} training" for s in stages)],
                [[p, *(_pct(alignment[s][p]) for s in stages)] for p in alignment["after"]]
                + [[f"mean length ‖{k}‖ ({label})", *(f"{metrics['feature_norms'][s][k]:.3g}" for s in stages)]
                   for k, label, _, _ in MODALITIES]
                + [[f"mean cosine between {k} items ({label})",
                    *(f"{metrics['feature_cosines'][s][k]:.3f}" for s in stages)]
                   for k, label, _, _ in MODALITIES if "feature_cosines" in metrics])
    return L + ["", f"*Each test item of the target modality is labelled by the nearest (cosine) class mean of the "
                    f"source modality, in the c-dimensional space shared by F, H and G; chance is "
                    f"{_pct(metrics['chance'])}. Cross-modal accuracy well above chance means the modalities are "
                    f"aligned class by class. The mean lengths show the modalities' scales: Θ = ½⟨a, b⟩ grows "
                    f"with them, and while they are small every L_sim stays near its value at Θ = 0 (log 2 per "
                    f"pair). A mean cosine near 1 means the modality's items all point one way (collapsed): whatever "
                    f"tells the classes apart is a small part of each feature.*", ""]


def rejects_section(metrics: dict) -> list:
    rejects, warnings, L = metrics.get("rejects", []), metrics.get("warnings", []), ["## Rejected items", ""]
    if not rejects:
        L += ["None: every image and video of the manifest was decoded and used.", ""]
    else:
        n = {m: sum(r.get("modality", "video") == m for r in rejects) for m in ("image", "video")}
        L += [f"{len(rejects)} items ({n['image']} images, {n['video']} videos) could not be used and were left "
              f"out of training and evaluation, each listed once (a video rejected by one video stage is left out of "
              f"all):", ""]
        shown = rejects[:50]
        L += _table(["item", "reason", "found by"],
                    [[f"`{r.get('id', r['path'])}`", r["reason"] or "–", r.get("source") or "–"] for r in shown],
                    "lll")
        if len(rejects) > len(shown):
            L += ["", f"… and {len(rejects) - len(shown)} more (all in metrics.json, `rejects`)."]
        L += [""]
    if warnings:
        L += [f"{len(warnings)} odd files were used, with a warning:", ""]
        L += _table(["item", "warning"], [[f"`{w['id']}`", w["warning"]] for w in warnings[:50]], "ll")
        if len(warnings) > 50:
            L += ["", f"… and {len(warnings) - 50} more (all in metrics.json, `warnings`)."]
        L += [""]
    return L


def data_section(metrics: dict) -> list:
    data, classes = metrics["data"], metrics["classes"]
    split = f"official split {data.get('split', '?')}" if "pair_file" not in metrics else \
        f"the pair file `{metrics['pair_file']}`"
    L = ["## Data", "",
         f"Pair **{metrics['pair']}**: images from `{data.get('image_root', '?')}`, "
         f"videos from `{data.get('video_root', '?')}` ({split}).", ""]
    L += _table(["class", "images (train / test)", "videos (train / test)"],
                [[c, f"{data['images'][c]['train']} / {data['images'][c]['test']}",
                  f"{data['videos'][c]['train']} / {data['videos'][c]['test']}"] for c in classes])
    if data.get("ignored"):
        L += ["", "Not used (hidden files, files that are not images or videos; listed in manifest.json, `ignored`): "
              + ", ".join(f"{n} under the {side} root" for side, n in sorted(data["ignored"].items())) + "."]
    return L + ["", f"- class-name embedding S: {metrics['embedding']}",
                f"- network weights: {metrics['weights']}",
                "- autoencoder λ (chosen by cross-validation on the training items): "
                + ", ".join(f"{k} {v:g}" for k, v in sorted(metrics["lambdas"].items()))
                + _lambda_edges(metrics), ""]


def _lambda_edges(metrics: dict) -> str:
    """What the λs chosen at an end of the grid mean: a trend (widen the grid) or a tie (widening changes nothing)."""
    ties = set(metrics.get("lambda_edge_ties") or [])
    trend = sorted(set(metrics.get("lambda_at_edge") or {}) - ties)
    parts = ([f"at an end of the grid for {', '.join(trend)}: the best λ may lie beyond it (widen [ProjectSemantics] "
              f"lambda_grid)"] if trend else [])
    parts += ([f"at an end for {', '.join(sorted(ties))} on a tie: cross-validation scored another λ as high "
               f"(items the networks were trained on fit every λ alike), so a wider grid would change nothing"]
              if ties else [])
    return "".join(f" — {p}" for p in parts)


def parameters_section(metrics: dict) -> list:
    L = ["## Parameters", "",
         "The significant parameters of every stage of this run (those that shape its output hash):", ""]
    show = lambda params: ", ".join(f"{k}={v if v != '' else '(empty)'}" for k, v in sorted(params.items())
                                    if k != "pair")
    return L + _table(["stage", "parameters"],
                      [[stage, show(p) or "–"] for stage, p in metrics["parameters"].items()], "ll")


def artifacts_section(metrics: dict) -> list:
    L = ["", "## Artifacts", "", "This report's folder: [metrics.json](metrics.json), "
         + ", ".join(f"[{f}]({f})" for f in metrics["figures"].values()) + ". The artifacts it was made from "
         "(inspect any of them with `python -m pipeline.inspect PATH`; the run folder lists them all):", ""]
    L += _table(["stage", "artifact"],
                [[task, f"`{p}`"] for task, paths in metrics["artifacts"].items() for p in paths], "ll")
    return L + [""]


def markdown(metrics: dict) -> str:
    """report.md's text, from metrics (as written to metrics.json); links only metrics["figures"] files and
    metrics.json."""
    fig = _Figures()
    sections = [header(metrics), accuracy_section(metrics), per_class_section(metrics), confusion_section(metrics, fig),
                training_section(metrics, fig), alignment_section(metrics, fig), rejects_section(metrics),
                data_section(metrics), parameters_section(metrics), artifacts_section(metrics)]
    return "\n".join(line for section in sections for line in section)
