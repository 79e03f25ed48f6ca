"""AtomicTarget: an output (file or folder) that appears whole or not at all, and never replaces another's.

Safe to kill, safe to run twice at once (docs/cluster.md): written under a temporary name unique to this host
and process (`<path>-luigi-tmp-<host>-<pid>-<random>`) and renamed onto `<path>` only when complete. If another
process finished the same output first, ours is discarded and theirs kept, so a second writer never fails and
never replaces a file that a reader may hold open. A killed run's temporaries are found by `stale_temporaries`.
A folder it cannot write (read-only, no permission, a file in the way) is one line naming it (`check_writable`).
"""
import contextlib
import errno
import logging
import os
import re
import secrets
import shutil
import socket
from pathlib import Path

import luigi

from pipeline.errors import DataError

from . import config

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


def remove(path: str) -> None:
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
        writable_folder(os.path.dirname(final) or ".")
        tmp = self.tmp_name()
        while os.path.lexists(tmp):            # unique per host, process and call: never shared by two writers
            tmp = self.tmp_name()
        try:
            yield tmp
        except BaseException:
            remove(tmp)
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
        remove(tmp)
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


UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST)   # what a rerun alone cannot fix


def writable_folder(folder: str) -> None:
    """Make `folder` (and its parents); one this process cannot write is one DataError naming it and the fix."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        if e.errno not in UNWRITABLE:          # EIO, ENOSPC, a network file system gone: transient, retried
            raise
        check_writable(folder)                 # names the cause: a file in the way, read-only, no permission
        raise unwritable(e.filename or folder, e.strerror or str(e)) from None
    check_writable(folder)


def check_writable(folder: str) -> None:
    """That `folder` can be made and written, changing nothing: the nearest existing folder on the way is a folder and
    writable (access() says EROFS too, also for root, who ignores permissions). Checked before a stage computes."""
    existing = next(q for q in (Path(folder), *Path(folder).parents) if q.exists())
    if not existing.is_dir():
        raise unwritable(folder, f"{existing} is a file, not a folder")
    if not os.access(existing, os.W_OK):
        read_only = os.statvfs(existing).f_flag & os.ST_RDONLY
        raise unwritable(existing, "read-only file system" if read_only else "permission denied")


def unwritable(where, why: str) -> DataError:
    """The one line for an output folder that cannot be written: where, why, and the fix."""
    return DataError(f"{where}: cannot write outputs there ({why}); set [paths] artifacts in luigi.cfg to a folder you "
                     f"can write to (now {config.paths().artifacts!r}), or make it writable.")


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)
