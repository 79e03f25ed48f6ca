"""A stage is complete only when its outputs exist, its requirements are complete and no input is newer than its
outputs (tasks/base.py, ArtifactTask.complete): deleting or recomputing a stage recomputes what follows it."""
import os
from pathlib import Path

import luigi

from tasks.base import ArtifactTask

RUNS = []


class Upstream(ArtifactTask):
    def output(self):
        return self.artifact("a.txt")

    def run(self):
        RUNS.append("Upstream")
        with self.output().temporary_path() as tmp:
            Path(tmp).write_text("a")


class Downstream(ArtifactTask):
    def requires(self):
        return self.clone(Upstream)

    def output(self):
        return self.artifact("b.txt")

    def run(self):
        RUNS.append("Downstream")
        with self.output().temporary_path() as tmp:
            Path(tmp).write_text(Path(self.input().path).read_text() + "b")


def build(task) -> list:
    RUNS.clear()
    assert luigi.build([task], local_scheduler=True, log_level="WARNING")
    return list(RUNS)


def test_deleting_or_renewing_a_stage_recomputes_what_follows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    down = Downstream(pair="SYNTHETIC")
    up = down.requires()
    assert build(down) == ["Upstream", "Downstream"]
    assert down.complete() and build(down) == []                     # nothing to do

    os.remove(up.output().path)                                      # the upstream stage deleted
    assert not down.complete()
    assert build(down) == ["Upstream", "Downstream"]

    earlier = os.stat(up.output().path).st_mtime - 10                # the upstream output renewed since
    os.utime(down.output().path, (earlier, earlier))
    assert up.complete() and not down.complete()
    assert build(down) == ["Downstream"]
    assert down.complete()
