"""What made an artifact: code version and time, for HDF5 attrs and JSON reports."""
import datetime
import functools
import subprocess
from pathlib import Path

from pipeline import __version__

REPO = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=None)
def code_version() -> str:
    """`<package version>+g<commit>[.dirty]` inside a git checkout, else the package version."""
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}" + (".dirty" if dirty else "")


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
