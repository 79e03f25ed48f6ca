"""`python3 -m benchmarks.device.probe ARGS…` = `luigi ARGS…`, with what the device check needs to see from inside
the stage processes written as JSON lines to the file $DIVAFN_PROBE. Nothing in tasks/ or pipeline/ changes: the
probe wraps three functions and adds Luigi event handlers before Luigi starts, so the forked task processes of
`--workers N` inherit them. What it records:

- every task's start and end (`task`): wall times, the process's peak RSS (its own and that of the children it
  waited for, e.g. MakeSyntheticData's writers) and, where the process used CUDA, torch.cuda's peak memory;
- `tasks.hooks.gpu_lock_path` (`gpu_lock`): the lock file each task was given. With DIVAFN_PROBE_FORCE_LOCK=1 (the
  CPU check) a GPU task is given cuda:0's file as on a GPU, so that the lock is taken and released here too;
- `pipeline.method.train.train` (`train`): the dtype and device of the output of f's first layer in training and in
  evaluation mode (bfloat16 under the CUDA path's autocast, float32 without), whether the GPU lock is held while
  training (a second, shared flock on the file is refused while the task holds it), each image-side step's wall
  time and the part of it spent reading the batch (pipeline.io.rows.Rows.__getitem__: HDF5 read and pinning, while
  the GPU has nothing queued: the step's `X[b.cpu()]` waits for the GPU first), torch.cuda's peak memory, and a
  torch.profiler window of a few steps (DIVAFN_PROBE_PROFILE=steps, 0: none): the GPU's busy time in it;
- `pipeline.method.features.dump` (`dump`): its device, wall time, read time and peak GPU memory.
"""
import fcntl
import json
import os
import resource
import sys
import time

PATH = os.environ.get("DIVAFN_PROBE")
FORCE_LOCK = os.environ.get("DIVAFN_PROBE_FORCE_LOCK") == "1"
PROFILE_STEPS = int(os.environ.get("DIVAFN_PROBE_PROFILE", "5"))

_reads = [0.0, 0]               # seconds in Rows.__getitem__, items read (this process)
_lock = {"path": None}          # the lock file this process's last GPU task was given


def record(kind: str, **fields) -> None:
    """One JSON line (one write, O_APPEND: lines of concurrent processes do not mix)."""
    if not PATH:
        return
    line = json.dumps(dict(kind=kind, pid=os.getpid(), t=time.time(), **fields), default=str) + "\n"
    fd = os.open(PATH, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def lock_held(path) -> bool:
    """Whether some process holds an exclusive flock on `path` (a shared flock on a new descriptor is refused)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)          # closing drops the shared lock if it was granted
    return False


def _cuda_memory() -> dict:
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_initialized():
        return {}
    return dict(cuda_max_allocated_mib=round(torch.cuda.max_memory_allocated() / 2**20, 1),
                cuda_max_reserved_mib=round(torch.cuda.max_memory_reserved() / 2**20, 1))


def _rss() -> dict:
    own, children = (resource.getrusage(w).ru_maxrss / 1024 for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return dict(rss_mib=round(own, 1), children_rss_mib=round(children, 1))


def _install_task_events():
    import luigi

    @luigi.Task.event_handler(luigi.Event.START)
    def _start(task):
        record("task", event="start", family=task.get_task_family(), task_id=task.task_id)

    @luigi.Task.event_handler(luigi.Event.SUCCESS)
    def _success(task):
        record("task", event="end", family=task.get_task_family(), task_id=task.task_id, ok=True, **_rss(),
               **_cuda_memory())

    @luigi.Task.event_handler(luigi.Event.FAILURE)
    def _failure(task, exc):
        record("task", event="end", family=task.get_task_family(), task_id=task.task_id, ok=False,
               error=f"{type(exc).__name__}: {exc}"[:300], **_rss(), **_cuda_memory())


def _install_gpu_lock():
    from tasks import hooks
    original = hooks.gpu_lock_path

    def gpu_lock_path(task):
        path = original(task)
        forced = path is None and FORCE_LOCK and "gpu" in (getattr(task, "resources", None) or {})
        if forced:           # as on cuda:0 (hooks.gpu_lock_path's own rule)
            import tempfile
            path = os.path.join(hooks.LOCK_DIR or tempfile.gettempdir(), "divafn-gpu-cuda0.lock")
        _lock["path"] = path
        record("gpu_lock", family=task.get_task_family(), path=path, forced=forced)
        return path
    hooks.gpu_lock_path = gpu_lock_path


def _install_reads():
    from pipeline.io import rows
    original = rows.Rows.__getitem__

    def __getitem__(self, index):
        t0 = time.perf_counter()
        out = original(self, index)
        _reads[0] += time.perf_counter() - t0
        _reads[1] += len(out)
        return out
    rows.Rows.__getitem__ = __getitem__


def _first_layer(net):
    from torch import nn
    return next((m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))), None)


def _watch_dtypes(net, seen: dict):
    """A forward hook on net's first layer counting (mode, output dtype, weight device) of every call."""
    layer = _first_layer(net)

    def hook(module, inputs, output):
        mode = "train" if module.training else "eval"
        key = f"{mode} {str(output.dtype).removeprefix('torch.')} {module.weight.device}"
        seen[key] = seen.get(key, 0) + 1
    return layer.register_forward_hook(hook)


class _Steps:
    """The progress callback's wrapper: each image-side step's wall time and read time, and the profiler window."""

    def __init__(self, progress, device, profile_steps: int, image_steps: int):
        # the window: image-side steps 2 … 1 + n of the first epoch (its first step warms the buffers up)
        self.progress, self.device, self.profile_steps = progress, device, min(profile_steps, image_steps - 1)
        self.last, self.reads_at_last = time.perf_counter(), _reads[0]
        self.image, self.video, self.epoch_step = [], [], {}
        self.profiler = None
        self.window = None if self.profile_steps > 0 else dict(skipped=f"{image_steps} image-side step(s) per epoch"
                                                                 if profile_steps > 0 else "DIVAFN_PROBE_PROFILE=0")

    def __call__(self, frac, msg):
        self._sync()
        now, reads = time.perf_counter(), _reads[0]
        epoch, side = msg.split(":")[0], msg.rsplit(" ", 2)[-2]          # "epoch 3/10", "image" | "video"
        step = self.epoch_step[(epoch, side)] = self.epoch_step.get((epoch, side), 0) + 1
        profiled = self.profiler is not None and not {"wall_s", "error"} & set(self.window)
        (self.image if side == "image" else self.video).append(
            dict(epoch=epoch, step=step, seconds=now - self.last, read_s=reads - self.reads_at_last, profiled=profiled))
        self._profile(epoch, side, step)
        self.last, self.reads_at_last = time.perf_counter(), _reads[0]
        return self.progress(frac, msg)

    def _sync(self):
        if self.device.type == "cuda":
            import torch
            torch.cuda.synchronize(self.device)

    def _profile(self, epoch, side, step):
        if (self.profile_steps <= 0 or side != "image" or not epoch.startswith("epoch 1/")
                or "error" in (self.window or {})):
            return
        try:
            if step == 1 and self.profiler is None:
                import torch
                acts = [torch.profiler.ProfilerActivity.CPU]
                if self.device.type == "cuda":
                    acts.append(torch.profiler.ProfilerActivity.CUDA)
                self.profiler = torch.profiler.profile(activities=acts)
                self.profiler.start()
                self.window = dict(first_step=2, steps=0, t0=time.perf_counter(), reads0=_reads[0])
            elif self.window is not None and "wall_s" not in self.window:
                self.window["steps"] = step - 1
                if self.window["steps"] >= self.profile_steps:
                    self._close_window()
        except Exception as e:        # a profiler that fails must not fail the stage: say so
            self.window = dict(error=f"{type(e).__name__}: {e}"[:300])

    def _close_window(self):
        w = self.window
        w["wall_s"] = time.perf_counter() - w.pop("t0")
        w["read_s"] = _reads[0] - w.pop("reads0")
        self.profiler.stop()
        t0 = time.perf_counter()
        events = self.profiler.key_averages()

        def self_time(e, kind):
            for name in (f"self_{kind}_time_total",) + (("self_cuda_time_total",) if kind == "device" else ()):
                if hasattr(e, name):
                    return getattr(e, name) or 0.0
            return 0.0

        def on_device(e):     # a kernel or copy (as torch's own table sums "Self CUDA"), not the CPU op behind it
            return getattr(getattr(e, "device_type", None), "name", "CPU") != "CPU"
        kind = "device" if self.device.type == "cuda" else "cpu"
        mine = [e for e in events if on_device(e) == (kind == "device")]
        busy = sum(self_time(e, "device") for e in mine) / 1e6 if kind == "device" else None
        top = sorted(mine, key=lambda e: self_time(e, kind), reverse=True)[:8]
        w.update(device_busy_s=busy, top_ops=[dict(name=e.key[:100], self_s=round(self_time(e, kind) / 1e6, 4),
                                                   calls=e.count) for e in top],
                 top_by=f"self {kind} time", summarise_s=time.perf_counter() - t0)

    def summary(self):
        """Image-side steps after the first of each epoch (its time holds the epoch's closed-form W-step), outside
        the profiler's window where there are such (the profiler slows the steps it records)."""
        steady = [s for s in self.image if s["step"] > 1]
        unprofiled = [s for s in steady if not s["profiled"]]
        out = dict(image_steps=len(self.image), video_steps=len(self.video),
                   steady_image_steps=len(unprofiled or steady), steady_steps_profiled=not unprofiled and bool(steady))
        steady = unprofiled or steady
        if steady:
            total, read = sum(s["seconds"] for s in steady), sum(s["read_s"] for s in steady)
            out.update(image_step_mean_s=total / len(steady), image_read_mean_s=read / len(steady),
                       read_share=read / total if total else None)
        if self.video:
            out["video_step_mean_s"] = sum(s["seconds"] for s in self.video) / len(self.video)
        out["profile"] = self.window
        return out


def _install_train():
    from pipeline.method import features, train
    original_train, original_dump = train.train, features.dump

    def traced_train(model, data, cfg, device=None, progress=lambda frac, msg: None, pretrained=False):
        import torch
        device = torch.device("cpu") if device is None else device
        seen_f, seen_g = {}, {}
        hooks = [_watch_dtypes(model.f, seen_f), _watch_dtypes(model.g, seen_g)]
        steps = _Steps(progress, device, PROFILE_STEPS, -(-(len(data.X) + len(data.K)) // cfg.batch_size))
        lock = _lock["path"]
        held = lock_held(lock) if lock and os.path.exists(lock) else None
        t0 = time.perf_counter()
        try:
            history = original_train(model, data, cfg, device, progress=steps, pretrained=pretrained)
        finally:
            for h in hooks:
                h.remove()
        record("train", device=str(device), seconds=time.perf_counter() - t0, f_first_layer=seen_f,
               g_first_layer=seen_g, parameters_on=sorted({str(p.device) for p in model.parameters()}),
               lock_path=lock, lock_held_while_training=held, epochs=[h["seconds"] for h in history],
               stills=len(data.X) + len(data.K), videos=len(data.Y), batch_size=cfg.batch_size,
               steps=steps.summary(), **_cuda_memory())
        return history

    def traced_dump(model, images, keyframes, video_features, device, batch: int = 256):
        t0, reads = time.perf_counter(), _reads[0]
        out = original_dump(model, images, keyframes, video_features, device, batch)
        record("dump", device=str(device), seconds=time.perf_counter() - t0, read_s=_reads[0] - reads,
               parameters_on=sorted({str(p.device) for p in model.parameters()}), **_cuda_memory())
        return out
    train.train, features.dump = traced_train, traced_dump


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    sys.argv = ["luigi", *args]            # as the luigi command: tasks/ reads argv[0] (the last line, Ctrl-C)
    _install_task_events()
    _install_gpu_lock()
    _install_reads()
    _install_train()
    from luigi.cmdline import luigi_run
    luigi_run(args)


if __name__ == "__main__":
    main()
