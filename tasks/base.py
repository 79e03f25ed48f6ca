"""ArtifactTask: hashed output paths, atomic writes and provenance for every stage."""
import hashlib
import json
from pathlib import Path

import luigi
from luigi.task import flatten

from pipeline import provenance
from pipeline.pairs import PAIRS, get_pair

from . import config


class PairParameter(luigi.Parameter):
    """A pair name from pipeline.pairs.PAIRS; an unknown name fails before anything runs."""

    def normalize(self, x):
        get_pair(x)          # raises DataError naming the known pairs
        return x


class ArtifactTask(luigi.Task):
    """A stage whose outputs live in `artifacts/<pair>/<Task>-<digest>/`.

    The digest hashes the task's significant parameters and the paths of its inputs (which hold the
    upstream digests), so a change anywhere upstream moves every downstream output, and an unchanged
    stage is found complete and never recomputed.
    """
    pair = PairParameter(description=f"image→video pair: one of {', '.join(PAIRS)}")
    digest_excludes = ()        # parameters that name a part of one output folder (e.g. "shard")

    @classmethod
    def get_param_values(cls, params, args, kwargs):
        values = dict(super().get_param_values(params, args, kwargs))
        explicit = set(kwargs) | {n for (n, p), _ in zip([q for q in params if q[1].positional], args)}
        values = config.resolve(cls, params, values, explicit)
        return [(name, values[name]) for name, _ in params]

    def digest(self) -> str:
        params = {k: v for k, v in self.to_str_params(only_significant=True).items() if k not in self.digest_excludes}
        upstream = sorted(t.path for t in flatten(self.input()))
        key = json.dumps([self.get_task_family(), params, upstream], sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()[:12]

    def folder(self) -> Path:
        return Path(config.paths().artifacts) / self.pair / f"{self.get_task_family()}-{self.digest()}"

    def artifact(self, filename: str) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(self.folder() / filename))

    def provenance(self, **extra) -> dict:
        """What made an artifact: stored as HDF5 attrs / JSON next to the data."""
        return dict(task_id=self.task_id, task=self.get_task_family(), params=self.to_str_params(only_significant=True),
                    inputs=sorted(t.path for t in flatten(self.input())), code_version=provenance.code_version(),
                    created_utc=provenance.utc_now(), **extra)

    def progress(self, fraction: float, message: str) -> None:
        """Progress in the luigid visualiser (percentage, status message) and the log."""
        self.set_progress_percentage(round(100 * fraction, 1))
        self.set_status_message(message)

    @property
    def pair_spec(self):
        return get_pair(self.pair)
