"""The semantic autoencoders Auto-F/H/G/E."""
import luigi

from pipeline.io import h5io
from pipeline.method import semantics

from .base import ArtifactTask
from .classnames import EmbedClassNames
from .params import OneChain
from .train import DumpFeatures


class ProjectSemantics(OneChain, ArtifactTask):
    """Auto-F/H/G/E in closed form on the dumped features → W_F, W_H, W_G, W_E and semantic features."""
    lambda_grid = luigi.ListParameter(default=[0.01, 0.1, 1.0, 10.0, 100.0], description="λ candidates")
    keyframe_pooling = luigi.ChoiceParameter(choices=["mean", "max"], default="mean", description="h from a video's keyframes")
    centre = luigi.BoolParameter(default=True, parsing=luigi.BoolParameter.EXPLICIT_PARSING,
                                 description="centre each autoencoder's input on its fitting set's mean before L2 "
                                             "normalisation (false: SAE's plain normalisation)")

    def requires(self):
        return dict(features=self.clone(DumpFeatures), classnames=self.clone(EmbedClassNames))

    def output(self):
        return self.artifact("semantic.h5")

    def run(self):
        f = h5io.read(self.input()["features"].path, "features")
        S = h5io.read(self.input()["classnames"].path, "classnames")["S"]
        fit = semantics.fit_all(f["F"], f["image_labels"], f["H"], f["G"], f["video_labels"], f["video_split"] == "train",
                                S, list(self.lambda_grid), self.keyframe_pooling, self.seed, self.centre)
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, "semantic", dict(**fit["arrays"], video_ids=f["video_ids"]),
                       self.provenance(lambdas=fit["lambdas"], cv_scores=fit["cv_scores"],
                                       classes=h5io.attrs(self.input()["features"].path)["classes"]))
