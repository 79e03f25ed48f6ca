"""What happens around every run of a stage, in the process that runs it: the run log, a killed run's
temporaries removed, torch/numpy seeded from the task's `seed` (so a result does not depend on which worker
process ran which task before it), and the GPU lock of a task with `resources = {"gpu": 1}` on CUDA (so at most
one such task uses a GPU even when luigid counts `gpu` over several machines). A task process forked for
`--workers N` leaves Ctrl-C to the worker process, which stops it and says what was kept (cli_logging.interrupted).
Luigi's Task.trigger_event returns quietly when a callback raises KeyboardInterrupt and lets the run go on, so a
Ctrl-C that lands in one of these callbacks is kept and raised from the stage's run() instead (`keep_ctrl_c`).

Nothing heavy is imported here or by `import tasks`: each stage imports its libraries in run(), so a no-op rerun
and `--help` start at once. When tasks will run in forked processes (`--workers N`), the worker imports them
(RUN_MODULES) once before it forks, so that each task process does not import them again.
"""
import fcntl
import importlib
import logging
import multiprocessing
import os
import signal
import tempfile
from pathlib import Path

import luigi
from luigi.task import flatten

from . import cli_logging, config, progress
from .base import ArtifactTask
from .luigi_compat import keep_ctrl_c
from .targets import AtomicTarget, remove

log = logging.getLogger("luigi-interface")


_gpu_lock_fd = None
_preloaded = False                 # RUN_MODULES imported by this worker, before forking its task processes
LOCK_DIR = None                    # None: tempfile.gettempdir(), shared by every process of the machine

# The pipeline modules the stages' run() import, which import torch, scikit-learn, matplotlib... (seconds each;
# `import tasks` must not: tests/unit/tasks/test_startup.py).
RUN_MODULES = ("pipeline.io.h5io", "pipeline.io.assemble", "pipeline.method.checkpoint", "pipeline.method.pretrained",
               "pipeline.evaluation.methods", "pipeline.report", "pipeline.video.shards")


def gpu_lock_path(task):
    """The lock file of the GPU that `task` will use, or None (no GPU resource, or a CPU run)."""
    if "gpu" not in (getattr(task, "resources", None) or {}):
        return None
    name = str(getattr(task, "device", "auto"))
    if name == "auto":
        import torch
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if not name.startswith("cuda"):
        return None
    index = name.partition(":")[2] or "0"
    return os.path.join(LOCK_DIR or tempfile.gettempdir(), f"divafn-gpu-cuda{index}.lock")


@ArtifactTask.event_handler(luigi.Event.DEPENDENCY_DISCOVERED)
@ArtifactTask.event_handler(luigi.Event.DEPENDENCY_MISSING)
@ArtifactTask.event_handler(luigi.Event.DEPENDENCY_PRESENT)
@keep_ctrl_c
def _open_run_log_while_scheduling(task, *dep):
    """In the worker's own process, before it forks: the forked task processes inherit the file."""
    cli_logging.open_run_log(Path(config.paths().artifacts) / task.pair_name / "logs")


@ArtifactTask.event_handler(luigi.Event.DEPENDENCY_DISCOVERED)
@keep_ctrl_c
def _import_heavy_before_forking(task, dep):
    """A task found incomplete (it has requirements to run first) will run: with `--workers N` in a task process
    forked from this one, which then finds RUN_MODULES imported (as `import tasks` once did) instead of importing
    them."""
    global _preloaded
    if not _preloaded and cli_logging.forks_task_processes():
        for name in RUN_MODULES:
            importlib.import_module(name)
        _preloaded = True


@ArtifactTask.event_handler(luigi.Event.START)
@keep_ctrl_c
def _before_run(task):
    global _gpu_lock_fd
    if multiprocessing.parent_process() is not None:   # forked by the worker: its Ctrl-C stops this process
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # (a traceback here would only repeat the worker's line)
    cli_logging.open_run_log(Path(config.paths().artifacts) / task.pair_name / "logs")
    for path in task.stale_outputs():
        log.info("removing %s: older than the inputs it was made from", path)
        remove(path)
    for target in flatten(task.output()):
        if isinstance(target, AtomicTarget):
            for p in target.stale_temporaries():
                log.info("removing %s: a temporary left by a killed run", p)
                remove(str(p))
    import numpy as np
    import torch
    seed = int(getattr(task, "seed", 0) or 0)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    lock = gpu_lock_path(task)
    if lock and _gpu_lock_fd is None:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as e:
            log.warning("%s: cannot create the GPU lock %s (%s), so it runs without it; set TMPDIR to a folder "
                        "you can write to", task, lock, e.strerror or e)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s: waiting for this machine's GPU (%s is held by another task)", task, lock)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _gpu_lock_fd = fd


@ArtifactTask.event_handler(luigi.Event.SUCCESS)
@ArtifactTask.event_handler(luigi.Event.FAILURE)
@keep_ctrl_c
def _after_run(task, *exc):
    global _gpu_lock_fd
    if not exc:
        cli_logging.commit_run_logs()
    progress.end_progress(task.display_name())
    if _gpu_lock_fd is not None:
        os.close(_gpu_lock_fd)            # releases the flock
        _gpu_lock_fd = None
