"""The semantic autoencoders Auto-F/H/G/E."""
import logging

import luigi

from .base import ArtifactTask
from .classnames import EmbedClassNames
from .params import OneChain, Positives
from .train import DumpFeatures

log = logging.getLogger("luigi-interface")


class ProjectSemantics(OneChain, ArtifactTask):
    """Auto-F/H/G/E in closed form on the dumped features → W_F, W_H, W_G, W_E and semantic features."""
    lambda_grid = Positives(default=[1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6],
                                      description="λ candidates (SAE's range)")
    keyframe_pooling = luigi.ChoiceParameter(choices=["mean", "max"], default="mean",
                                             description="h from a video's keyframes")
    centre = luigi.BoolParameter(default=True, parsing=luigi.BoolParameter.EXPLICIT_PARSING,
                                 description="centre each autoencoder's input on its fitting set's mean before L2 "
                                             "normalisation (false: SAE's plain normalisation)")

    def requires(self):
        return dict(features=self.clone(DumpFeatures), classnames=self.clone(EmbedClassNames))

    def output(self):
        return self.artifact("semantic.h5")

    def run(self):
        from pipeline.io import h5io
        from pipeline.method import semantics
        f = h5io.read(self.input()["features"].path, "features")
        S = h5io.read(self.input()["classnames"].path, "classnames")["S"]
        fit = semantics.fit_all(f["F"], f["image_labels"], f["H"], f["G"], f["video_labels"],
                                f["video_split"] == "train", S, list(self.lambda_grid), self.keyframe_pooling,
                                self.seed, self.centre)
        for name, lam in fit["at_edge"].items():
            if name in fit["edge_ties"]:
                log.warning("ProjectSemantics %s: Auto-%s chose λ = %g, an end of lambda_grid, on a tie: its "
                            "cross-validation scored another λ as high, so a wider grid would change nothing",
                            self.pair, name, lam)
            else:
                log.warning("ProjectSemantics %s: Auto-%s chose λ = %g, an end of lambda_grid %s; the best λ may lie "
                            "beyond it: widen [ProjectSemantics] lambda_grid", self.pair, name, lam,
                            list(self.lambda_grid))
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, "semantic", dict(**fit["arrays"], video_ids=f["video_ids"]),
                       self.provenance(lambdas=fit["lambdas"], cv_scores=fit["cv_scores"],
                                       lambda_at_edge=fit["at_edge"], lambda_edge_ties=fit["edge_ties"],
                                       classes=h5io.attrs(self.input()["features"].path)["classes"]))
