"""Video stages, one shard of the manifest's videos per task so that workers can share them.

ExtractKeyframes decodes each video of its shard once (pipeline.video.decode.scan) and takes from that one pass
both the keyframes and the offline video features (the motion descriptor needs the grey thumbnails of every
frame that keyframe selection uses too; the appearance feature, when `pool_frames` > 0, a few RGB frames).
ExtractVideoFeatures with an offline extractor (`default` = `motion`, `appearance`, `appearance+motion`) copies
them out of the keyframe shard instead of decoding again; with a 3D CNN it decodes its own clip
(other frames, other size); with `precomputed` it reads a file. Every shard writes only the videos it could
use and lists the others in `rejects` (the default extractor copies the keyframe shard's); CheckRejects joins
the rejects of every shard and of PrepareImages, and checks the reject budget once, over the whole collection
(pipeline.data.accounting); downstream uses the videos accepted by both stages (pipeline.io.assemble).
"""
import logging
from pathlib import Path

import luigi
from luigi.task import flatten

from pipeline.data import manifest
from pipeline.errors import DataError
from pipeline.video import cnn3d
from pipeline.video.extractors import OFFLINE, offline_datasets

from .base import ArtifactTask
from .data import BuildManifest, PrepareImages
from .params import Count, Dataset, Device, Fraction, ImageSize, Videos

log = logging.getLogger("luigi-interface")

EXTRACTORS = ("default", *OFFLINE, *cnn3d.ARCHS, "precomputed")


class VideoShardTask(Dataset, ImageSize, Videos, ArtifactTask):
    shard = Count(default=0, at_least=0, description="which shard of the videos")
    digest_excludes = ("shard",)   # all shards of one configuration share a folder

    def requires(self):
        return self.clone(BuildManifest)

    def output(self):
        return self.artifact(f"shard-{self.shard:03d}.h5")

    def upstream_paths(self) -> list:
        """An upstream shard file counts by its folder, so that all shards of one configuration share one
        folder also when they read shards of an earlier stage."""
        return sorted({str(Path(t.path).parent) if Path(t.path).name.startswith("shard-") else t.path
                       for t in flatten(self.input())})

    def manifest(self):
        path = self.input()["manifest"].path if isinstance(self.input(), dict) else self.input().path
        return manifest.Manifest.from_json(path)

    def videos(self):
        if not 0 <= self.shard < self.n_shards:
            raise DataError(f"--shard {self.shard} is outside 0..{self.n_shards - 1} (--n-shards {self.n_shards})")
        m = self.manifest()
        return m, m.shard(self.shard, self.n_shards)

    def write(self, kind, m, arrays, rejects, warnings, tmp=None):
        """The shard file: `arrays` of the used videos, `rejects` [(id, reason)] and `warnings` [(id, warning)] (or
        the keyframe shard's own arrays of them, copied); added to `tmp` when given (h5io.growing's file)."""
        from pipeline.io import h5io
        from pipeline.io.rejects import rejects_array, warnings_array
        if isinstance(rejects, list):
            for vid, reason in rejects:
                log.warning("%s: rejected %s: %s", self.get_task_family(), vid, reason)
            for vid, warning in warnings:
                log.warning("%s: used %s, but %s", self.get_task_family(), vid, warning)
            rejects, warnings = rejects_array(rejects, self.output().path), warnings_array(warnings)
        arrays.update(rejects=rejects, warnings=warnings)
        if tmp:
            h5io.write(tmp, kind, arrays, self.provenance(classes=m.classes, n_rejected=len(rejects)), mode="a")
            return
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, kind, arrays, self.provenance(classes=m.classes, n_rejected=len(rejects)))


class ExtractKeyframes(Device, VideoShardTask):
    """k keyframes per video (pipeline.video.keyframes), as (px, px, 3) uint8, for one shard of the videos, and in
    the same decoding pass the offline video features: Y (motion descriptor), A (pooled ImageNet appearance)."""
    grid = Count(default=4, description="motion descriptor: cells per side")
    bins = Count(default=8, description="motion descriptor: orientation bins")
    pool_frames = Count(default=0, at_least=0, description="appearance feature: frames pooled per video (0: none)")

    def run(self):
        from pipeline.io import h5io
        from pipeline.video import shards
        m, videos = self.videos()
        appearance = None
        if self.pool_frames:                  # torch only then
            from pipeline.method.train import resolve_device
            from pipeline.video.appearance import PooledAppearance
            appearance = PooledAppearance(self.image_size, resolve_device(self.device))
        px = self.image_size
        with self.output().temporary_path() as tmp:
            # one video's keyframes in memory; K uncompressed (h5io.write's `uncompressed`)
            with h5io.growing(tmp, "K", (self.keyframes, px, px, 3), compression=None) as append:
                arrays, rejects, warnings = shards.keyframe_shard(
                    videos, self.keyframes, px, motion=(self.grid, self.bins), appearance=appearance,
                    pool_frames=self.pool_frames, append=append,
                    progress=lambda i, n: self.progress(i / n, f"{i}/{n} videos"))
            self.write("keyframes", m, arrays, rejects, warnings, tmp)


class ExtractVideoFeatures(Device, VideoShardTask):
    """The clip-level video feature y of each video of one shard, by the chosen extractor: motion (offline
    motion descriptor), appearance (ImageNet EfficientNet-Lite0 pooled over frames) or appearance+motion (both,
    concatenated), each computed in ExtractKeyframes' decoding pass; default (= DEFAULT); r3d_18 / r2plus1d_18
    / mc3_18 (torchvision 3D CNN, weights from a local file); precomputed (imported from a file)."""
    extractor = luigi.ChoiceParameter(choices=EXTRACTORS, default="default", description="which video feature")
    weights = luigi.Parameter(default="", description="3D CNN: local state-dict file (never downloaded)")
    allow_random_weights = luigi.BoolParameter(default=False, description="3D CNN: run without a weights file")
    clip_frames = Count(default=16, description="3D CNN: frames sampled per video")
    batch_size = Count(default=16, significant=False, description="3D CNN: clips per forward pass")
    precomputed_path = luigi.Parameter(default="", description="precomputed: .npz/.npy/.h5/.mat file")
    precomputed_dataset = luigi.Parameter(default="features", description="precomputed: name of the feature array")

    # setting → the extractors that read it; another extractor would ignore it
    READ_BY = dict(weights=cnn3d.ARCHS, allow_random_weights=cnn3d.ARCHS, clip_frames=cnn3d.ARCHS,
                   batch_size=cnn3d.ARCHS, precomputed_path=("precomputed",), precomputed_dataset=("precomputed",))

    def unused_settings(self) -> dict:
        return {name: f"only the extractor{'s' * (len(by) > 1)} {', '.join(by)} read{'s' * (len(by) == 1)} it, and "
                      f"this run's is {self.extractor}, so it would be ignored; drop it, or choose "
                      f"--ExtractVideoFeatures-extractor {by[0]}."
                for name, by in self.READ_BY.items() if self.extractor not in by}

    def requires(self):
        req = dict(manifest=self.clone(BuildManifest))
        if self.offline():                  # computed in the keyframes' decoding pass, with its settings
            req["keyframes"] = self.clone(ExtractKeyframes)
        return req

    def offline(self) -> tuple:
        """The keyframe shard's datasets this extractor concatenates (empty: not an offline feature)."""
        return offline_datasets(self.extractor)

    def run(self):
        from pipeline.io import h5io
        from pipeline.video import shards
        m, videos = self.videos()
        kf = cnn = device = None
        if self.offline():                     # the keyframe shard's features, and so its rejects and warnings
            if "A" in self.offline() and not self.clone(ExtractKeyframes).pool_frames:
                raise DataError(f"extractor {self.extractor} needs the appearance feature: set [ExtractKeyframes] "
                                f"pool_frames > 0, or --ExtractVideoFeatures-extractor motion.")
            kf = h5io.read(self.input()["keyframes"].path, "keyframes", ["ids", "rejects", "warnings", *self.offline()])
        elif self.extractor in cnn3d.ARCHS:
            from pipeline.method.train import resolve_device
            cnn = cnn3d.build(self.extractor, self.weights, self.allow_random_weights)
            device = resolve_device(self.device)
        arrays, rejects, warnings = shards.feature_shard(
            self.extractor, videos, kf, cnn, device, self.clip_frames, self.batch_size,
            (self.precomputed_path, self.precomputed_dataset), lambda i, n: self.progress(i / n, f"{i}/{n} videos"))
        self.write("video_features", m, arrays, rejects, warnings)


class CheckRejects(Dataset, ImageSize, Videos, Device, ArtifactTask):
    """Every image and video of the manifest used or rejected, once (pipeline.data.accounting): the rejects of
    PrepareImages and of every shard of both video stages joined (a video rejected by one is rejected for all),
    the reject budget checked once over the whole collection, and every class left with images, training and
    test videos → rejects.json, the list the report shows. TrainDIVAFN requires it: a run stops here, before
    training."""
    max_reject_fraction = Fraction(
        default=0.05, significant=False,  # not in the hash: raising it reruns only this check and what follows
        description="the run stops when more than this fraction of the videos, or of the images, cannot be used")

    def requires(self):
        shards_of = lambda stage: [self.clone(stage, shard=i) for i in range(self.n_shards)]
        return dict(manifest=self.clone(BuildManifest), images=self.clone(PrepareImages),
                    keyframes=shards_of(ExtractKeyframes), video_features=shards_of(ExtractVideoFeatures))

    def output(self):
        return self.artifact("rejects.json")

    def run(self):
        from pipeline.data import accounting
        inp = self.input()
        m = manifest.Manifest.from_json(inp["manifest"].path)
        doc = accounting.account(m, [
            ("PrepareImages", "image", accounting.read_stage([inp["images"].path], "images")),
            ("ExtractKeyframes", "video", accounting.read_stage([t.path for t in inp["keyframes"]], "keyframes")),
            ("ExtractVideoFeatures", "video",
             accounting.read_stage([t.path for t in inp["video_features"]], "video_features"))])
        log.info("%s: %d of %d images and %d of %d videos rejected; %d videos used with a warning", self.pair,
                 sum(r["modality"] == "image" for r in doc["rejects"]), doc["n_images"],
                 sum(r["modality"] == "video" for r in doc["rejects"]), doc["n_videos"], len(doc["warnings"]))
        folder = str(Path(inp["manifest"].path).parent)
        accounting.check_budget(doc, self.max_reject_fraction, folder, self.get_task_family())
        accounting.check_classes(m, doc, folder)
        with self.output().temporary_path() as tmp:
            accounting.write(tmp, doc, self.provenance(max_reject_fraction=self.max_reject_fraction))


class ExtractVideos(Dataset, ImageSize, Videos, Device, ArtifactTask):
    """Every shard of ExtractKeyframes and ExtractVideoFeatures: the video work of a pair, for many workers.

    `luigi --module tasks ExtractVideos --pair UCF... --n-shards 64 --workers 16` (or several machines on one
    luigid) fills the shard folders that TrainDIVAFN then finds complete. Writes nothing of its own.
    """

    def requires(self):
        return dict(keyframes=[self.clone(ExtractKeyframes, shard=i) for i in range(self.n_shards)],
                    video_features=[self.clone(ExtractVideoFeatures, shard=i) for i in range(self.n_shards)])

    def complete(self):
        return all(t.complete() for t in flatten(self.requires()))

    def output(self):
        return []

    def run(self):
        pass
