"""predictions.csv, predictions.json, predictions.md and the contact sheet (schema: artifacts/README.md, "Predict").

predictions.csv and predictions.json hold the same rows, one per input file, in input order: `path` (as found),
`predicted` (class name; empty when the file could not be used), `score` (the SVM's decision value of that class),
`top_k` (the k best classes with their scores; in the CSV `class:score` pairs joined by `; `), `reason` (empty
unless the file could not be used). The contact sheet shows the keyframes of the first videos beside their three
best classes.
"""
import csv
import json
from pathlib import Path

from pipeline.predict.core import COLUMNS
from pipeline.text import count


def top_k_text(top: list) -> str:
    """The CSV form of a row's top_k: `class:score; class:score; …`."""
    return "; ".join(f"{t['class']}:{t['score']!r}" for t in top)


def csv_row(r: dict) -> list:
    """One row of predictions.csv: the JSON row's values (scores written exactly as in the JSON)."""
    score = "" if r["score"] is None else repr(r["score"])
    return [r["path"], r["predicted"], score, top_k_text(r["top_k"]), r["reason"]]


def write_csv(path, rows: list) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(csv_row(r))


def read_csv(path) -> list:
    """predictions.csv back as rows (the JSON's layout; scores as floats)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["score"] = float(r["score"]) if r["score"] else None
        r["top_k"] = [dict(zip(("class", "score"), (c, float(s)))) for c, s in
                      (t.rsplit(":", 1) for t in r["top_k"].split("; ") if t)]
    return rows


def write_json(path, rows: list, about: dict) -> None:
    """{"predictions": rows, and `about`: what made them (pair, chain, settings, artifacts, code versions)}."""
    Path(path).write_text(json.dumps(dict(predictions=rows, **about), indent=1))


def write_markdown(path, rows: list, sheet_png: str, shown: int, about: dict) -> None:
    used = [r for r in rows if not r["reason"]]
    L = [f"# Predictions: {about.get('pair', '')}", "",
         f"{count(len(rows), 'file')}, {len(used)} classified, {len(rows) - len(used)} could not be used; "
         f"trained chain: "
         f"`{about.get('chain', '')}`.", ""]
    if shown:
        L += [f"{shown} classified videos of the first files: their keyframes and their three best classes "
              f"(SVM scores).",
              "",
              f"![contact sheet]({sheet_png})", ""]
    L += ["| path | predicted | score | reason |", "|---|---|---|---|"]
    score = lambda r: "" if r["score"] is None else f"{r['score']:.3f}"
    L += [f"| `{r['path']}` | {r['predicted']} | {score(r)} | {r['reason']} |" for r in rows]
    Path(path).write_text("\n".join(L) + "\n")


def contact_sheet(path, rows: list, keyframes: dict) -> int:
    """A PNG: one line per video of `keyframes` ({row index: (k, px, px, 3) uint8}): its keyframes, then its three best
    classes. Returns the number of videos drawn."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    shown = sorted(keyframes)
    if not shown:
        return 0
    k = max(len(keyframes[i]) for i in shown)
    fig, axes = plt.subplots(len(shown), k + 1, figsize=(1.6 * k + 3.4, 1.6 * len(shown)), squeeze=False,
                             gridspec_kw=dict(width_ratios=[1] * k + [2.2]))
    for line, i in zip(axes, shown):
        for ax, frame in zip(line[:k], keyframes[i]):
            ax.imshow(frame)
        for ax in line:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.axis("off")
        top = rows[i]["top_k"][:3]
        text = "\n".join(f"{'→ ' if j == 0 else '   '}{t['class']}  {t['score']:.2f}" for j, t in enumerate(top))
        line[k].text(0, 0.5, f"{Path(rows[i]['path']).name}\n{text}", va="center", fontsize=8, family="monospace")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return len(shown)


def write_all(folder, rows: list, keyframes: dict, about: dict) -> None:
    """The four files of a Predict folder, into `folder` (which exists)."""
    folder = Path(folder)
    write_csv(folder / "predictions.csv", rows)
    write_json(folder / "predictions.json", rows, about)
    shown = contact_sheet(folder / "contact_sheet.png", rows, keyframes)
    write_markdown(folder / "predictions.md", rows, "contact_sheet.png", shown, about)


def describe(chain, top_k: int) -> dict:
    """What made a set of predictions: predictions.json's keys besides `predictions`."""
    from pipeline.io import provenance
    return dict(pair=chain.pair, chain=chain.source, settings=chain.settings, top_k=top_k,
                artifacts=dict(model=str(chain.model), semantic=str(chain.semantic), classifier=str(chain.classifier)),
                run_code_version=chain.code_version, code_version=provenance.code_version(),
                created_utc=provenance.utc_now())
