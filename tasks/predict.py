"""Prediction: classify new videos with a trained experiment's chain (pipeline.predict).

    luigi --module tasks Predict --pair SYNTHETIC --videos DIR_OR_LIST.txt [--top-k 5] [--shards 4 --workers 4]

Predict takes RunExperiment's settings, so it uses exactly that experiment's chain: it requires FitClassifier
(and through it ProjectSemantics, DumpFeatures, TrainDIVAFN, the video stages); a complete chain is used as it is,
nothing is retrained. PredictShard[i] classifies shard i of the videos (a contiguous run, as ExtractKeyframes'
shards) → PredictShard-<hash>/shard-XXX.h5; Predict joins them → Predict-<hash>/ predictions.csv, predictions.json,
predictions.md, contact_sheet.png. The folder's hash covers the settings, the chain and the list of video files
(paths, sizes, times), so adding a video to the folder makes a new Predict folder.
"""
import functools
import logging
from pathlib import Path

import luigi

from pipeline.errors import DataError

from .base import ArtifactTask
from .classifier import FitClassifier
from .params import Chain, Count

log = logging.getLogger("luigi-interface")


@functools.lru_cache(maxsize=64)
def _videos(value: str) -> tuple:
    from pipeline.predict.inputs import find_videos
    return tuple(find_videos([value]))


class VideosParameter(luigi.Parameter):
    """A folder of videos (searched recursively) or a .txt list of paths; a bad one fails at parse time, in one line."""

    def normalize(self, x):
        if not str(x).strip():
            raise DataError("--videos is empty: give a folder of videos (searched recursively) or a .txt list of "
                            "paths.")
        try:
            _videos(str(x))
        except DataError as e:
            raise DataError(f"--videos: {e}") from None
        return x


class Predicting(Chain):
    videos = VideosParameter(description="a folder of videos (searched recursively) or a .txt list of video paths")
    top_k = Count(default=5, description="classes listed per video, with their scores")
    shards = Count(default=1, description="how many shards the videos are split into (PredictShard)")
    contact_sheet = Count(default=8, at_least=0, description="videos shown on the contact sheet (the first ones)")

    def video_list(self) -> tuple:
        return _videos(str(self.videos))

    def digest_params(self) -> dict:
        from pipeline.predict.inputs import fingerprint
        return dict(super().digest_params(), listing=fingerprint(self.video_list()))

    def predict_args(self) -> dict:
        return dict(videos=self.videos, top_k=self.top_k, shards=self.shards, contact_sheet=self.contact_sheet)


class PredictShard(Predicting, ArtifactTask):
    """Predictions for shard `shard` of the videos, with the experiment's trained chain → shard-XXX.h5."""
    shard = Count(default=0, at_least=0, description="which shard of the videos")
    digest_excludes = ("shard",)   # all shards of one prediction share a folder
    resources = {"gpu": 1}

    def requires(self):
        return self.clone(FitClassifier)

    def output(self):
        return self.artifact(f"shard-{self.shard:03d}.h5")

    def run(self):
        from pipeline.data import manifest
        from pipeline.io import h5io
        from pipeline.predict import shard_file
        from pipeline.predict.core import Predictor
        if not 0 <= self.shard < self.shards:
            raise DataError(f"--shard {self.shard} is outside 0..{self.shards - 1} (--shards {self.shards})")
        videos = self.video_list()
        lo, hi = manifest.shard_bounds(len(videos), self.shard, self.shards)     # as ExtractKeyframes' shards
        predictor = Predictor(chain_of(self.requires()), self.device)
        rows, kept = predictor(videos[lo:hi], self.top_k, progress=lambda i, n: self.progress(i / n, f"{i}/{n} videos"),
                               keep_keyframes=max(0, self.contact_sheet - lo))
        for r in rows:
            if r["reason"]:
                log.warning("PredictShard %s: %s not classified: %s", self.pair, r["path"], r["reason"])
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, "predictions", shard_file.to_arrays(rows, kept, lo, self.top_k),
                       self.provenance(classes=predictor.classes, first_row=lo, n_videos=len(videos)))


class Predict(Predicting, ArtifactTask):
    """Every shard's predictions joined → predictions.csv, predictions.json, predictions.md, contact_sheet.png."""

    def requires(self):
        return [self.clone(PredictShard, shard=i, **self.predict_args()) for i in range(self.shards)]

    def output(self):
        return self.folder_target()

    def run(self):
        from pipeline.predict import shard_file, write
        rows, kept = shard_file.join([t.path for t in self.input()])
        info = dict(write.describe(chain_of(self.clone(FitClassifier)), self.top_k), video_source=str(self.videos),
                    provenance=self.provenance())
        with self.output().temporary_path() as tmp:
            Path(tmp).mkdir(parents=True)
            write.write_all(tmp, rows, {i: k for i, k in kept.items() if i < self.contact_sheet}, info)
        bad = sum(bool(r["reason"]) for r in rows)
        log.info("Predict %s: %d videos classified, %d could not be used", self.pair, len(rows) - bad, bad)


def chain_of(fit):
    """The trained chain (pipeline.predict.chain.TrainedChain) of FitClassifier task `fit`, from its graph."""
    from pipeline.predict.chain import from_graph

    from . import config
    from .graph import stage_graph
    graph = stage_graph(fit)
    return from_graph(fit.pair_name, {k: p for k, (p, _) in graph.items()}, {k: o for k, (_, o) in graph.items()},
                      Path(config.paths().artifacts) / fit.pair_name, str(Path(fit.output()["results"].path).parent))
