"""What a run shows on the terminal (tasks/cli_logging.py): a progress bar on a terminal only, throttled."""
import io

from tasks import cli_logging


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal(monkeypatch):
    term, pipe = FakeTerminal(), io.StringIO()
    monkeypatch.setattr(cli_logging, "_bars", {})
    for i in range(1, 101):
        cli_logging.report_progress("Task(X)", i / 100, f"{i}/100 items", stream=term)
        cli_logging.report_progress("Task(Y)", i / 100, f"{i}/100 items", stream=pipe)
    assert pipe.getvalue() == ""
    drawn = term.getvalue().split("\r\x1b[2K")[1:]
    assert 1 <= len(drawn) <= 10                          # throttled: at most 5 draws a second, and the last
    assert drawn[-1].startswith("Task(X) [####################] 100.0% 100/100 items")
    cli_logging.end_progress("Task(X)", stream=term)
    assert term.getvalue().endswith("\r\x1b[2K")
