"""AtomicTarget: an output (file or folder) that appears whole or not at all, and never replaces another's.

Safe to kill, safe to run twice at once (docs/cluster.md): written under a temporary name unique to this host
and process (`<path>-luigi-tmp-<host>-<pid>-<random>`) and renamed onto `<path>` only when complete. If another
process finished the same output first, ours is discarded and theirs kept, so a second writer never fails and
never replaces a file that a reader may hold open. A killed run's temporaries are found by `stale_temporaries`.
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
        os.makedirs(os.path.dirname(final) or ".", exist_ok=True)
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


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)
