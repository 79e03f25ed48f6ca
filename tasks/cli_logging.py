"""What a run shows: one-line bad-input errors, a log file per run, a progress bar in a terminal.

Luigi logs every failure with `logger.exception` on the "luigi-interface" logger, both for errors
while parsing the command line and for a task whose run() raised. For our DataError the message
already names the file and the fix, so the traceback only hides it; and on the terminal that line
ends the command's output, once (`MistakeLast`), instead of drowning in the scheduler's lines and
Luigi's execution summary (which the run log keeps).

Ctrl-C is one line too (`interrupted`): what was kept and that the same command resumes, instead of a
KeyboardInterrupt traceback; the exit status is Python's for an interrupt (killed by SIGINT: 130 in a shell).

Every invocation of `luigi --module tasks ...` also writes its whole log (scheduling, every task's
lines, progress every 10 %, the summary) to `artifacts/<pair>/logs/<UTC time>-<host>-<pid>.log`,
opened while the worker schedules the tasks, so that the processes it forks for `--workers N` write to
the same file. Long tasks draw a progress bar on stderr when it is a terminal (tasks/progress.py).
"""
import atexit
import datetime
import difflib
import logging
import multiprocessing
import os
import socket
import sys
from pathlib import Path

import luigi
import luigi.interface
import luigi.worker

from pipeline.errors import DataError

from . import config, luigi_compat, progress

RUN_ID = f"{datetime.datetime.now(datetime.timezone.utc):%Y%m%dT%H%M%SZ}-{socket.gethostname()}-{os.getpid()}"
PROGRESS_LOG = progress.PROGRESS_LOG
_run_logs: dict = {}                                     # logs folder → FileHandler


class OneLineDataErrors(logging.Filter):
    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, DataError):
            record.msg, record.args, record.exc_info, record.exc_text = str(exc), (), None, None
            record.user_mistake = True
        return True


class MistakeLast(logging.Filter):
    """On the terminal (a filter of the handler that writes there, not of the logger: the run log keeps every line):
    a user's mistake, a DataError's line, is held back and said once, as the command's last line (`say_held`, at
    exit), however many tasks failed on it; and Luigi's execution summary, which would end the output with "This
    progress looks :(", is left to the run log when every failure was such a mistake. A task process forked by
    `--workers N` sends its lines to the command's process through a queue made before the fork (`channel`; made
    only then: its lock starts multiprocessing's resource tracker, a process)."""

    def __init__(self):
        super().__init__()
        self.pid, self.channel = os.getpid(), None
        self.held: dict = {}                 # message → record, in the order first seen
        self.other_failure = False           # a failure that is not a user's mistake: Luigi's summary stays

    def filter(self, record):
        mistake = getattr(record, "user_mistake", False)
        failure = mistake or (record.levelno >= logging.ERROR and record.exc_info is not None)
        if os.getpid() != self.pid:          # a forked task process
            if failure and self.channel is not None:
                self.channel.put(record.getMessage() if mistake else None)
                return not mistake
            return True
        self.receive()
        if mistake:
            self.held.setdefault(record.getMessage(), record)
            return False
        self.other_failure |= failure
        return not (self.held and not self.other_failure and luigi_compat.is_execution_summary(record))

    def receive(self) -> None:
        while self.channel is not None and not self.channel.empty():
            message = self.channel.get()
            if message is None:
                self.other_failure = True
            else:
                self.held.setdefault(message, logging.makeLogRecord(
                    dict(name="luigi-interface", msg=message, levelno=logging.ERROR, levelname="ERROR")))


_mistake_last = None                   # the MistakeLast of the `luigi` command's terminal (install)


def watch_terminal() -> None:
    """Give MistakeLast to the handlers that write to the terminal (Luigi adds its own once it starts logging, before
    its worker forks any task process), and its queue when the worker will fork them."""
    for logger in (logging.getLogger("luigi-interface"), logging.getLogger()):
        for h in logger.handlers:
            terminal = getattr(h, "stream", None) in (sys.stderr, sys.stdout) and not isinstance(h, logging.FileHandler)
            if terminal and _mistake_last not in h.filters:
                h.addFilter(_mistake_last)
                if _mistake_last.channel is None and os.getpid() == _mistake_last.pid and forks_task_processes():
                    _mistake_last.channel = multiprocessing.SimpleQueue()


def forks_task_processes() -> bool:
    """Whether this command's worker runs each task in a forked process (`--workers N`, [worker] force_multiprocessing):
    Luigi's public config classes."""
    return luigi.interface.core().workers > 1 or luigi.worker.worker().force_multiprocessing


class WatchTerminal(logging.Filter):
    def filter(self, record):
        watch_terminal()
        return True


def say_held() -> None:
    """At exit of the `luigi` command: each mistake held back, once, as the last lines (an atexit function registered
    before the others of tasks/, so it runs after them)."""
    if _mistake_last is None or os.getpid() != _mistake_last.pid:
        return
    _mistake_last.receive()
    handlers = [h for lg in (logging.getLogger("luigi-interface"), logging.getLogger()) for h in lg.handlers
                if _mistake_last in h.filters]
    for record in _mistake_last.held.values():
        for h in handlers[:1]:
            h.emit(record)                   # emit(): past the filter that held it


class ToLuigi(logging.Handler):
    """Send the library's log records (logger "pipeline.*") to wherever Luigi sends its own."""

    def emit(self, record):
        logging.getLogger("luigi-interface").handle(record)


def _one_line_errors(parser, root_task) -> None:
    """Luigi's command-line parser, with a misspelled flag as one line that suggests the flag meant (argparse would
    print the whole usage, hundreds of lines) and no abbreviations (`--epoch` is an error, not `--epochs`)."""
    parser.allow_abbrev = False
    flags = [s for a in parser._actions for s in a.option_strings]

    def error(message):
        hint = ""
        if message.startswith("unrecognized arguments:"):
            wrong = [w for w in message.split(":", 1)[1].split() if w.startswith("--")]
            close = difflib.get_close_matches(wrong[0], flags, n=1) if wrong else []
            hint = f" (did you mean {close[0]}?)" if close else ""
        sys.stderr.write(f"luigi: error: {message}{hint}; `luigi --module tasks {root_task or '<Task>'} --help` "
                         f"lists its settings\n")
        sys.exit(2)
    parser.error = error


def interrupted() -> str:
    """The line Ctrl-C leaves: every finished stage's output is kept (outputs appear whole or not at all, so the
    stage that was running left none) and the same command resumes from there."""
    logs = [Path(h.baseFilename) for h in _run_logs.values() if os.path.exists(h.baseFilename)]
    if not logs:
        return ("interrupted before a stage of this run finished: nothing was left half-written (outputs appear "
                "whole or not at all); run the same command again to resume.")
    kept = ", ".join(f"{p.parent.parent}/" for p in logs)
    return (f"interrupted: the output of every stage that finished is kept in {kept}, and the stage that was running "
            f"left none (outputs appear whole or not at all); run the same command again to resume from there "
            f"(this run's log: {logs[0]}).")


def _excepthook(kind, value, tb):
    if issubclass(kind, KeyboardInterrupt):
        logging.getLogger("luigi-interface").error(interrupted())
    else:
        _excepthook.previous(kind, value, tb)


def install() -> None:
    global _mistake_last
    # a value the run task's flag cannot take (`--seed x`): a DataError naming the flag (tasks/config.py, `bad_value`)
    luigi_compat.install_parser_hooks(_one_line_errors, config.bad_value)
    logger = logging.getLogger("luigi-interface")
    if Path(sys.argv[0]).name.startswith("luigi") and sys.excepthook is not _excepthook:
        _excepthook.previous, sys.excepthook = sys.excepthook, _excepthook   # the luigi command: Ctrl-C is one line
        _mistake_last = MistakeLast()                                          # and a mistake its last line
        logger.addFilter(WatchTerminal())
        atexit.register(say_held)
    if not any(isinstance(f, OneLineDataErrors) for f in logger.filters):
        logger.addFilter(OneLineDataErrors())
    if not any(isinstance(f, progress.ClearBar) for f in logger.filters):
        logger.addFilter(progress.ClearBar())
    lib = logging.getLogger("pipeline")
    if not any(isinstance(h, ToLuigi) for h in lib.handlers):
        lib.addHandler(ToLuigi())
        lib.setLevel(logging.INFO)
        lib.propagate = False
    PROGRESS_LOG.setLevel(logging.INFO)
    PROGRESS_LOG.propagate = False


class DeferredFileHandler(logging.FileHandler):
    """A run log that holds its records in memory until the run has written something.

    It is written once a task of this process succeeds (`commit`) or once the file exists (another worker
    process of the same run committed it), so a run that stops on bad input before any stage completes
    leaves nothing under artifacts/: its one-line error is on the terminal. A forked worker process flushes
    only the records it made itself; the parent flushes its own.
    """

    def __init__(self, path):
        super().__init__(path, mode="a", encoding="utf-8", delay=True)
        self.pending, self.committed, self.unwritable = [], False, False

    def commit(self):
        if self.committed:
            return
        self.committed = True
        first = not os.path.exists(self.baseFilename)
        try:
            Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
            self.stream = self.stream or self._open()
        except OSError as e:               # the run goes on; its outputs' own folders say if they cannot be written
            self.unwritable, self.pending = True, []
            logging.getLogger("luigi-interface").warning(
                "cannot write this run's log %s (%s); the run goes on without it: set [paths] artifacts in luigi.cfg "
                "to a folder you can write to, or make that one writable", self.baseFilename, e.strerror or e)
            return
        if first:                          # said once, by the process that starts the file
            logging.getLogger("luigi-interface").info("this run's log: %s", self.baseFilename)
        pending, self.pending = [r for r in self.pending if r.process == os.getpid()], []
        for record in pending:
            super().emit(record)

    def emit(self, record):
        if self.unwritable:
            return
        if not self.committed and os.path.exists(self.baseFilename):
            self.commit()
        if self.committed:
            super().emit(record)
        else:
            self.pending.append(record)


def open_run_log(folder) -> Path:
    """Attach this invocation's log file in `folder` (once per folder; written once committed); returns its path."""
    folder = Path(folder).resolve()
    if folder in _run_logs:
        return Path(_run_logs[folder].baseFilename)
    handler = DeferredFileHandler(folder / f"{RUN_ID}.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [pid %(process)d] %(message)s"))
    handler.addFilter(OneLineDataErrors())
    _run_logs[folder] = handler
    for name in ("luigi-interface", PROGRESS_LOG.name):
        logging.getLogger(name).addHandler(handler)
    logging.getLogger("luigi-interface").info("command: %s", " ".join(sys.argv))
    return Path(handler.baseFilename)


def commit_run_logs() -> None:
    """A stage of this run completed: from now on its log is written (see DeferredFileHandler)."""
    for handler in _run_logs.values():
        handler.commit()
