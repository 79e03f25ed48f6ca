"""The final classifier and the experiment's report (pipeline.report; schema of every artifact: artifacts/README.md)."""
import json
import logging
from pathlib import Path

import luigi
from luigi.task import flatten

from pipeline import report
from pipeline.data import manifest
from pipeline.evaluation import methods, results
from pipeline.io import h5io, provenance
from pipeline.io.rejects import read_rejects
from pipeline.method import checkpoint

from .base import ArtifactTask
from .params import Chain, OneChain
from .semantics import ProjectSemantics

log = logging.getLogger("luigi-interface")


class FitClassifier(OneChain, ArtifactTask):
    """Linear SVM on [W_H h ; W_G g ; W_E e] of the training videos, scored on the test videos (and baselines)."""
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
        scores = methods.compare(methods.method_features(f, sem), f["video_labels"], f["video_split"],
                                     len(classes), self.svm_c, self.seed)
        test = f["video_split"] == "test"
        out = results.results_json(classes, f["video_ids"][test], f["video_labels"][test], scores, self.provenance())
        for name, r in scores.items():
            log.info("%s: test accuracy %s %.1f%%", self.pair, name, 100 * r["accuracy"])
        with self.output().temporary_path() as tmp:
            results.write_json(tmp, out)


class RunExperiment(Chain, ArtifactTask):
    """The whole method on one pair → metrics.json, report.md and its figures in one run folder."""

    def requires(self):
        from .compare import (
            CompareMethods,  # every method and ablation on the same split
        )
        return dict(fit=self.clone(FitClassifier), compare=self.clone(CompareMethods))

    def output(self):
        return self.folder_target()

    def run(self):
        fit = self.requires()["fit"]
        dump = fit.requires().requires()["features"]
        train_task = dump.requires()
        res = json.loads(Path(self.input()["fit"].path).read_text())
        res["methods"].update(json.loads(Path(self.input()["compare"].path).read_text())["methods"])
        feats = h5io.read(dump.output().path, "features")
        ckpt = checkpoint.load(train_task.output().path)
        m = manifest.Manifest.from_json(train_task.input()["manifest"].path)
        shards = [t.path for t in train_task.input()["keyframes"] + train_task.input()["video_features"]]
        classes = res["classes"]
        divafn = res["methods"]["divafn"]
        graph = _graph(fit)
        graph.update({k: v for k, v in _graph(self.requires()["compare"]).items() if k not in graph})
        names = h5io.attrs(fit.requires().input()["classnames"].path)   # which embedding provider made S
        metrics = dict(
            pair=self.pair, seed=self.seed, classes=classes,
            n_train_videos=int((feats["video_split"] == "train").sum()), n_test_videos=int((feats["video_split"] == "test").sum()),
            n_images=int(len(feats["image_labels"])), chance=1.0 / len(classes),
            accuracy={k: v["accuracy"] for k, v in res["methods"].items()},
            per_class_accuracy=dict(zip(classes, divafn["per_class"])),
            confusion=divafn["confusion"], lambdas=h5io.attrs(fit.input().path)["lambdas"],
            embedding=names.get("embedding", "hashed character n-grams (offline default; no word vectors file)"),
            embedding_provider=names.get("provider", "hashed_ngrams"), embedding_missing_words=names.get("missing_words") or {},
            weights=checkpoint.weights_text(ckpt), backbone=ckpt["dims"]["backbone"],
            device=(ckpt.get("provenance") or {}).get("device"),
            data=report.data_summary(m, train_task.split),
            rejects=[r for p in shards for r in read_rejects(p)],
            parameters={family: params for family, (params, _) in graph.items()},
            artifacts={family: paths for family, (_, paths) in graph.items()},
            code_version=provenance.code_version())
        self.progress(0.3, "drawing the figures")
        with self.output().temporary_path() as tmp:
            Path(tmp).mkdir(parents=True)
            metrics = report.write_report(tmp, metrics, res, feats, ckpt.get("history") or [])
            report.write_metrics(tmp, metrics)
        log.info("RunExperiment %s: report in %s", self.pair, Path(self.output().path) / "report.md")


def _graph(task) -> dict:
    """family → (significant parameters, output paths) of `task` and everything upstream, in data-flow order.

    Shard tasks of one stage collapse into one entry (their parameters minus `shard`, every shard's path).
    """
    out, seen = {}, set()

    def walk(t):
        if t.task_id in seen:
            return
        seen.add(t.task_id)
        for dep in flatten(t.requires()):
            walk(dep)
        params = t.digest_params()
        family = t.get_task_family()
        out.setdefault(family, (params, []))[1].extend(o.path for o in flatten(t.output()))

    walk(task)
    return out
