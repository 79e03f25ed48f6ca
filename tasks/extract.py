"""Video stages, one shard of the manifest's videos per task so that workers can share them."""
import logging

import luigi
import numpy as np

from pipeline import decode, h5io, keyframes, manifest, video_features
from pipeline.errors import DataError

from .base import ArtifactTask
from .data import BuildManifest

log = logging.getLogger("luigi-interface")


class VideoShardTask(ArtifactTask):
    data_root = BuildManifest.data_root
    split = BuildManifest.split
    shard = luigi.IntParameter(default=0, description="which shard of the videos")
    n_shards = luigi.IntParameter(default=4, description="how many shards the videos are split into")
    digest_excludes = ("shard",)   # all shards of one configuration share a folder

    def requires(self):
        return self.clone(BuildManifest)

    def output(self):
        return self.artifact(f"shard-{self.shard:03d}.h5")

    def videos(self):
        if not 0 <= self.shard < self.n_shards:
            raise DataError(f"--shard {self.shard} is outside 0..{self.n_shards - 1} (--n-shards {self.n_shards})")
        m = manifest.Manifest.from_json(self.input().path)
        return m, m.shard(self.shard, self.n_shards)


class ExtractKeyframes(VideoShardTask):
    """k keyframes per video (pipeline.keyframes), as (S, S, 3) uint8, for one shard of the videos."""
    keyframes = luigi.IntParameter(default=3, description="keyframes per video (k)")
    image_size = luigi.IntParameter(default=224, description="network input size S (pixels)")

    def run(self):
        m, videos = self.videos()
        K = np.empty((len(videos), self.keyframes, self.image_size, self.image_size, 3), np.uint8)
        index = np.empty((len(videos), self.keyframes), np.int64)
        for i, v in enumerate(videos):
            K[i], index[i] = keyframes.extract(decode.decode(v.path), self.keyframes, self.image_size)
            self.progress((i + 1) / len(videos), f"{i + 1}/{len(videos)} videos")
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, "keyframes", dict(K=K, frame_index=index, ids=np.array([v.id for v in videos], dtype=str)),
                       self.provenance(classes=m.classes))


class ExtractVideoFeatures(VideoShardTask):
    """The clip-level video feature y of each video (pipeline.video_features), for one shard."""
    grid = luigi.IntParameter(default=4, description="motion descriptor: cells per side")
    bins = luigi.IntParameter(default=8, description="motion descriptor: orientation bins")

    def run(self):
        m, videos = self.videos()
        Y = np.empty((len(videos), video_features.dim(self.grid, self.bins)), np.float32)
        for i, v in enumerate(videos):
            Y[i] = video_features.motion_descriptor(decode.decode(v.path).thumbs, self.grid, self.bins)
            self.progress((i + 1) / len(videos), f"{i + 1}/{len(videos)} videos")
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, "video_features", dict(Y=Y, ids=np.array([v.id for v in videos], dtype=str)),
                       self.provenance(classes=m.classes))
