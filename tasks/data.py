"""Data stages: the dataset (generated or found), the manifest, the prepared still images."""
import hashlib
import logging
from pathlib import Path

import luigi

from pipeline.data import custom, manifest, synthetic

from .base import ArtifactTask
from .config import paths
from .params import SEED_MAX, Count, Dataset, ImageSize

log = logging.getLogger("luigi-interface")


class MakeSyntheticData(ArtifactTask):
    """SYNTHETIC only: generate the dataset in the official Stanford40 and UCF101 layouts."""
    data_seed = Count(default=0, at_least=0, at_most=SEED_MAX, description="seed of the generated dataset")
    size = luigi.ChoiceParameter(choices=list(synthetic.SIZES), default="default",
                                 description="dataset size: default, tiny, x2/x4/x8/x16 (images and videos per class), "
                                             "ucf101 (101 classes, BU101→UCF101's counts)")
    processes = Count(default=0, at_least=0, significant=False,
                      description="processes writing the files (0: one per CPU core, fewer for small sizes); the same "
                                  "bytes for any number")

    def output(self):
        return self.artifact("data")

    def run(self):
        with self.output().temporary_path() as tmp:
            stats = synthetic.generate(tmp, self.data_seed, self.size, processes=self.processes,
                                       progress=lambda done, n: self.progress(done / n, f"{done}/{n} files"))
        log.info("MakeSyntheticData %s: %d classes, %d images, %d videos generated in %.1f s by %d processes",
                 self.size, stats["classes"], stats["images"], stats["videos"], stats["seconds"], stats["processes"])


class datasets(luigi.Config):
    """[datasets]: a dataset's own folder, for users whose folder is not `<data root>/<usual name>` (DESIGN §4).

    Empty (the default): `<data root>/Stanford40`, `<data root>/UCF101`, ... Keys are the datasets'
    usual folder names in lower case, e.g. `[datasets] ucf101 = /mnt/videos/ucf101`.
    """
    stanford40 = luigi.Parameter(default="", description="folder of Stanford40 (JPEGImages/, ImageSplits/)")
    ucf101 = luigi.Parameter(default="", description="folder of UCF101 (UCF-101/, ucfTrainTestlist/)")
    hmdb51 = luigi.Parameter(default="", description="folder of HMDB51 (<class>/, testTrainMulti_7030_splits/)")
    bu101 = luigi.Parameter(default="", description="folder of BU101 (one folder per class)")
    asd = luigi.Parameter(default="", description="folder of ASD (one folder per class)")
    ead = luigi.Parameter(default="", description="folder of EAD (one folder per class)")


class BuildManifest(Dataset, ArtifactTask):
    """Every item of the pair (path, class, split, modality), after checking the dataset layout.

    Every other stage depends on this one, so a missing or incomplete dataset stops the run here, with
    one error listing every problem, before anything is computed or written. A pair file (--pair my_pair.toml)
    names its own folders: --data-root and [datasets] do not apply to it.
    """
    def requires(self):
        return self.clone(MakeSyntheticData) if self.pair == "SYNTHETIC" else []

    def unused_settings(self) -> dict:
        if self.pair == "SYNTHETIC":
            return {"data_root": "SYNTHETIC is generated (MakeSyntheticData), not read from a data root, so this "
                                 "setting would be ignored; drop it, or give the --pair of the datasets under it "
                                 "(docs/datasets.md)."}
        if custom.is_pair_file(self.pair):
            return {"data_root": f"{self.pair_name} is a pair file, whose roots are its own ([images] root, [videos] "
                                 "root), so this setting would be ignored; drop it, or change the roots in the file."}
        return {}

    @property
    def pair_spec(self):
        """SYNTHETIC's class table and layouts depend on its size (the ucf101 size: BU101→UCF101's)."""
        return synthetic.pair(self.requires().size) if self.pair == "SYNTHETIC" else super().pair_spec

    def output(self):
        return self.artifact("manifest.json")

    def roots(self):
        """(data root, {dataset folder: override}) this run reads from."""
        if self.pair == "SYNTHETIC":
            return Path(self.input().path), {}
        if custom.is_pair_file(self.pair):     # its roots are its own (manifest.dataset_roots): the file's folder
            return Path(self.pair_spec.path).parent, {}
        overrides = {ds.folder: getattr(datasets(), ds.folder.lower())
                     for ds in (self.pair_spec.images, self.pair_spec.videos)}
        return Path(self.data_root or paths().data_root), overrides

    def digest(self) -> str:
        """The parameters' digest, plus where the data is read from (the [datasets] overrides, the
        [paths] default): pointing the pipeline at other data makes a new manifest. A pair file adds what it
        describes (custom.pair_digest: its content, not its path or modification time)."""
        if self.pair == "SYNTHETIC":
            return super().digest()
        root, overrides = self.roots()
        roots = manifest.dataset_roots(self.pair_spec, root, overrides)
        where = sorted((side, str(p.absolute())) for side, p in roots.items())
        described = f" {custom.pair_digest(self.pair_spec)}" if custom.is_pair_file(self.pair) else ""
        return hashlib.sha256(f"{super().digest()} {where}{described}".encode()).hexdigest()[:12]

    def run(self):
        root, overrides = self.roots()
        if getattr(self.pair_spec, "warning", ""):          # a pair file's classes found on one side only
            log.warning("BuildManifest %s: %s", self.pair_name, self.pair_spec.warning)
        m = manifest.build(self.pair_spec, root, self.split, overrides)
        log.info("%s: %d classes, %d images, %d videos (%d train / %d test)", self.pair_name, len(m.classes),
                 len(m.images), len(m.videos), len(m.videos_in("train")), len(m.videos_in("test")))
        for side, ignored in m.ignored.items():           # a pair file's tree: hidden and non-media files
            log.info("%s: %d files under the %s root are not %s and were ignored (manifest.json `ignored`), e.g. %s",
                     self.pair_name, len(ignored), side, side, ignored[0])
        with self.output().temporary_path() as tmp:
            m.to_json(tmp)


class PrepareImages(Dataset, ImageSize, ArtifactTask):
    """Every still image decoded once to (px, px, 3) uint8, so training never touches JPEG files; an image that
    cannot be decoded is listed in `rejects` (CheckRejects checks the budget over the whole collection)."""

    def requires(self):
        return self.clone(BuildManifest)

    def output(self):
        return self.artifact("images.h5")

    def run(self):
        from pipeline.data import images
        from pipeline.io import h5io
        from pipeline.io.rejects import rejects_array
        m = manifest.Manifest.from_json(self.input().path)
        with self.output().temporary_path() as tmp:
            with h5io.growing(tmp, "X", (self.image_size, self.image_size, 3)) as append:   # one image in memory
                arrays, rejects = images.prepare(m.images, self.image_size, append=append, progress=lambda i, n: (
                    self.progress(i / n, f"{i}/{n} images") if i % 200 == 0 or i == n else None))
            for item_id, reason in rejects:
                log.warning("PrepareImages: rejected %s: %s", item_id, reason)
            arrays["rejects"] = rejects_array(rejects, self.output().path)
            h5io.write(tmp, "images", arrays, self.provenance(classes=m.classes, n_rejected=len(rejects)), mode="a")
