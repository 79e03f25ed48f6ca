"""Start-up cost of the luigi command: a no-op rerun of a finished run, `--help`, and `import tasks`.

    python benchmarks/bench_startup.py RUN_DIR                       # RUN_DIR: where a finished run was started
    python benchmarks/bench_startup.py RUN_DIR --vs /work/main       # the same commands with another checkout's code
    python benchmarks/bench_startup.py RUN_DIR -- --n-shards 2       # flags the finished run was started with

RUN_DIR is the folder `luigi --module tasks RunExperiment --pair SYNTHETIC` ran in (its artifacts/ and luigi.cfg),
e.g. one made with tests/helpers/luigi_process.TINY_CFG. Each command runs as a user runs it, a fresh `luigi`
process with PYTHONPATH at this checkout (or at the --vs one), `--repeats` times, interleaved, after one warm-up
(page cache); the wall times' median, min and max are printed. The no-op must find everything done: a run that
starts a stage is refused (its time would not be start-up).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LUIGI = str(Path(sys.executable).with_name("luigi"))


def commands(pair, extra):
    return {"no-op rerun": [LUIGI, "--module", "tasks", "RunExperiment", "--pair", pair, *extra],
            "--help": [LUIGI, "--module", "tasks", "RunExperiment", "--help"],
            "import tasks": [sys.executable, "-c", "import tasks"]}


def timed(cmd, cwd, repo):
    env = dict(os.environ, PYTHONPATH=str(repo))
    env.pop("LUIGI_CONFIG_PATH", None)
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd[1:])} (code of {repo}) failed with {r.returncode}:\n{r.stderr[-2000:]}")
    if "RunExperiment" in cmd and "--help" not in cmd and "Did not run any tasks" not in r.stderr:
        sys.exit(f"{cwd}: the rerun ran a stage, so it is not a no-op; give a folder where this exact command "
                 f"finished (and the flags it was started with after --).")
    return wall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", type=Path, help="folder in which a finished RunExperiment was started")
    ap.add_argument("extra", nargs="*", help="flags the run was started with (after --)")
    ap.add_argument("--pair", default="SYNTHETIC")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--vs", type=Path, help="another checkout, timed with the same commands in the same rounds")
    args = ap.parse_args(argv)
    repos = {"this": REPO, **({"vs": args.vs.resolve()} if args.vs else {})}
    cmds = commands(args.pair, args.extra)
    times = {(who, name): [] for who in repos for name in cmds}
    for round_ in range(args.repeats + 1):                  # round 0: warm-up, not counted
        for name, cmd in cmds.items():
            for who, repo in repos.items():
                t = timed(cmd, args.run_dir, repo)
                if round_:
                    times[who, name].append(t)
    print(f"{args.run_dir}: median of {args.repeats} (min–max), wall seconds, {os.cpu_count()} CPUs; "
          + ", ".join(f"{who} = {repo}" for who, repo in repos.items()))
    for name in cmds:
        row = [f"{name:<14}"]
        for who in repos:
            ts = times[who, name]
            row.append(f"{who}: {statistics.median(ts):6.2f} s ({min(ts):.2f}–{max(ts):.2f})")
        print("  " + "   ".join(row))


if __name__ == "__main__":
    main()
