"""Class-name embeddings S."""
import luigi
import numpy as np

from pipeline import embeddings, h5io

from .base import ArtifactTask
from .data import BuildManifest


class EmbedClassNames(ArtifactTask):
    """S: one vector per class name of the pair (offline; pipeline.embeddings) → classnames.h5."""
    embedding_dim = luigi.IntParameter(default=300, description="d, the length of a class-name vector")
    data_root = BuildManifest.data_root
    split = BuildManifest.split

    def requires(self):
        return self.clone(BuildManifest)      # so that nothing runs before the data is checked

    def output(self):
        return self.artifact("classnames.h5")

    def run(self):
        names = self.pair_spec.classes
        S = embeddings.hashed_ngrams(names, self.embedding_dim)
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, "classnames", dict(S=S, names=np.array(names), words=np.array([" ".join(embeddings.words(n)) for n in names])),
                       self.provenance(classes=names, provider="hashed_ngrams"))
