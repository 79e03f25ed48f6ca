"""Video stages, one shard of the manifest's videos per task so that workers can share them.

ExtractKeyframes decodes each video of its shard once (pipeline.decode.scan) and takes from that one pass
both the keyframes and the offline default video feature (the motion descriptor needs the grey thumbnails
of every frame that keyframe selection uses too). ExtractVideoFeatures with `extractor = default` copies
that feature out of the keyframe shard instead of decoding again; with a 3D CNN it decodes its own clip
(other frames, other size); with `precomputed` it reads a file. Every shard writes only the videos it could
use and lists the others in `rejects`; downstream uses the videos accepted by both stages
(pipeline.assemble.video_arrays).
"""
import hashlib
import json
import logging
from pathlib import Path

import luigi
from luigi.task import flatten
import numpy as np

from pipeline import h5io, manifest, precomputed, video_backbones, video_shards
from pipeline.errors import DataError

from .base import ArtifactTask
from .data import BuildManifest

log = logging.getLogger("luigi-interface")

EXTRACTORS = ("default", *video_backbones.ARCHS, "precomputed")


class VideoShardTask(ArtifactTask):
    data_root = BuildManifest.data_root
    split = BuildManifest.split
    shard = luigi.IntParameter(default=0, description="which shard of the videos")
    n_shards = luigi.IntParameter(default=4, description="how many shards the videos are split into")
    max_reject_fraction = luigi.FloatParameter(
        default=0.05, significant=False,
        description="a shard that cannot use more than this fraction of its videos fails")
    digest_excludes = ("shard",)   # all shards of one configuration share a folder

    def requires(self):
        return self.clone(BuildManifest)

    def output(self):
        return self.artifact(f"shard-{self.shard:03d}.h5")

    def digest(self) -> str:
        """As ArtifactTask.digest, but an upstream shard file counts by its folder, so that all shards of one
        configuration share one folder also when they read shards of an earlier stage."""
        params = {k: v for k, v in self.to_str_params(only_significant=True).items() if k not in self.digest_excludes}
        upstream = sorted({str(Path(t.path).parent) if Path(t.path).name.startswith("shard-") else t.path
                           for t in flatten(self.input())})
        key = json.dumps([self.get_task_family(), params, upstream], sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()[:12]

    def manifest(self):
        path = self.input()["manifest"].path if isinstance(self.input(), dict) else self.input().path
        return manifest.Manifest.from_json(path)

    def videos(self):
        if not 0 <= self.shard < self.n_shards:
            raise DataError(f"--shard {self.shard} is outside 0..{self.n_shards - 1} (--n-shards {self.n_shards})")
        m = self.manifest()
        return m, m.shard(self.shard, self.n_shards)

    def write(self, kind, m, arrays, rejects, n_videos):
        source = self.output().path
        video_shards.check_rejects(rejects, n_videos, self.max_reject_fraction, source, self.get_task_family())
        for vid, reason in rejects:
            log.warning("%s: rejected %s: %s", self.get_task_family(), vid, reason)
        arrays["rejects"] = video_shards.rejects_array(rejects, source)
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, kind, arrays, self.provenance(classes=m.classes, n_rejected=len(rejects)))


class ExtractKeyframes(VideoShardTask):
    """k keyframes per video (pipeline.keyframes), as (S, S, 3) uint8, for one shard of the videos, and in
    the same decoding pass the offline default video feature (dataset Y)."""
    keyframes = luigi.IntParameter(default=3, description="keyframes per video (k)")
    image_size = luigi.IntParameter(default=224, description="network input size S (pixels)")
    grid = luigi.IntParameter(default=4, description="motion descriptor: cells per side")
    bins = luigi.IntParameter(default=8, description="motion descriptor: orientation bins")

    def run(self):
        m, videos = self.videos()
        arrays, rejects = video_shards.keyframe_shard(
            videos, self.keyframes, self.image_size, motion=(self.grid, self.bins),
            progress=lambda i, n: self.progress(i / n, f"{i}/{n} videos"))
        self.write("keyframes", m, arrays, rejects, len(videos))


class ExtractVideoFeatures(VideoShardTask):
    """The clip-level video feature y of each video of one shard, by the chosen extractor:
    default (offline motion descriptor, computed in ExtractKeyframes' decoding pass), r3d_18 / r2plus1d_18 /
    mc3_18 (torchvision 3D CNN, weights from a local file), precomputed (imported from a file)."""
    extractor = luigi.ChoiceParameter(choices=EXTRACTORS, default="default", description="which video feature")
    # default: the keyframe shard's feature (its grid/bins: luigi.cfg [ExtractKeyframes]); these two
    # are passed on so that the keyframe task is the very one TrainDIVAFN requires
    keyframes = ExtractKeyframes.keyframes
    image_size = ExtractKeyframes.image_size
    weights = luigi.Parameter(default="", description="3D CNN: local state-dict file (never downloaded)")
    allow_random_weights = luigi.BoolParameter(default=False, description="3D CNN: run without a weights file")
    clip_frames = luigi.IntParameter(default=16, description="3D CNN: frames sampled per video")
    batch_size = luigi.IntParameter(default=16, significant=False, description="3D CNN: clips per forward pass")
    device = luigi.Parameter(default="auto", significant=False, description="3D CNN: auto, cpu, cuda, cuda:N")
    precomputed_path = luigi.Parameter(default="", description="precomputed: .npz/.npy/.h5/.mat file")
    precomputed_dataset = luigi.Parameter(default="features", description="precomputed: name of the feature array")

    def requires(self):
        req = dict(manifest=self.clone(BuildManifest))
        if self.extractor == "default":     # computed in the keyframes' decoding pass
            # the keyframe task's own reject limit, grid and bins apply (luigi.cfg, --ExtractKeyframes-…)
            kw = {k: v for k, v in self.param_kwargs.items()
                  if k in ExtractKeyframes.get_param_names() and k != "max_reject_fraction"}
            req["keyframes"] = ExtractKeyframes(**kw)
        return req

    def run(self):
        m, videos = self.videos()
        if self.extractor == "default":
            kf = h5io.read(self.input()["keyframes"].path, "keyframes", ["Y", "ids"])
            arrays, rejects = dict(Y=kf["Y"], ids=kf["ids"]), []   # its rejects are the keyframe shard's
        elif self.extractor == "precomputed":
            if not self.precomputed_path:
                raise DataError("extractor precomputed needs a file: --ExtractVideoFeatures-precomputed-path "
                                "(luigi.cfg [ExtractVideoFeatures] precomputed_path).")
            ids, X = precomputed.load(self.precomputed_path, self.precomputed_dataset)
            wanted = [v.id for v in videos]
            arrays, rejects = dict(Y=precomputed.match(ids, X, wanted, self.precomputed_path),
                                   ids=np.array(wanted, dtype=str)), []
        else:
            arrays, rejects = self._backbone(videos)
        self.write("video_features", m, arrays, rejects, len(videos))

    def _backbone(self, videos):
        from pipeline.train import resolve_device
        model = video_backbones.build(self.extractor, self.weights, self.allow_random_weights)
        device = resolve_device(self.device)
        Y, ids, rejects, clips, clip_ids = [], [], [], [], []

        def flush():
            if clips:
                Y.append(video_backbones.features(model, clips, device, self.batch_size))
                ids.extend(clip_ids)
                clips.clear()
                clip_ids.clear()

        for vid, clip in video_shards.clip_shard(videos, self.clip_frames, video_backbones.RESIZE,
                                                 progress=lambda i, n: self.progress(i / n, f"{i}/{n} videos")):
            if isinstance(clip, Exception):
                rejects.append((vid, clip.reason))
                continue
            clips.append(clip)
            clip_ids.append(vid)
            if len(clips) == self.batch_size:
                flush()
        flush()
        return dict(Y=np.concatenate(Y) if Y else np.empty((0, video_backbones.DIM), np.float32),
                    ids=np.array(ids, dtype=str)), rejects


class ExtractVideos(ArtifactTask):
    """Every shard of ExtractKeyframes and ExtractVideoFeatures: the video work of a pair, for many workers.

    `luigi --module tasks ExtractVideos --pair UCF... --n-shards 64 --workers 16` (or several machines on one
    luigid) fills the shard folders that TrainDIVAFN then finds complete. Writes nothing of its own.
    """
    data_root = BuildManifest.data_root
    split = BuildManifest.split
    n_shards = VideoShardTask.n_shards

    def requires(self):
        shards = range(self.n_shards)
        return dict(keyframes=[self.clone(ExtractKeyframes, shard=i) for i in shards],
                    video_features=[self.clone(ExtractVideoFeatures, shard=i) for i in shards])

    def complete(self):
        return all(t.complete() for t in flatten(self.requires()))

    def output(self):
        return []

    def run(self):
        pass
