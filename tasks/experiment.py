"""The final classifier and the experiment's report."""
import json
import logging
from pathlib import Path

import luigi
import numpy as np

from pipeline import evaluation, h5io, provenance, report

from .base import ArtifactTask
from .semantics import ProjectSemantics

log = logging.getLogger("luigi-interface")


class FitClassifier(ArtifactTask):
    """Linear SVM on [W_H h ; W_G g ; W_E e] of the training videos, scored on the test videos (and baselines)."""
    seed = luigi.IntParameter(default=0, description="seed of the SVM solver")
    svm_c = luigi.FloatParameter(default=1.0, description="the SVM's C")

    def requires(self):
        return self.clone(ProjectSemantics)

    def output(self):
        return self.artifact("results.json")

    def run(self):
        features_path = self.requires().input()["features"].path
        f = h5io.read(features_path, "features", ["Y", "video_labels", "video_split", "video_ids"])
        sem = h5io.read(self.input().path, "semantic", ["SH", "SG", "SE"])
        classes = h5io.attrs(features_path)["classes"]
        results = evaluation.compare(evaluation.method_features(f, sem), f["video_labels"], f["video_split"],
                                     len(classes), self.svm_c, self.seed)
        test_ids = f["video_ids"][f["video_split"] == "test"]
        out = dict(classes=classes, test_ids=test_ids.tolist(), test_labels=f["video_labels"][f["video_split"] == "test"].tolist(),
                   methods={name: dict(accuracy=r["accuracy"], per_class=r["per_class"].tolist(),
                                       confusion=r["confusion"].tolist(), predicted=r["predicted"].tolist())
                            for name, r in results.items()},
                   provenance=self.provenance())
        for name, r in results.items():
            log.info("%s: test accuracy %s %.1f%%", self.pair, name, 100 * r["accuracy"])
        with self.output().temporary_path() as tmp:
            with open(tmp, "w") as fh:
                json.dump(out, fh, indent=1)


class RunExperiment(ArtifactTask):
    """The whole method on one pair → metrics.json, report.md, confusion.png in one run folder."""
    seed = luigi.IntParameter(default=0, description="seed of training and evaluation")

    def requires(self):
        return self.clone(FitClassifier)

    def output(self):
        return self.folder_target()

    def run(self):
        fit = self.requires()
        res = json.loads(open(self.input().path).read())
        sem_path = fit.input().path
        features_path = fit.requires().input()["features"].path
        train_task = fit.requires().requires()["features"].requires()
        f = h5io.read(features_path, "features", ["video_split", "image_labels"])
        sem_attrs = h5io.attrs(sem_path)
        classes = res["classes"]
        divafn = res["methods"]["divafn"]
        metrics = dict(
            pair=self.pair, seed=self.seed, classes=classes,
            n_train_videos=int((f["video_split"] == "train").sum()), n_test_videos=int((f["video_split"] == "test").sum()),
            n_images=int(len(f["image_labels"])), chance=1.0 / len(classes),
            accuracy={k: v["accuracy"] for k, v in res["methods"].items()},
            per_class_accuracy=dict(zip(classes, divafn["per_class"])),
            confusion=divafn["confusion"], lambdas=sem_attrs["lambdas"],
            embedding="hashed character n-grams (offline default; no word vectors file)",
            weights="trained from scratch (no ImageNet weights file)",
            parameters={t.get_task_family(): t.to_str_params(only_significant=True) for t in (train_task, fit.requires(), fit, self)},
            code_version=provenance.code_version())
        with self.output().temporary_path() as tmp:
            Path(tmp).mkdir(parents=True)
            (Path(tmp) / "metrics.json").write_text(json.dumps(metrics, indent=1))
            report.plot_confusion(np.array(divafn["confusion"]), classes, Path(tmp) / "confusion.png",
                                  f"DIVAFN on {self.pair}: {divafn['accuracy']:.1%}")
            report.write_markdown(Path(tmp) / "report.md", metrics, "confusion.png")
        log.info("RunExperiment %s: report in %s", self.pair, self.output().path)
