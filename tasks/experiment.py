"""The experiment's report (pipeline.report; schema of every artifact: artifacts/README.md)."""
import logging
from pathlib import Path

from luigi.task import flatten

from .base import ArtifactTask, memo
from .classifier import FitClassifier
from .compare import CompareMethods
from .params import Chain

log = logging.getLogger("luigi-interface")


class RunExperiment(Chain, ArtifactTask):
    """The whole method on one pair → metrics.json, report.md and its figures in one run folder."""

    def requires(self):
        return dict(fit=self.clone(FitClassifier), compare=self.clone(CompareMethods))

    def output(self):
        return self.folder_target()

    def run(self):
        from pipeline import report
        fit, compare = self.requires()["fit"], self.requires()["compare"]
        semantics = fit.requires()
        dump, classnames = semantics.requires()["features"], semantics.requires()["classnames"]
        train = dump.requires()
        with memo():        # one walk of the graph: every stage's digest computed once
            graph = _graph(fit)
            graph.update({k: v for k, v in _graph(compare).items() if k not in graph})
        paths = dict(results=[self.input()["fit"]["results"].path, self.input()["compare"].path], features=dump.output().path,
                     semantic=semantics.output().path, model=train.output().path, manifest=train.input()["manifest"].path,
                     classnames=classnames.output().path, rejects=train.input()["rejects"].path)
        metrics, res, feats, history = report.collect(self.pair, self.seed, self.split, paths, graph)
        self.progress(0.3, "drawing the figures")
        with self.output().temporary_path() as tmp:
            Path(tmp).mkdir(parents=True)
            report.write_metrics(tmp, report.write_report(tmp, metrics, res, feats, history))
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
