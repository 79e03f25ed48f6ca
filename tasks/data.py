"""Data stages: the dataset (generated or found), the manifest, the prepared still images."""
import logging
from pathlib import Path

import luigi
import numpy as np

from pipeline import h5io, images, manifest, synthetic

from .base import ArtifactTask
from .config import paths

log = logging.getLogger("luigi-interface")


class MakeSyntheticData(ArtifactTask):
    """SYNTHETIC only: generate the dataset in the official Stanford40 and UCF101 layouts."""
    data_seed = luigi.IntParameter(default=0, description="seed of the generated dataset")
    size = luigi.ChoiceParameter(choices=list(synthetic.SIZES), default="default", description="dataset size")

    def output(self):
        return self.artifact("data")

    def run(self):
        with self.output().temporary_path() as tmp:
            synthetic.generate(tmp, self.data_seed, self.size,
                               progress=lambda done, total: self.progress(done / total, f"{done}/{total} files"))


class BuildManifest(ArtifactTask):
    """Every item of the pair (path, class, split, modality), after checking the dataset layout."""
    data_root = luigi.Parameter(default="", description="folder of the datasets; empty: [paths] data_root")
    split = luigi.IntParameter(default=1, description="official split 1, 2 or 3")

    def requires(self):
        return self.clone(MakeSyntheticData) if self.pair == "SYNTHETIC" else []

    def output(self):
        return self.artifact("manifest.json")

    def run(self):
        root = self.input().path if self.pair == "SYNTHETIC" else (self.data_root or paths().data_root)
        m = manifest.build(self.pair_spec, Path(root), self.split)
        log.info("%s: %d classes, %d images, %d videos (%d train / %d test)", self.pair, len(m.classes), len(m.images),
                 len(m.videos), len(m.videos_in("train")), len(m.videos_in("test")))
        with self.output().temporary_path() as tmp:
            m.to_json(tmp)


class PrepareImages(ArtifactTask):
    """Every still image decoded once to (S, S, 3) uint8, so training never touches JPEG files."""
    data_root = BuildManifest.data_root
    split = BuildManifest.split
    image_size = luigi.IntParameter(default=224, description="network input size S (pixels)")

    def requires(self):
        return self.clone(BuildManifest)

    def output(self):
        return self.artifact("images.h5")

    def run(self):
        m = manifest.Manifest.from_json(self.input().path)
        X = np.empty((len(m.images), self.image_size, self.image_size, 3), np.uint8)
        for i, item in enumerate(m.images):
            X[i] = images.load_rgb(item.path, self.image_size)
            if i % 200 == 0:
                self.progress(i / len(m.images), f"{i}/{len(m.images)} images")
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, "images", dict(X=X, labels=np.array([it.label for it in m.images]),
                                           ids=np.array([it.id for it in m.images]),
                                           split=np.array([it.split for it in m.images])),
                       self.provenance(classes=m.classes))
