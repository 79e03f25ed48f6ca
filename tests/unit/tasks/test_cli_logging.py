"""What a run shows on the terminal (tasks/cli_logging.py, tasks/progress.py): a progress bar on a terminal only, throttled; Ctrl-C
and a run log that cannot be written as one line each."""
import io
import logging

import pytest

from tasks import cli_logging, progress


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_at_most_5_draws_a_second(monkeypatch):
    """99 items, one every 1/16 s: a draw every 4th item (a quarter second apart; 3 items are 0.1875 s, under the
    0.2 s the throttle waits), 24 of them, and the last item's, so that the bar ends full."""
    term, pipe, clock = FakeTerminal(), io.StringIO(), [0.0]
    monkeypatch.setattr(progress, "_bars", {})
    monkeypatch.setattr(progress, "_clock", lambda: clock[0])
    monkeypatch.setenv("COLUMNS", "100")                  # the bar is cut to the terminal's width
    for i in range(1, 100):
        clock[0] = i / 16                                 # exact in binary: no rounding at the 0.2 s boundary
        progress.report_progress("Task(X)", i / 99, f"{i}/99 items", stream=term)
        progress.report_progress("Task(Y)", i / 99, f"{i}/99 items", stream=pipe)
    assert pipe.getvalue() == ""
    drawn = term.getvalue().split("\r\x1b[2K")[1:]
    assert [d.split("% ")[1] for d in drawn] == [f"{i}/99 items" for i in (*range(4, 99, 4), 99)]
    assert drawn[-1] == "Task(X) [####################] 100.0% 99/99 items"
    progress.end_progress("Task(X)", stream=term)
    assert term.getvalue().endswith("\r\x1b[2K")


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def luigi_lines():
    handler, logger = Records(), logging.getLogger("luigi-interface")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_ctrl_c_is_one_line_saying_what_was_kept(tmp_path, monkeypatch, luigi_lines):
    log = tmp_path / "artifacts" / "SYNTHETIC" / "logs" / "run.log"     # as open_run_log makes it, not attached
    monkeypatch.setattr(cli_logging, "_run_logs", {log.parent: cli_logging.DeferredFileHandler(log)})
    assert cli_logging.interrupted().startswith("interrupted before a stage of this run finished: nothing was left "
                                                "half-written")
    log.parent.mkdir(parents=True)
    log.write_text("")                                       # a stage of this run finished: its log was written
    cli_logging._excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    (line,) = [ln for ln in luigi_lines if ln.startswith("interrupted")]
    assert f"kept in {tmp_path / 'artifacts' / 'SYNTHETIC'}/" in line and "run the same command again to resume" in line
    assert f"this run's log: {log}" in line
    seen = []
    monkeypatch.setattr(cli_logging._excepthook, "previous", lambda *exc: seen.append(exc[0]), raising=False)
    cli_logging._excepthook(RuntimeError, RuntimeError("a bug"), None)
    assert seen == [RuntimeError]                            # anything else: Python's own traceback


def test_a_run_log_that_cannot_be_written_is_one_warning_and_the_run_goes_on(tmp_path, luigi_lines):
    (tmp_path / "artifacts").write_text("a file where the artifacts folder should be")
    handler = cli_logging.DeferredFileHandler(tmp_path / "artifacts" / "SYNTHETIC" / "logs" / "run.log")
    record = logging.LogRecord("luigi-interface", logging.INFO, __file__, 1, "a line", (), None)
    handler.emit(record)
    logger = logging.getLogger("luigi-interface")
    logger.addHandler(handler)
    try:
        handler.commit()
        handler.emit(record)
    finally:
        logger.removeHandler(handler)
    (line,) = [ln for ln in luigi_lines if "run.log" in ln]
    assert line.startswith(f"cannot write this run's log {tmp_path}") and "set [paths] artifacts in luigi.cfg" in line
