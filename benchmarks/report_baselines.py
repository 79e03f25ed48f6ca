"""Issue 26's reporting figures (docs/results.md, "Baselines and divafn_plus"): several SeedSweeps, one per generated
dataset, summed up.

    PYTHONPATH=. python benchmarks/report_baselines.py d20 d21 d22      # the folders the three SeedSweeps ran in

Each argument is a SeedSweep's output folder (…/artifacts/SYNTHETIC/SeedSweep-<hash>), or the folder a `luigi --module
tasks SeedSweep --pair SYNTHETIC --MakeSyntheticData-data-seed D` ran in when it holds one SeedSweep. Prints, in %:
every method's mean ± std over the datasets × seeds (and each dataset's mean); the paired differences of
sweeps.PAIRED over the same runs (mean ± std, how many runs each way); and the cross-modal alignment
(stats.alignment_scores on the test videos) of every chain the sweep's CompareMethods read, from its features.h5.
"""
import argparse
import glob
import json
from pathlib import Path

import numpy as np

from pipeline.evaluation.sweeps import PAIRED
from pipeline.io import h5io
from pipeline.report import stats

CHAIN_NAMES = {"{}": "divafn", '{"use_keyframes": false}': "divafn_no_keyframes"}


def sweep_folder(arg: str) -> Path:
    """The SeedSweep output folder an argument names (itself, or the one SeedSweep of a run folder)."""
    if Path(arg).name.startswith("SeedSweep-"):
        return Path(arg)
    found = glob.glob(f"{arg}/artifacts/SYNTHETIC/SeedSweep-*")
    if len(found) != 1:
        raise SystemExit(f"report_baselines: {arg} holds {len(found)} SeedSweep folders under artifacts/SYNTHETIC/, "
                         f"not one; give the SeedSweep-<hash> folder itself.")
    return Path(found[0])


def alignment(sweep: Path) -> dict:
    """chain → seed → alignment_scores, for every features.h5 that the sweep's CompareMethods read (their
    provenance's inputs; other chains' dumps in the same folder, e.g. of other settings, are not its)."""
    root = sweep.parents[2]            # where the run's relative paths start: <root>/artifacts/<pair>/…
    out = {}
    inputs = json.loads((sweep / "sweep.json").read_text())["inputs"].values()
    read = {p for r in inputs for p in json.loads((root / r).read_text())["provenance"]["inputs"]}
    for p in sorted(root / r for r in read if r.endswith("features.h5")):
        params = h5io.attrs(p)["params"]
        overrides = params["train_overrides"]
        name = CHAIN_NAMES.get(overrides) or json.loads(overrides).get("objective", overrides)
        f = h5io.read(p, "features", ["F", "H", "G", "image_labels", "video_labels", "video_split"])
        test = f["video_split"].astype(str) == "test"
        n_classes = int(f["video_labels"].max()) + 1
        out.setdefault(name, {})[int(params["seed"])] = stats.alignment_scores(
            f["F"], f["H"], f["G"], f["image_labels"], f["video_labels"], test, n_classes)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("folders", nargs="+")
    a = p.parse_args(argv)
    folders = {sweep_folder(f).parents[2].name: sweep_folder(f) for f in a.folders}
    sweeps = {d: json.loads((f / "sweep.json").read_text()) for d, f in folders.items()}
    runs = {}          # method → [(dataset, seed, accuracy)]
    for d, sw in sweeps.items():
        for m, t in sw["methods"].items():
            runs.setdefault(m, []).extend((d, s, v) for s, v in t["values"].items())
    print(f"## Accuracy, % ({len(sweeps)} datasets × seeds {', '.join(map(str, sweeps[next(iter(sweeps))]['seeds']))})")
    print("\n| method | mean ± std | " + " | ".join(sweeps) + " |\n|---|---:|" + "---:|" * len(sweeps))
    for m in sorted(runs, key=lambda m: -np.mean([v for *_, v in runs[m]])):
        v = np.array([x for *_, x in runs[m]]) * 100
        per = [np.mean([x for d_, _, x in runs[m] if d_ == d]) * 100 for d in sweeps]
        print(f"| {m} | {v.mean():.1f} ± {v.std(ddof=1):.1f} | " + " | ".join(f"{x:.1f}" for x in per) + " |")
    print("\n## Paired differences, points (the same dataset, seed and test videos)\n")
    print("| difference | mean ± std | runs ahead / level / behind | " + " | ".join(sweeps) + " |")
    print("|---|---:|---:|" + "---:|" * len(sweeps))
    for x, y in PAIRED:
        if x not in runs or y not in runs:
            continue
        vy = {(d, s): v for d, s, v in runs[y]}
        diff = np.array([100 * (v - vy[d, s]) for d, s, v in runs[x]])
        per = [np.mean([100 * (v - vy[d_, s]) for d_, s, v in runs[x] if d_ == d]) for d in sweeps]
        ahead, level = int((diff > 1e-9).sum()), int((np.abs(diff) <= 1e-9).sum())
        print(f"| {x} − {y} | {diff.mean():+.1f} ± {diff.std(ddof=1):.1f} | {ahead} / {level} / "
              f"{len(diff) - ahead - level} | " + " | ".join(f"{v:+.1f}" for v in per) + " |")
    print("\n## Alignment of each trained chain, % (cross-modal nearest-class-mean accuracy on the test videos)\n")
    align = {}
    for f in folders.values():
        for chain, by_seed in alignment(f).items():
            for scores in by_seed.values():
                for k, v in scores.items():
                    align.setdefault(chain, {}).setdefault(k, []).append(100 * v)
    keys = list(next(iter(align.values())))
    print("| chain | " + " | ".join(keys) + " | runs |\n|---|" + "---:|" * (len(keys) + 1))
    for chain, by_key in align.items():
        print(f"| {chain} | " + " | ".join(f"{np.mean(by_key[k]):.1f} ± {np.std(by_key[k], ddof=1):.1f}"
                                           for k in keys) + f" | {len(by_key[keys[0]])} |")


if __name__ == "__main__":
    main()
