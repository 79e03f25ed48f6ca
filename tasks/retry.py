"""Bad input fails once: a task whose run() raised a DataError is disabled at its first failure.

Luigi has no "don't retry this exception", so the task tells the scheduler its retry policy (retry_count = 1)
before the worker reports the failure; other failures follow `[scheduler] retry_count` (conf/cluster.cfg).
"""
import functools
import logging
import multiprocessing
import os
import socket

from luigi.scheduler import RUNNING
from luigi.task import flatten

from pipeline.errors import DataError

from .targets import AtomicTarget, check_writable

log = logging.getLogger("luigi-interface")


class RetryPolicy:
    """Mixed into ArtifactTask: the per-task retry policy, and run() wrapped by `_run_wrapper`."""
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


def _run_wrapper(run):
    """run(), reporting 0 % and 100 % to the scheduler, and a DataError disables the task at its first failure; an
    output folder that cannot be written (tasks/targets.py, `check_writable`) is such a DataError, before run() starts.

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
            for target in flatten(self.output()):    # an output folder that cannot be written: before any work
                if isinstance(target, AtomicTarget):
                    check_writable(os.path.dirname(target.path.rstrip("/")) or ".")
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
