"""Bad input fails once: a task whose run() raised a DataError is disabled at its first failure.

Luigi has no "don't retry this exception", so the task tells the scheduler its retry policy (retry_count = 1)
before the worker reports the failure (tasks/luigi_compat.py); other failures follow `[scheduler] retry_count`
(conf/cluster.cfg).
"""
import functools
import os
import socket

from luigi.task import flatten

from pipeline.errors import DataError

from . import luigi_compat
from .targets import AtomicTarget, check_writable


class RetryPolicy(luigi_compat.BadInputRetryPolicy):
    """Mixed into ArtifactTask: the per-task retry policy (1 after bad input), and run() wrapped by `_run_wrapper`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "run" in cls.__dict__:
            cls.run = _run_wrapper(cls.__dict__["run"])

    def on_failure(self, exception):
        if isinstance(exception, DataError):
            self.no_retry()
            return f"{exception}\n(bad input: not retried; fix it and run again)"
        return super().on_failure(exception)


def _run_wrapper(run):
    """run(), reporting 0 % and 100 % to the scheduler, and a DataError disables the task at its first failure; an
    output folder that cannot be written (tasks/targets.py, `check_writable`) is such a DataError, before run() starts.
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
            self.no_retry()      # told to the scheduler now, while run() holds the worker's status reporter
            raise
    return wrapper
