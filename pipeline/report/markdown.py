"""report.md's text, one function per section, from metrics (as written to metrics.json)."""
import math

from pipeline.evaluation.methods import METHODS
from pipeline.report.figures import MODALITIES, TERM_TEXT
from pipeline.report.stats import CAP, NEIGHBOURS
from pipeline.report.verdict import (MODALITY_NAMES, and_list, choice_verdict, clusters_text, neighbour_shares_text,
                                     pct, verdict)
from pipeline.text import count


def alignment_by_method_section(metrics: dict) -> list:
    """The cross-modal alignment of every trained method's features (metrics' alignment_by_method)."""
    by = metrics.get("alignment_by_method")
    if not by:
        return []
    pairs = list(next(iter(by.values())))
    L = ["### Alignment of every trained method", ""]
    L += _table(["method", *pairs], [[m, *(pct(a[p]) for p in pairs)] for m, a in by.items()])
    return L + ["", f"*The same nearest-class-mean accuracy as above, on each trained chain's own features.h5 (its F, "
                    f"H, G after training); chance is {pct(metrics['chance'])}.*", ""]


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
    choice = choice_verdict(metrics)
    return [f"# DIVAFN on {metrics['pair']}", "", verdict(metrics), "", *([choice, ""] if choice else []),
            f"{count(len(classes), 'class', 'classes')} · {count(metrics['n_images'], 'labelled image')} · "
            f"{count(metrics['n_train_videos'], 'training video')} · {count(n, 'test video')} · "
            f"seed {metrics['seed']} · "
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
        rows.append([name, METHODS.get(m, {}).get("uses", ""), pct(a), f"{round(a * n)}/{n}", f"±{se:.1%}"])
    rows.append(["chance", "1 / number of classes", pct(metrics["chance"]), "", ""])
    L += _table(["method", "uses", "accuracy", "correct", "s.e."], rows, "llrrr")
    L += [""] + [f"- **{m}** ({METHODS[m]['input']}): {METHODS[m]['how']}." for m in methods if m in METHODS]
    L += ["- s.e.: binomial standard error of an accuracy over the test videos; the verdict above compares "
          "methods with McNemar's test on the same videos.", ""]
    return L


def per_class_section(metrics: dict) -> list:
    methods, per, counts = _methods(metrics), metrics["per_class_by_method"], metrics["n_test_per_class"]
    return (["## Per-class accuracy", ""]
            + _table(["class", "test videos", *methods], [[c, counts[i], *(pct(per[m][i]) for m in methods)]
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
    return L + ["", f"{count(hist['epochs'], 'epoch')} in {hist['seconds']:.0f} s on {hist.get('device', '?')}.", ""]


def alignment_section(metrics: dict, fig: _Figures) -> list:
    figs, alignment, L = (metrics["figures"], metrics["alignment"],
                          ["## Domain alignment: F, H and G before and after training", ""])
    neighbours = metrics.get("modality_neighbours", {})
    if "projection" in figs:
        k = fig.next()
        drawn = metrics.get("projection_points", {})
        what = and_list([f"{MODALITY_NAMES[key]} ({key}, {shape}; " + (
            f"all {n['drawn']}" if n["drawn"] == n["of"] else f"a random {n['drawn']} of the {n['of']}") + ")"
            for (key, _, _, _), shape in zip(MODALITIES, ("circles", "triangles", "squares"))
            if (n := drawn.get(key))])
        after = neighbours.get("after")
        clusters = (f" After training {clusters_text(after)}. {neighbour_shares_text(after)} "
                    f"(the legend beside the top row)." if after is not None else "")
        L += [f"![Figure {k}: 2-D projection of F, H, G]({figs['projection']})\\",
              f"*Figure {k}. The {what} of the run (each modality is drawn at most {CAP} times), every feature "
              f"scaled to length 1 and projected on the first two principal axes of the three modalities together"
              + (", before training (the networks' initial weights) and after" if "before" in alignment
                 else ", after training") +
              ". Top: coloured by modality; bottom: by class. Modalities that mix overlap in the top row." + clusters +
              " Classes aligned across modalities share colours in the bottom row; a modality drawn as one spot points "
              "every item the same way and carries no class information.*", ""]
    if not alignment.get("before"):
        L += ["The features before training are not in this run's features.h5 (written by older code): delete the "
              "DumpFeatures folder and re-run to get them.", ""]
    stages = [s for s in ("before", "after") if s in alignment]
    L += _table(["source → target", *(f"{s} training" for s in stages)],
                [[p, *(pct(alignment[s][p]) for s in stages)] for p in alignment["after"]]
                + [[f"own modality among {NEIGHBOURS} nearest neighbours: {label} "
                    f"({pct(neighbours['after'][k]['mixed'])} if mixed)",
                    *(pct(neighbours[s][k]["same"]) for s in stages)]
                   for k, label, _, _ in MODALITIES if all(s in neighbours for s in stages)]
                + [[f"mean cosine between {k} items ({label})",
                    *(f"{metrics['feature_cosines'][s][k]:.3f}" for s in stages)]
                   for k, label, _, _ in MODALITIES if "feature_cosines" in metrics])
    return L + ["", f"*Each test item of the target modality is labelled by the nearest (cosine) class mean of the "
                    f"source modality, in the c-dimensional space shared by F, H and G; chance is "
                    f"{pct(metrics['chance'])}. Cross-modal accuracy well above chance means the modalities are "
                    f"aligned class by class; the verdict calls them aligned at twice chance in every direction. Own "
                    f"modality: the share of a point's {NEIGHBOURS} nearest neighbours (cosine, among the points "
                    f"drawn in the figure) of its own modality; near the mixed share the modalities mix, near 100% "
                    f"the modality forms a cluster of its own (the verdict's rule: closer to 100% than to the mixed "
                    f"share). A mean cosine near 1 means the modality's items all point one way (collapsed): "
                    f"whatever tells the classes apart is a small part of each feature.*", ""]


def rejects_section(metrics: dict) -> list:
    rejects, warnings, L = metrics.get("rejects", []), metrics.get("warnings", []), ["## Rejected items", ""]
    if not rejects:
        L += ["None: every image and video of the manifest was decoded and used.", ""]
    else:
        n = {m: sum(r.get("modality", "video") == m for r in rejects) for m in ("image", "video")}
        L += [f"{count(len(rejects), 'item')} ({count(n['image'], 'image')}, {count(n['video'], 'video')}) could not "
              f"be used and {'was' if len(rejects) == 1 else 'were'} left out of training and evaluation, each listed "
              f"once (a video rejected by one video stage is left out of all):", ""]
        shown = rejects[:50]
        L += _table(["item", "reason", "found by"],
                    [[f"`{r.get('id', r['path'])}`", r["reason"] or "–", r.get("source") or "–"] for r in shown],
                    "lll")
        if len(rejects) > len(shown):
            L += ["", f"… and {len(rejects) - len(shown)} more (all in metrics.json, `rejects`)."]
        L += [""]
    if warnings:
        L += [f"{count(len(warnings), 'odd file')} {'was' if len(warnings) == 1 else 'were'} used, with a warning:", ""]
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
                f"- network weights: {weights_text(metrics['weights'], metrics['backbone'])}",
                "- autoencoder λ (chosen by cross-validation on the training items): "
                + ", ".join(f"{k} {v:g}" for k, v in sorted(metrics["lambdas"].items()))
                + _lambda_edges(metrics), ""]


def weights_text(record: dict, backbone: str) -> str:
    """metrics.json `weights` (pipeline.method.pretrained.weights_record) in words."""
    digest = f"sha256 {record['sha256'][:12]}…" if record.get("sha256") else "no longer readable"
    if "package" in record:
        return (f"{backbone} initialised from the ImageNet weights of package {record['package']} "
                f"{record['version']} ({record['file']}, {digest})")
    if record:
        return f"{backbone} initialised from ImageNet weights in {record['file']} ({digest})"
    return f"{backbone} trained from scratch (no ImageNet weights file)"


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
                training_section(metrics, fig), alignment_section(metrics, fig),
                alignment_by_method_section(metrics), rejects_section(metrics),
                data_section(metrics), parameters_section(metrics), artifacts_section(metrics)]
    return "\n".join(line for section in sections for line in section)
