"""The experiment's report (pipeline.report; schema of every artifact: artifacts/README.md)."""
import logging
from pathlib import Path

from pipeline.method.train_config import CHAINS

from .base import ArtifactTask, memo
from .classifier import FitClassifier
from .classnames import EmbedClassNames
from .compare import CompareMethods
from .data import BuildManifest
from .extract import CheckRejects
from .graph import stage_graph
from .params import Chain, Compared
from .semantics import ProjectSemantics
from .train import DumpFeatures, TrainDIVAFN

log = logging.getLogger("luigi-interface")


class RunExperiment(Chain, Compared, ArtifactTask):
    """The whole method on one pair → metrics.json, report.md and its figures in one run folder."""
    # upstream of fit and compare: the report reads them, their paths are in fit's
    # (and the other chains' features: upstream of compare)
    implied_inputs = ("features", "semantic", "model", "manifest", "classnames", "rejects", "chain_features")

    def requires(self):
        chains = dict(divafn_no_keyframes=CompareMethods.NO_KEYFRAMES, **{m: CHAINS[m] for m in self.chains})
        return dict(fit=self.clone(FitClassifier), compare=self.clone(CompareMethods),
                    features=self.clone(DumpFeatures), semantic=self.clone(ProjectSemantics),
                    model=self.clone(TrainDIVAFN), manifest=self.clone(BuildManifest),
                    classnames=self.clone(EmbedClassNames), rejects=self.clone(CheckRejects),
                    chain_features={m: self.clone(DumpFeatures, train_overrides=o) for m, o in chains.items()})

    def output(self):
        return self.folder_target()

    def run(self):
        from pipeline import report
        inp = self.input()
        # the configured chain's stages (fit's graph), then what CompareMethods adds (itself: its no-keyframes chain's
        # stages are families fit's graph has), so each stage lists the configured chain's outputs
        with memo():        # one walk of the graph: every stage's digest computed once
            graph = stage_graph(self.requires()["fit"])
            graph.update({k: v for k, v in stage_graph(self.requires()["compare"]).items() if k not in graph})
        paths = dict(results=inp["compare"].path, features=inp["features"].path, semantic=inp["semantic"].path,
                     model=inp["model"].path, manifest=inp["manifest"].path, classnames=inp["classnames"].path,
                     rejects=inp["rejects"].path, chain_features={m: t.path for m, t in inp["chain_features"].items()})
        metrics, res, feats, history = report.collect(self.pair_name, self.seed, self.split, paths, graph)
        if self.pair != self.pair_name:          # a pair file: the report names it
            metrics["pair_file"] = self.pair
        self.progress(0.3, "drawing the figures")
        with self.output().temporary_path() as tmp:
            Path(tmp).mkdir(parents=True)
            report.write_metrics(tmp, report.write_report(tmp, metrics, res, feats, history))
        log.info("RunExperiment %s: report in %s", self.pair_name, Path(self.output().path) / "report.md")
