"""The atomic target (tasks/targets.py): the first writer wins, a failure leaves nothing, stale temporaries are found,
a folder that cannot be written is one line."""
import errno
import os
import socket
from pathlib import Path
from types import SimpleNamespace

import luigi
import pytest

import tasks
from pipeline.errors import DataError
from tasks import config
from tasks.targets import AtomicTarget
from tests.helpers.luigi_process import dead_pid


def test_atomic_file_first_writer_wins(tmp_path):
    t = AtomicTarget(str(tmp_path / "a" / "x.txt"))
    with t.temporary_path() as p1, AtomicTarget(t.path).temporary_path() as p2:
        Path(p1).write_text("first")
        Path(p2).write_text("second")
        assert p1 != p2 and not t.exists()
    assert Path(t.path).read_text() in ("first", "second")
    with t.temporary_path() as p3:
        Path(p3).write_text("late")
    assert Path(t.path).read_text() != "late"                # an existing target is never replaced
    assert sorted(q.name for q in (tmp_path / "a").iterdir()) == ["x.txt"]


def test_atomic_folder_first_writer_wins(tmp_path):
    t = AtomicTarget(str(tmp_path / "run"))
    for text in ("first", "second"):
        with t.temporary_path() as p:
            Path(p).mkdir()
            (Path(p) / "metrics.json").write_text(text)
    assert (tmp_path / "run" / "metrics.json").read_text() == "first"
    assert sorted(q.name for q in tmp_path.iterdir()) == ["run"]


def test_atomic_failure_leaves_nothing(tmp_path):
    t = AtomicTarget(str(tmp_path / "x.h5"))
    with pytest.raises(RuntimeError):
        with t.temporary_path() as p:
            Path(p).write_text("half")
            raise RuntimeError("killed halfway")
    assert list(tmp_path.iterdir()) == []


def test_stale_temporaries_only_of_dead_local_writers(tmp_path):
    t = AtomicTarget(str(tmp_path / "shard-000.h5"))
    host = socket.gethostname()
    dead = tmp_path / f"shard-000.h5-luigi-tmp-{host}-{dead_pid()}-0123456789"
    alive = tmp_path / f"shard-000.h5-luigi-tmp-{host}-{os.getpid()}-0123456789"
    remote = tmp_path / f"shard-000.h5-luigi-tmp-{host}x-{dead_pid()}-0123456789"
    other = tmp_path / f"shard-000.h5.bak-luigi-tmp-{host}-{dead_pid()}-0123456789"
    for p in (dead, alive, remote, other):
        p.write_text("partial")
    assert t.stale_temporaries() == [dead]
    folder = AtomicTarget(str(tmp_path / "data"))
    dead_dir = tmp_path / f"data-luigi-tmp-{host}-{dead_pid()}-0123456789"
    (dead_dir / "UCF101").mkdir(parents=True)
    assert folder.stale_temporaries() == [dead_dir]
    assert not t.exists()                                     # a temporary is never taken for the target
    assert not luigi.LocalTarget(t.path).exists()


def test_a_folder_that_cannot_be_written_is_one_line_naming_it_and_the_fix(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("a file where a folder should be")
    target = AtomicTarget(str(tmp_path / "notes.txt" / "SYNTHETIC" / "Stage-0123" / "x.h5"))
    with pytest.raises(DataError, match=r"Stage-0123: cannot write outputs there \(.*notes\.txt is a file, not a folder\); "
                                        r"set \[paths\] artifacts in luigi.cfg"):
        with target.temporary_path():
            pass
    # a read-only file system (root, who ignores permissions, meets it too) and a folder of someone else
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    for flags, why in ((os.ST_RDONLY, "read-only file system"), (0, "permission denied")):
        monkeypatch.setattr(os, "statvfs", lambda path, flags=flags: SimpleNamespace(f_flag=flags))
        with pytest.raises(DataError, match=f"{tmp_path}: cannot write outputs there \\({why}\\)"):
            with AtomicTarget(str(tmp_path / "x.h5")).temporary_path():
                raise AssertionError("nothing is computed for an output that cannot be written")

    monkeypatch.undo()

    def makedirs(path, exist_ok=False):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "artifacts"))
    monkeypatch.setattr(os, "makedirs", makedirs)
    with pytest.raises(DataError, match=r"artifacts: cannot write outputs there \(Read-only file system\)"):
        with AtomicTarget(str(tmp_path / "artifacts" / "SYNTHETIC" / "x.h5")).temporary_path():
            pass


def test_a_stage_whose_folder_cannot_be_written_stops_before_computing(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("a file where the artifacts folder should be")
    monkeypatch.setattr(config, "paths", lambda: SimpleNamespace(artifacts=str(tmp_path / "notes.txt" / "artifacts")))
    task = tasks.TrainDIVAFN(pair="SYNTHETIC")
    with pytest.raises(DataError, match=r"TrainDIVAFN-\w+: cannot write outputs there \(.*notes\.txt is a file"):
        task.run()              # not a missing input: the check comes first (tasks/retry.py)
    assert task.retry_count == 1                              # bad input: not retried
