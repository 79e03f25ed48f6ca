"""Every use of a Luigi internal, in one place, and the check that the installed Luigi is the one they were tested with.

Luigi has no public API for a few behaviours the pipeline gives (one-line command-line errors, which flags were given,
a config file of defaults, a parameter's choices and code default, no retry for bad input, Ctrl-C in an event
callback, which log line is the execution summary); each function here names the internal it uses and why. A Luigi
release may change any of them without notice, so at import the installed Luigi is compared with TESTED_LUIGI (the
pin in requirements.txt); another version stops the command with one line naming both and the fix (exit status 1):
`pip install luigi==<tested>`, or set DIVAFN_ALLOW_LUIGI=<the installed version> to try it at your own risk
(tests/unit/tasks/ checks each behaviour).
"""
import functools
import logging
import multiprocessing
import os
from importlib import metadata

TESTED_LUIGI = "3.8.1"    # the `luigi==` pin in requirements.txt (tests/unit/tasks/test_luigi_compat.py compares them)
ALLOW_VARIABLE = "DIVAFN_ALLOW_LUIGI"


def check_version(installed: str, tested: str, allowed: str | None) -> str | None:
    """The one line that stops a command run with another Luigi than `tested`; None when it may go on (the same
    version, or `allowed`, the value of DIVAFN_ALLOW_LUIGI, names the installed one)."""
    if installed == tested or allowed == installed:
        return None
    return (f"ERROR: luigi {installed} is installed, but this pipeline is tested with luigi {tested} and relies on "
            f"its internals (tasks/luigi_compat.py): `pip install luigi=={tested}` (requirements.txt), or set "
            f"{ALLOW_VARIABLE}={installed} to try luigi {installed} at your own risk.")


def _installed_luigi() -> str:
    try:
        return metadata.version("luigi")
    except metadata.PackageNotFoundError:          # luigi imported from a source tree, not installed
        return "(version unknown)"


# SystemExit, not an exception: `luigi --module tasks` imports this module while parsing its command line, outside
# the code that logs Luigi's errors, so an exception would show a traceback; SystemExit prints its line and exits 1.
# Checked before the imports below, which another Luigi may already break.
if (_refusal := check_version(_installed_luigi(), TESTED_LUIGI, os.environ.get(ALLOW_VARIABLE))) is not None:
    raise SystemExit(_refusal)

from luigi.cmdline_parser import CmdlineParser  # noqa: E402
from luigi.configuration import LuigiConfigParser  # noqa: E402
from luigi.parameter import _no_value  # noqa: E402
from luigi.scheduler import RUNNING  # noqa: E402
from luigi.task_register import Register  # noqa: E402

from pipeline.errors import DataError  # noqa: E402

log = logging.getLogger("luigi-interface")


# ---- the command line -----------------------------------------------------------------------------------------

def command_line():
    """The parsed arguments (argparse.Namespace) of the `luigi` command line tasks are being built for, or None.

    Luigi keeps it in CmdlineParser's singleton (luigi/cmdline_parser.py, a module its docstring calls internal); a
    task sees only its resolved parameter values, not which flags were given nor which task was named to run."""
    parser = CmdlineParser.get_instance()
    return None if parser is None else parser.known_args


def install_parser_hooks(edit_parser, bad_value) -> None:
    """Call `edit_parser(parser, root_task)` on every argparse parser Luigi builds for a command line, and raise
    `bad_value(task_cls)` (a DataError naming the flag; None: Luigi's own ValueError) when a flag of the task run
    cannot be parsed (`--seed x`).

    Luigi builds its parser in CmdlineParser._build_parser and parses the run task's own flags in
    CmdlineParser._get_task_kwargs, which raises a bare ValueError naming no flag; neither has a public hook
    (argparse's `allow_abbrev` and `error` must be set on the parser itself). Both are replaced here, once."""
    build, get_task_kwargs = CmdlineParser._build_parser, CmdlineParser._get_task_kwargs
    if getattr(build, "hooked", False):
        return

    def build_parser(root_task=None, help_all=False):
        parser = build(root_task=root_task, help_all=help_all)
        edit_parser(parser, root_task)
        return parser

    def task_kwargs(self):
        try:
            return get_task_kwargs(self)
        except DataError:
            raise
        except ValueError:
            bad = bad_value(Register.get_task_cls(self.known_args.root_task))
            if bad is None:
                raise
            raise bad from None
    build_parser.hooked = True
    CmdlineParser._build_parser = staticmethod(build_parser)
    CmdlineParser._get_task_kwargs = task_kwargs


def is_execution_summary(record) -> bool:
    """Whether log record `record` is Luigi's execution summary (logged at the end of a run by
    luigi.interface._schedule_and_run as one INFO record, LuigiRunResult.summary_text); Luigi marks it only by its
    text, whose frame luigi.execution_summary.summary draws."""
    return record.getMessage().lstrip().startswith("===== Luigi Execution Summary =====")


# ---- configuration files and parameters ---------------------------------------------------------------------

def config_paths() -> list:
    """The config files Luigi reads, in order (a later one wins), whether they exist or not.

    LuigiConfigParser._config_paths: Luigi's own list (/etc/luigi/..., ./luigi.cfg, $LUIGI_CONFIG_PATH); get_config()
    does not say which files it read."""
    return list(LuigiConfigParser._config_paths)


def prepend_config_path(path) -> None:
    """Read `path` first among Luigi's config files (lowest priority: every other file overrides it) and re-read them.

    luigi.configuration.add_config_path appends, so its file would win over ./luigi.cfg and $LUIGI_CONFIG_PATH;
    Luigi has no call for a file of defaults, hence the insert into LuigiConfigParser._config_paths (the list its
    public reload() reads, in order)."""
    if str(path) not in LuigiConfigParser._config_paths:
        LuigiConfigParser._config_paths.insert(0, str(path))
        LuigiConfigParser.reload()


def choices_of(p) -> set:
    """The values a luigi.ChoiceParameter takes: its `_choices` (public only inside its description's text)."""
    return p._choices


def default_of(p):
    """`p`'s default in the code (before any luigi.cfg), or None when it has none (no setting here defaults to None).

    Parameter._default, compared with luigi.parameter._no_value; the public task_value() applies luigi.cfg too."""
    return None if p._default is _no_value else p._default


# ---- retries ----------------------------------------------------------------------------------------------------

class BadInputRetryPolicy:
    """Mixin: Luigi's per-task `retry_count` is None (the scheduler's [scheduler] retry_count) until `no_retry()`, then
    1: in the scheduler at once, and in the worker's report of the failure, whichever process ran the task.

    The scheduler applies the policy a report carries after counting the status it reports (Scheduler.add_task:
    set_status, then `task.retry_policy = ...`), so a FAILED report with retry_count = 1 is retried once more: called
    from run(), no_retry() sends the policy first, through the worker's status reporter (the object behind
    task.set_status_message) and its private `_scheduler` and `_worker_id`, as Luigi's own update_tracking_url does;
    Luigi has no "do not retry this exception". The worker reads `retry_count` in its own process, while with
    --workers > 1 the task ran in a fork of it: the flag is shared memory made before the fork (re-made when the task
    is pickled: shared memory is passed on by fork only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bad_input = multiprocessing.RawValue("b", 0)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_bad_input"] = state["_bad_input"].value
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._bad_input = multiprocessing.RawValue("b", state["_bad_input"])

    @property
    def retry_count(self):
        return 1 if self._bad_input.value else None

    def no_retry(self) -> None:
        self._bad_input.value = 1
        reporter = getattr(self.set_status_message, "__self__", None)        # None outside a worker's run()
        scheduler, worker = getattr(reporter, "_scheduler", None), getattr(reporter, "_worker_id", None)
        if scheduler is not None and worker is not None:
            try:
                scheduler.add_task(task_id=self.task_id, worker=worker, status=RUNNING,
                                   resources=self.process_resources(), retry_policy_dict=dict(retry_count=1))
            except Exception as e:      # the worker's report still disables it, one retry later
                log.warning("could not tell the scheduler not to retry %s: %s", self, e)


# ---- Ctrl-C in an event callback -------------------------------------------------------------------------------

_interrupted = False               # a Ctrl-C landed in an event callback, where Luigi would swallow it


def _raise_interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def keep_ctrl_c(callback):
    """`callback` (an event handler), with a KeyboardInterrupt raised inside it kept: that task's run() (and, if it
    has run already, the next one's, whose handler sees the flag) raises it, and the run stops as on a Ctrl-C
    anywhere else.

    Luigi's Task.trigger_event returns quietly when a callback raises KeyboardInterrupt and the worker goes on to
    run the task; no event or setting changes that, so the task's run() is replaced by one that raises it."""
    @functools.wraps(callback)
    def wrapper(task, *args):
        global _interrupted
        try:
            callback(task, *args)
        except KeyboardInterrupt:
            _interrupted = True
        if _interrupted:
            task.run = _raise_interrupt
    return wrapper
