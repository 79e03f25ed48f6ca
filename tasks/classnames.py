"""Class-name embeddings S."""
import logging

import luigi
import numpy as np

from pipeline.method import embeddings

from .base import ArtifactTask
from .data import BuildManifest
from .params import Count, Dataset

log = logging.getLogger("luigi-interface")


class EmbedClassNames(Dataset, ArtifactTask):
    """S: one vector per class name of the pair (pipeline.method.embeddings) → classnames.h5.

    provider: `glove` (the default: GloVe 6B 50-d from an installed package; hashed_ngrams when it is absent),
    `hashed_ngrams` (no file, spelling only), `word_vectors` (a word2vec binary/text or GloVe
    text file named by `vectors_path`), `sentence_transformers` (a local model folder named by `vectors_path`;
    needs the sentence-transformers package). classnames.h5's attrs say which was used and which words
    the vocabulary lacked.
    """
    embedding_dim = Count(default=300, description="d, the length of a class-name vector (hashed_ngrams; "
                                                                 "the file providers take d from the file)")
    provider = luigi.ChoiceParameter(choices=list(embeddings.PROVIDERS), default="glove",
                                     description="where class-name vectors come from")
    vectors_path = luigi.Parameter(default="", description="word vectors file / sentence-transformers model folder "
                                                           "(word_vectors, sentence_transformers)")

    centre = luigi.BoolParameter(default=True, parsing=luigi.BoolParameter.EXPLICIT_PARSING,
                                 description="remove the mean class vector from S (rows renormalised; docs/method.md)")

    FILE_PROVIDERS = ("word_vectors", "sentence_transformers")   # read vectors_path, and take d from its file

    def unused_settings(self) -> dict:
        if self.provider in self.FILE_PROVIDERS:
            return {"embedding_dim": f"the provider {self.provider} takes d from its file, so it would be ignored; "
                                     f"drop it."}
        return {"vectors_path": f"the provider {self.provider} reads no file (only {' and '.join(self.FILE_PROVIDERS)} "
                                f"do), so it would be ignored; drop it, or choose --EmbedClassNames-provider "
                                f"word_vectors."}

    def requires(self):
        return self.clone(BuildManifest)      # so that nothing runs before the data is checked

    def output(self):
        return self.artifact("classnames.h5")

    def run(self):
        from pipeline.data import manifest
        from pipeline.io import h5io
        names = manifest.Manifest.from_json(self.input().path).classes     # the pair's (SYNTHETIC's: of its size)
        S, info = embeddings.embed(names, self.provider, self.embedding_dim, self.vectors_path, self.centre)
        log.info("EmbedClassNames %s: %s", self.pair_name, info["description"])
        for name, missing in info["missing_words"].items():
            log.warning("EmbedClassNames %s: class %r: words not in the vocabulary of %s: %s", self.pair_name, name,
                        self.vectors_path, ", ".join(missing))
        with self.output().temporary_path() as tmp:
            words = np.array([" ".join(embeddings.words(n)) for n in names])
            h5io.write(tmp, "classnames", dict(S=S, names=np.array(names), words=words),
                       self.provenance(classes=names, provider=info["provider"], vectors_path=info["vectors_path"],
                                       embedding=info["description"],
                                       missing_words=info["missing_words"], centred=bool(self.centre)))
