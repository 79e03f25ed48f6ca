"""The final classifier: a linear SVM on the semantic features of the training videos, scored on the test videos.

Its fitted arrays (input scaling and SVM) are kept in classifier.h5, which prediction (tasks/predict.py) reads."""
import logging

import luigi

from pipeline.evaluation import SCALINGS

from .base import ArtifactTask
from .params import OneChain, Positive
from .semantics import ProjectSemantics
from .train import DumpFeatures

log = logging.getLogger("luigi-interface")


class FitClassifier(OneChain, ArtifactTask):
    """Linear SVM on [W_H h ; W_G g ; W_E e] of the training videos, scored on the test videos (and the video_only
    baseline): the one fit of these two methods, which prediction (classifier.h5) and CompareMethods (results.json)
    read."""
    svm_c = Positive(default=1.0, description="the SVM's C")
    scaling = luigi.ChoiceParameter(choices=SCALINGS, default="blocks",
                                    description="the SVM's input: each block centred and L2-normalised (blocks), or "
                                                "every coordinate standardised (standardise)")

    implied_inputs = ("features",)      # upstream of semantic

    def requires(self):
        return dict(semantic=self.clone(ProjectSemantics), features=self.clone(DumpFeatures))

    def output(self):
        return dict(results=self.artifact("results.json"), classifier=self.artifact("classifier.h5"))

    def run(self):
        from pipeline.evaluation import classifier, methods, results
        from pipeline.io import h5io
        features_path = self.input()["features"].path
        f = h5io.read(features_path, "features", ["Y", "video_labels", "video_split", "video_ids"])
        sem = h5io.read(self.input()["semantic"].path, "semantic", ["SH", "SG", "SE"])
        classes = h5io.attrs(features_path)["classes"]
        scores = methods.compare(methods.method_features(f, sem), f["video_labels"], f["video_split"],
                                 len(classes), self.svm_c, self.seed, self.scaling)
        test = f["video_split"] == "test"
        out = results.results_json(classes, f["video_ids"][test], f["video_labels"][test], scores, self.provenance())
        for name, r in scores.items():
            log.info("%s: test accuracy %s %.1f%%", self.pair_name, name, 100 * r["accuracy"])
        with self.output()["classifier"].temporary_path() as tmp:
            h5io.write(tmp, "classifier", classifier.to_arrays(scores["divafn"]["model"]),
                       self.provenance(classes=classes, method="divafn", input=methods.METHODS["divafn"]["input"],
                                       scaling=self.scaling))
        with self.output()["results"].temporary_path() as tmp:
            results.write_json(tmp, out)
