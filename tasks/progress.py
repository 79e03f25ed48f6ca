"""Progress of a long stage: every 10 % into the run log, and a bar on stderr when it is a terminal (never into logs).

The bar is redrawn at most 5 times a second; a log line that reaches the terminal first wipes it (`ClearBar`).
"""
import logging
import shutil
import sys
import time

PROGRESS_LOG = logging.getLogger("divafn.progress")      # run log files only, not the terminal
_bars: dict = {}                                         # task name → (last draw time, last logged decile)
_bar_on = None                                           # the stream a bar is drawn on, until a line replaces it
_clock = time.monotonic                                  # seconds, for the bar's throttle (tests set a clock of theirs)


class ClearBar(logging.Filter):
    """Before a log line reaches the terminal, wipe the progress bar drawn there (the next update redraws it)."""

    def filter(self, record):
        global _bar_on
        if _bar_on is not None:
            _bar_on.write("\r\x1b[2K")
            _bar_on.flush()
            _bar_on = None
        return True



def report_progress(name: str, fraction: float, message: str, stream=None) -> None:
    """Log every 10 % to the run log; redraw a bar on a terminal at most 5 times a second."""
    global _bar_on
    stream = sys.stderr if stream is None else stream
    now, (last_draw, last_decile) = _clock(), _bars.get(name, (0.0, -1))
    decile = int(10 * fraction + 1e-9)
    if decile != last_decile:
        PROGRESS_LOG.info("%s: %3.0f%% %s", name, 100 * fraction, message)
        last_decile = decile
    if _is_tty(stream) and (now - last_draw >= 0.2 or fraction >= 1):
        width = shutil.get_terminal_size((100, 20)).columns
        filled = int(20 * min(max(fraction, 0.0), 1.0))
        line = f"{name} [{'#' * filled}{'.' * (20 - filled)}] {100 * fraction:5.1f}% {message}"
        stream.write("\r\x1b[2K" + line[:max(width - 1, 10)])
        stream.flush()
        last_draw, _bar_on = now, stream
    _bars[name] = (last_draw, last_decile)


def end_progress(name: str, stream=None) -> None:
    """Clear the task's bar (Luigi's "done"/"failed" line follows)."""
    global _bar_on
    stream = sys.stderr if stream is None else stream
    drawn = _bars.pop(name, (0.0, -1))[0] > 0
    if drawn and _is_tty(stream):
        stream.write("\r\x1b[2K")
        stream.flush()
        _bar_on = None


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
