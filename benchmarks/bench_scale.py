"""How each stage's wall time and peak memory grow with the size of SYNTHETIC (issue 16: linear time, flat memory).

    python benchmarks/bench_scale.py                                   # sizes default, x2, x4 at 224 px, 1 epoch
    python benchmarks/bench_scale.py --sizes default x2 --image-size 64 --epochs 1 --out /tmp/scale
    python benchmarks/bench_scale.py --sizes default x4 x8 --set fc_dim=256 --keep

For each size, in a fresh folder of its own (`--work`/<size>/), every stage of the chain up to FitClassifier is run
as a user runs it, `luigi --module tasks <Stage> --pair SYNTHETIC --local-scheduler`, one stage per process and in
order, so that each process runs exactly one stage (the ones before it are done): its wall time and its peak RSS
(os.wait4's ru_maxrss: the process and the children it waited for, e.g. MakeSyntheticData's writers). Sharded
stages run once per shard; their row sums the times and takes the largest RSS. The settings go to the folder's
luigi.cfg: `[MakeSyntheticData] size`, and `[pair:SYNTHETIC]` image_size, epochs and every `--set KEY=VALUE`
(otherwise the repository's SYNTHETIC defaults). Prints a table per size and the ratios of the last size to the
first (time and RSS), and writes it all to `--out`/scale.json and scale.md. Each size also gets a no-op rerun of the
last stage (everything done): the fixed start-up cost of one `luigi --module tasks` process, which every row holds
once per process; `work` ratios are those of the times less that start-up per process.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LUIGI = str(Path(sys.executable).with_name("luigi"))
CHAIN = ("MakeSyntheticData", "BuildManifest", "PrepareImages", "ExtractKeyframes", "ExtractVideoFeatures",
         "CheckRejects", "EmbedClassNames", "TrainDIVAFN", "DumpFeatures", "ProjectSemantics", "FitClassifier")
SHARDED = ("ExtractKeyframes", "ExtractVideoFeatures")


def run_stage(folder: Path, args: list) -> tuple:
    """(seconds, peak RSS in MiB) of one `luigi --module tasks ARGS` in `folder`; raises if it fails."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("LUIGI_CONFIG_PATH", None)
    log = open(folder / "bench.log", "a")
    log.write(f"\n$ luigi --module tasks {' '.join(args)}\n")
    log.flush()
    t0 = time.perf_counter()
    p = subprocess.Popen([LUIGI, "--module", "tasks", *args, "--local-scheduler"], cwd=folder, env=env,
                         stdout=log, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    log.close()
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {folder} (exit {p.returncode}); see {folder / 'bench.log'}")
    return seconds, usage.ru_maxrss / 1024          # Linux: ru_maxrss in KiB


def n_shards(folder: Path) -> int:
    """The n_shards the folder's configuration gives SYNTHETIC (its luigi.cfg, else the repository's)."""
    import configparser
    for cfg in (folder / "luigi.cfg", REPO / "luigi.cfg"):
        c = configparser.ConfigParser()
        c.read(cfg)
        if c.has_option("pair:SYNTHETIC", "n_shards"):
            return c.getint("pair:SYNTHETIC", "n_shards")
    return 4


def measure(size: str, work: Path, settings: dict) -> dict:
    folder = work / size
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "luigi.cfg").write_text(f"[MakeSyntheticData]\nsize = {size}\n[pair:SYNTHETIC]\n"
                                      + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    rows = {}
    for stage in CHAIN:
        runs = [run_stage(folder, [stage, "--pair", "SYNTHETIC", *(["--shard", str(i)] if stage in SHARDED else [])])
                for i in range(n_shards(folder) if stage in SHARDED else 1)]
        rows[stage] = dict(seconds=round(sum(s for s, _ in runs), 2), rss_mib=round(max(r for _, r in runs), 1))
        rows[stage]["processes"] = len(runs)
        print(f"  {size:8s} {stage:22s} {rows[stage]['seconds']:8.1f} s  {rows[stage]['rss_mib']:8.0f} MiB", flush=True)
    seconds, _ = run_stage(folder, [CHAIN[-1], "--pair", "SYNTHETIC"])      # done already: start-up only
    rows["start-up"] = dict(seconds=round(seconds, 2), rss_mib=0, processes=1)
    print(f"  {size:8s} {'start-up (no-op rerun)':22s} {seconds:8.1f} s", flush=True)
    return rows


def table(results: dict) -> str:
    sizes = list(results)
    first, last = sizes[0], sizes[-1]
    head = ["stage", *(f"{s} s" for s in sizes), *(f"{s} MiB" for s in sizes)]
    if len(sizes) > 1:
        head += [f"time {last}/{first}", f"work {last}/{first}", f"RSS {last}/{first}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def work(size, stage):
        r = results[size][stage]
        return max(r["seconds"] - r["processes"] * results[size]["start-up"]["seconds"], 1e-9)
    for stage in CHAIN:
        r = [results[s][stage] for s in sizes]
        cells = [stage, *(f"{x['seconds']:.1f}" for x in r), *(f"{x['rss_mib']:.0f}" for x in r)]
        if len(sizes) > 1:
            cells += [f"{r[-1]['seconds'] / max(r[0]['seconds'], 1e-9):.2f}", f"{work(last, stage) / work(first, stage):.2f}",
                      f"{r[-1]['rss_mib'] / r[0]['rss_mib']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("| start-up (no-op rerun) | " + " | ".join(f"{results[s]['start-up']['seconds']:.1f}" for s in sizes)
                 + " |" + " |" * (len(sizes) + (3 if len(sizes) > 1 else 0)))
    total = [sum(results[s][st]["seconds"] for st in CHAIN) for s in sizes]
    peak = [max(results[s][st]["rss_mib"] for st in CHAIN) for s in sizes]
    cells = ["whole chain (time: sum, RSS: max)", *(f"{t:.1f}" for t in total), *(f"{p:.0f}" for p in peak)]
    if len(sizes) > 1:
        w = [sum(work(s, st) for st in CHAIN) for s in sizes]
        cells += [f"{total[-1] / total[0]:.2f}", f"{w[-1] / w[0]:.2f}", f"{peak[-1] / peak[0]:.2f}"]
    return "\n".join(lines + ["| " + " | ".join(cells) + " |"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["default", "x2", "x4"], help="SYNTHETIC sizes, smallest first")
    ap.add_argument("--image-size", type=int, default=224, help="[pair:SYNTHETIC] image_size (S)")
    ap.add_argument("--epochs", type=int, default=1, help="[pair:SYNTHETIC] epochs")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="more [pair:SYNTHETIC] settings")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_scale"), help="a folder per size is made in it")
    ap.add_argument("--out", type=Path, default=None, help="where scale.json and scale.md go (default: --work)")
    args = ap.parse_args(argv)
    settings = dict(image_size=args.image_size, epochs=args.epochs, **dict(kv.split("=", 1) for kv in args.set))
    results = {size: measure(size, args.work, settings) for size in args.sizes}
    out = args.out or args.work
    out.mkdir(parents=True, exist_ok=True)
    md = table(results)
    (out / "scale.json").write_text(json.dumps(dict(settings=settings, results=results), indent=1))
    (out / "scale.md").write_text(f"settings: {settings}\n\n{md}\n")
    print(f"\nsettings: {settings}\n\n{md}")


if __name__ == "__main__":
    main()
