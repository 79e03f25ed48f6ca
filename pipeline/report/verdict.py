"""The report's verdict: what the run shows, in words, with the rule behind each claim and its numbers."""
import math

from pipeline.report.figures import MODALITIES
from pipeline.report.stats import NEIGHBOURS, own_cluster


def pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def p_text(p) -> str:
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
    chance_txt = (f"above chance ({pct(chance)}, binomial p {p_text(vs_chance)})" if vs_chance < 0.05
                  else f"not distinguishable from chance ({pct(chance)}, binomial p {p_text(vs_chance)})")

    def against(m):   # (difference in points, McNemar p, "significantly ahead" / "behind" / "within noise")
        diff, p = 100 * (d - acc[m]), tests.get(f"divafn_vs_{m}_p", 1.0)
        return diff, p, ("ahead" if diff > 0 and p < 0.05 else "behind" if diff < 0 and p < 0.05 else "level")

    def against_sentence(m, words, what):   # words: the sentence's opening for "ahead" / "behind" / "level"
        diff, p, how = against(m)
        return f"{words[how]} {what} {pct(acc[m])} ({diff:+.1f} points, McNemar p {p_text(p)})."

    parts = [against_sentence("video_only", {"ahead": "**The images and keyframes helped.**",
                                             "behind": "**The adaptation hurt.**",
                                             "level": "**Inconclusive against the videos alone.**"},
                              f"DIVAFN recognises {pct(d)} of the {n} test videos, the video-only baseline")
             if "video_only" in acc else f"DIVAFN recognises {pct(d)} of the {n} test videos."]
    if "divafn_untrained" in acc:
        parts.append(against_sentence("divafn_untrained", {"ahead": "Training helped:",
                                                           "behind": "**Training did not help:** it made things worse;",
                                                           "level": "**Training did not measurably help:**"},
                                      "the same pipeline on the networks' initial weights reaches"))
    others = [m for m in acc if m not in ("divafn", "divafn_untrained", "video_only")]
    better = [m for m in others if against(m)[2] == "behind"]
    level = [m for m in others if against(m)[2] == "level" and acc[m] > d]
    if better:
        parts.append("Significantly ahead of DIVAFN: " + ", ".join(f"`{m}` ({pct(acc[m])})" for m in better) + ".")
    if level:
        parts.append("Ahead within noise: " + ", ".join(f"`{m}` ({pct(acc[m])})" for m in level) + ".")
    alignment = metrics.get("alignment", {})
    if "after" in alignment:
        parts.append(alignment_verdict(alignment["after"], alignment.get("before", {}),
                                       metrics.get("modality_neighbours", {}).get("after", {}), chance))
    return " ".join(parts) + f" DIVAFN is {chance_txt}. One test video is {100 / max(n, 1):.1f} points."


BASELINES = ("finetune", "dann")      # the standard methods a reader compares the paper's with (issue 26)


def choice_verdict(metrics: dict) -> str:
    """One paragraph on which method to use: the best of this run, and the faithful DIVAFN against the standard
    baselines finetune and dann (McNemar on the same test videos), said plainly when the paper's method loses.
    Empty when the run scored no baseline."""
    acc, tests = metrics["accuracy"], metrics["tests"]
    if "divafn" not in acc or not any(b in acc for b in BASELINES):
        return ""
    best = max(acc, key=lambda m: acc[m])
    parts = [f"**Best method on this run: `{best}`** ({pct(acc[best])})."]
    for b in (b for b in BASELINES if b in acc):
        diff, p = 100 * (acc["divafn"] - acc[b]), tests.get(f"divafn_vs_{b}_p", 1.0)
        significant = p < 0.05 and diff != 0
        how = ("not distinguishable from" if not significant else "significantly ahead of" if diff > 0
               else "**significantly behind**")
        parts.append(f"The paper's DIVAFN ({pct(acc['divafn'])}) is {how} `{b}` ({pct(acc[b])}; {diff:+.1f} points, "
                     f"McNemar p {p_text(p)}).")
    if "divafn_plus" in acc:
        parts.append(f"`divafn_plus`, DIVAFN with a supervised term, reaches {pct(acc['divafn_plus'])}.")
    return " ".join(parts)


MODALITY_NAMES = {key: label for key, label, _, _ in MODALITIES}     # F → images, H → keyframes, G → videos


def alignment_verdict(after: dict, before: dict, neighbours: dict, chance: float) -> str:
    """The verdict on alignment, by two named rules, with their numbers. after, before: direction → cross-modal
    nearest-class-mean accuracy (stats.alignment_scores; before may be {}); neighbours: modality → its own-modality
    neighbour shares after training (stats.modality_neighbours; may be {}); chance: 1 / number of classes."""
    rows = "; ".join(f"{k} {pct(v)}, {v / chance:.1f}× chance" + (f" (before training {pct(before[k])})"
                                                                    if k in before else "") for k, v in after.items())
    aligned = all(v >= 2 * chance for v in after.values())
    text = (f"By the nearest-class-mean rule (each test item of the target modality labelled by the nearest class mean "
            f"of the source modality; aligned: at least twice chance, {pct(2 * chance)}, in every direction), "
            + ("the domains aligned class by class" if aligned else "**the domains did not align class by class**")
            + f": {rows}.")
    if neighbours:
        text += f" {clusters_text(neighbours).capitalize()}. {neighbour_shares_text(neighbours)}."
    return text


def clusters_text(neighbours: dict) -> str:
    """Which modalities form a cluster of their own (stats.own_cluster), in words."""
    apart = [MODALITY_NAMES[k] for k, share in neighbours.items() if own_cluster(share)]
    if not apart:
        return "the modalities mix: none forms a cluster of its own"
    if len(apart) == len(neighbours):
        return f"the modalities do not mix: the {and_list(apart)} each still form a cluster of their own"
    return f"the {and_list(apart)} still form {'a cluster' if len(apart) == 1 else 'clusters'} of their own"


def neighbour_shares_text(neighbours: dict) -> str:
    """"Of a point's 10 nearest neighbours (…), 99% of an image's, … are of its own modality, against …"."""
    article = lambda word: "an" if word[0] in "aeiou" else "a"
    singular = {k: MODALITY_NAMES[k][:-1] for k in neighbours}                     # image, keyframe, video
    return (f"Of a point's {NEIGHBOURS} nearest neighbours (cosine, in the c-dimensional space, among the points "
            f"projection.png draws), "
            + and_list([f"{pct(share['same'])} of {article(singular[k])} {singular[k]}'s"
                    for k, share in neighbours.items()])
            + " are of its own modality, against " + and_list([pct(share["mixed"]) for share in neighbours.values()])
            + " if the modalities were mixed")


def and_list(words: list) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
