"""ArtifactTask: hashed output paths, atomic writes and provenance for every stage.

Safe to kill, safe to run twice at once (README, "Running on several machines"):
- every output is an `AtomicTarget`: written under a temporary name unique to this host and process
  (`<path>-luigi-tmp-<host>-<pid>-<random>`) and renamed onto `<path>` only when complete. If another
  process finished the same output first, ours is discarded and theirs kept, so a second writer never
  fails and never replaces a file that a reader may hold open. Files and folders alike.
- a task's stale temporaries (same host, writer process dead: a killed run) are removed when the task
  starts again; `complete()` looks only at final paths, so a temporary is never taken for an output.
- every task runs with torch/numpy seeded from its `seed` parameter, so its result does not depend on
  which worker process ran which task before it.
- a task that fails on bad input (DataError) is never retried; other failures follow the scheduler's
  retry policy (`[scheduler] retry_count`, `retry_delay`; conf/cluster.cfg).
- a task with `resources = {"gpu": 1}` that runs on CUDA also takes a lock file of its GPU on its machine
  while it runs, so at most one such task uses a GPU even when luigid counts `gpu` over several machines.
"""
import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import re
import secrets
import shutil
import socket
import tempfile
from pathlib import Path

import luigi
import numpy as np
import torch
from luigi.scheduler import RUNNING
from luigi.task import flatten

from pipeline import provenance
from pipeline.errors import DataError
from pipeline.pairs import PAIRS, get_pair

from . import cli_logging, config

log = logging.getLogger("luigi-interface")

TMP_MARK = "-luigi-tmp-"
_TMP_RE = re.compile(re.escape(TMP_MARK) + r"(?P<host>.+)-(?P<pid>\d+)-(?P<rand>[0-9a-f]{8,})$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # exists, owned by someone else
        return True
    return True


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


class AtomicTarget(luigi.LocalTarget):
    """A LocalTarget (file or folder) whose `temporary_path()` commits atomically and never clobbers.

    `with target.temporary_path() as tmp:` yields a fresh path next to the target; write a file or a
    folder there. On success it is renamed onto the target; if the target appeared meanwhile (another
    process wrote the same output), ours is discarded. On an exception ours is removed.
    """

    def temporary_path(self):
        return self._atomic()

    def tmp_name(self) -> str:
        return f"{self.path.rstrip('/')}{TMP_MARK}{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(5)}"

    @contextlib.contextmanager
    def _atomic(self):
        final = self.path.rstrip("/")
        os.makedirs(os.path.dirname(final) or ".", exist_ok=True)
        tmp = self.tmp_name()
        while os.path.lexists(tmp):            # unique per host, process and call: never shared by two writers
            tmp = self.tmp_name()
        try:
            yield tmp
        except BaseException:
            _remove(tmp)
            raise
        if not os.path.exists(tmp):
            raise FileNotFoundError(f"{tmp}: nothing was written for {final}")
        self.commit(tmp, final)

    @staticmethod
    def commit(tmp: str, final: str) -> bool:
        """Rename `tmp` onto `final` unless `final` exists already (then discard `tmp`). True if ours won."""
        if os.path.isdir(tmp):
            try:
                os.rename(tmp, final)      # atomic; fails if `final` is a non-empty folder (someone else won)
                return True
            except OSError as e:
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not os.path.exists(final):
                    raise
        else:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)               # a machine crash, not only a killed process, leaves no half file
            finally:
                os.close(fd)
            try:
                os.link(tmp, final)        # atomic and never replaces: first writer wins
                os.remove(tmp)
                return True
            except FileExistsError:
                pass
            except OSError:                # a file system without hard links: rename, unless someone won
                if not os.path.exists(final):
                    os.replace(tmp, final)
                    return True
        log.info("%s was completed meanwhile by another process; discarding this one's copy", final)
        _remove(tmp)
        return False

    def stale_temporaries(self):
        """Temporaries of this target left by dead processes of this host (a killed run)."""
        final = Path(self.path.rstrip("/"))
        if not final.parent.is_dir():
            return []
        host, out = socket.gethostname(), []
        for p in final.parent.glob(glob_escape(final.name) + TMP_MARK + "*"):
            m = _TMP_RE.search(p.name)
            if m and p.name[:m.start()] == final.name and m["host"] == host and not _pid_alive(int(m["pid"])):
                out.append(p)
        return out


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


class PairParameter(luigi.Parameter):
    """A pair name from pipeline.pairs.PAIRS; an unknown name fails before anything runs."""

    def normalize(self, x):
        get_pair(x)          # raises DataError naming the known pairs
        return x


class ArtifactTask(luigi.Task):
    """A stage whose outputs live in `artifacts/<pair>/<Task>-<digest>/`.

    The digest hashes the task's significant parameters and the paths of its inputs (which hold the
    upstream digests), so a change anywhere upstream moves every downstream output, and an unchanged
    stage is found complete and never recomputed.
    """
    pair = PairParameter(description=f"image→video pair: one of {', '.join(PAIRS)}")
    digest_excludes = ()        # parameters that name a part of one output folder (e.g. "shard")
    max_failures = None         # failures before the scheduler disables the task; None: [scheduler] retry_count

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by the process that runs the task (a fork of the worker when --workers > 1), read by the
        # worker when it reports the failure: shared memory, made before the fork.
        self._bad_input = multiprocessing.RawValue("b", 0)

    def __getstate__(self):                 # shared memory is passed on by fork, not by pickle
        state = dict(self.__dict__)
        state["_bad_input"] = state["_bad_input"].value
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._bad_input = multiprocessing.RawValue("b", state["_bad_input"])

    @classmethod
    def get_param_values(cls, params, args, kwargs):
        values = dict(super().get_param_values(params, args, kwargs))
        explicit = set(kwargs) | {n for (n, p), _ in zip([q for q in params if q[1].positional], args)}
        values = config.resolve(cls, params, values, explicit)
        return [(name, values[name]) for name, _ in params]

    def digest(self) -> str:
        params = {k: v for k, v in self.to_str_params(only_significant=True).items() if k not in self.digest_excludes}
        upstream = sorted(t.path for t in flatten(self.input()))
        key = json.dumps([self.get_task_family(), params, upstream], sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()[:12]

    def folder(self) -> Path:
        return Path(config.paths().artifacts) / self.pair / f"{self.get_task_family()}-{self.digest()}"

    def artifact(self, filename: str) -> AtomicTarget:
        """A file (or folder) in the task's folder, written with `with self.output().temporary_path() as tmp:`."""
        return AtomicTarget(str(self.folder() / filename))

    def folder_target(self) -> AtomicTarget:
        """The task's folder itself as one atomic output (write a folder at the temporary path)."""
        return AtomicTarget(str(self.folder()))

    def provenance(self, **extra) -> dict:
        """What made an artifact: stored as HDF5 attrs / JSON next to the data."""
        return dict(task_id=self.task_id, task=self.get_task_family(), params=self.to_str_params(only_significant=True),
                    inputs=sorted(t.path for t in flatten(self.input())), code_version=provenance.code_version(),
                    created_utc=provenance.utc_now(), **extra)

    def progress(self, fraction: float, message: str) -> None:
        """Progress in the luigid visualiser (percentage, status message), the run log and a terminal bar."""
        if self.set_progress_percentage is not None:          # None outside a worker's run()
            self.set_progress_percentage(round(100 * fraction, 1))
            self.set_status_message(message)
        cli_logging.report_progress(self.display_name(), fraction, message)

    def display_name(self) -> str:
        """Short name for the terminal: the task family, plus the values that name a part (shard)."""
        parts = [f"{k}={getattr(self, k)}" for k in self.digest_excludes]
        return f"{self.get_task_family()}({', '.join([self.pair, *parts])})"

    # ---- retries: bad input fails once ------------------------------------------------------------
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "run" in cls.__dict__:
            cls.run = _run_wrapper(cls.__dict__["run"])

    @property
    def retry_count(self):
        """Luigi's per-task retry policy: failures before the scheduler disables the task."""
        return 1 if self._bad_input.value else self.max_failures

    def on_failure(self, exception):
        if isinstance(exception, DataError):
            self._bad_input.value = 1
            return f"{exception}\n(bad input: not retried; fix it and run again)"
        return super().on_failure(exception)

    @property
    def pair_spec(self):
        return get_pair(self.pair)


def _run_wrapper(run):
    """run(), reporting 0 % and 100 % to the scheduler, and a DataError disables the task at its first failure.

    The scheduler applies a retry policy it receives with a status *after* counting that status, so the
    policy "retry_count = 1" must reach it before the worker reports FAILED: told here, while run() still
    holds the worker's status reporter (the object behind set_status_message; Luigi sends tracking URLs
    the same way). The worker's own report then carries retry_count = 1 as well (the `retry_count` property).
    """
    @functools.wraps(run)
    def wrapper(self, *args, **kwargs):
        reporting = callable(self.set_progress_percentage) and callable(self.set_status_message)
        if reporting:        # every task shows in the visualiser where it runs, even one without progress of its own
            self.set_progress_percentage(0)
            self.set_status_message(f"started on {socket.gethostname()}, pid {os.getpid()}")
        try:
            result = run(self, *args, **kwargs)
            if reporting:
                self.set_progress_percentage(100)
            return result
        except DataError:
            self._bad_input.value = 1
            reporter = getattr(self.set_status_message, "__self__", None)
            scheduler, worker = getattr(reporter, "_scheduler", None), getattr(reporter, "_worker_id", None)
            if scheduler is not None and worker is not None:
                try:
                    scheduler.add_task(task_id=self.task_id, worker=worker, status=RUNNING,
                                       resources=self.process_resources(), retry_policy_dict=dict(retry_count=1))
                except Exception as e:      # the worker's report still disables it, one retry later
                    log.warning("could not tell the scheduler not to retry %s: %s", self, e)
            raise
    return wrapper


# ---- what happens around every run (in the process that runs the task) ------------------------------

_gpu_lock_fd = None
LOCK_DIR = None                    # None: tempfile.gettempdir(), shared by every process of the machine


def gpu_lock_path(task):
    """The lock file of the GPU that `task` will use, or None (no GPU resource, or a CPU run)."""
    if "gpu" not in (getattr(task, "resources", None) or {}):
        return None
    name = str(getattr(task, "device", "auto"))
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if not name.startswith("cuda"):
        return None
    index = name.partition(":")[2] or "0"
    return os.path.join(LOCK_DIR or tempfile.gettempdir(), f"divafn-gpu-cuda{index}.lock")


@ArtifactTask.event_handler(luigi.Event.DEPENDENCY_DISCOVERED)
@ArtifactTask.event_handler(luigi.Event.DEPENDENCY_MISSING)
@ArtifactTask.event_handler(luigi.Event.DEPENDENCY_PRESENT)
def _open_run_log_while_scheduling(task, *dep):
    """In the worker's own process, before it forks: the forked task processes inherit the file."""
    cli_logging.open_run_log(Path(config.paths().artifacts) / task.pair / "logs")


@ArtifactTask.event_handler(luigi.Event.START)
def _before_run(task):
    global _gpu_lock_fd
    cli_logging.open_run_log(Path(config.paths().artifacts) / task.pair / "logs")
    for target in flatten(task.output()):
        if isinstance(target, AtomicTarget):
            for p in target.stale_temporaries():
                log.info("removing %s: a temporary left by a killed run", p)
                _remove(str(p))
    seed = int(getattr(task, "seed", 0) or 0)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    lock = gpu_lock_path(task)
    if lock and _gpu_lock_fd is None:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s: waiting for this machine's GPU (%s is held by another task)", task, lock)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _gpu_lock_fd = fd


@ArtifactTask.event_handler(luigi.Event.SUCCESS)
@ArtifactTask.event_handler(luigi.Event.FAILURE)
def _after_run(task, *exc):
    global _gpu_lock_fd
    if not exc:
        cli_logging.commit_run_logs()
    cli_logging.end_progress(task.display_name())
    if _gpu_lock_fd is not None:
        os.close(_gpu_lock_fd)            # releases the flock
        _gpu_lock_fd = None
