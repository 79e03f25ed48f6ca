"""Methods and ablations on one split (CompareMethods), over seeds (SeedSweep), over c and λ (Sensitivity)."""
import json
import logging
from pathlib import Path

from pipeline.evaluation import results
from pipeline.method.train_config import CHAINS

from .base import ArtifactTask
from .classifier import FitClassifier
from .classnames import EmbedClassNames
from .params import SEED_MAX, Chain, Compared, Counts, Dataset, Device, ImageSize, Positives, Training, Videos
from .semantics import ProjectSemantics
from .train import DumpFeatures, TrainDIVAFN

log = logging.getLogger("luigi-interface")


class CompareMethods(Chain, Compared, ArtifactTask):
    """Every method of pipeline.evaluation.methods.METHODS on the same split, the same SVM → results.json.

    Two trained DIVAFNs: the configured one, and one trained without keyframes (TrainDIVAFN
    use_keyframes=false) for `divafn_no_keyframes`; and the chains of CHAINS that `chains` names (TrainDIVAFN
    objective finetune, dann, divafn_plus; all by default), the same data and budget. divafn and video_only are
    FitClassifier's (fitted once, there); the other methods are fitted here. results.json has FitClassifier's
    layout and holds every method, so the report treats every method alike (accuracy, per-class, confusion, McNemar
    against divafn).
    """
    NO_KEYFRAMES = {"use_keyframes": False}
    # features*: upstream of divafn / no_keyframes; fit: made from divafn by svm_c and scaling, both in scoring()
    implied_inputs = ("features", "features_no_keyframes", "fit", "features_divafn_plus")

    def requires(self):
        return dict(divafn=self.clone(ProjectSemantics),
                    no_keyframes=self.clone(ProjectSemantics, train_overrides=self.NO_KEYFRAMES),
                    classnames=self.clone(EmbedClassNames), features=self.clone(DumpFeatures),
                    features_no_keyframes=self.clone(DumpFeatures, train_overrides=self.NO_KEYFRAMES),
                    fit=self.clone(FitClassifier),
                    # issue 26: the baselines' and divafn_plus's chains (their features; divafn_plus's semantics)
                    **{f"features_{m}": self.clone(DumpFeatures, train_overrides=CHAINS[m]) for m in self.chains},
                    **({"plus": self.clone(ProjectSemantics, train_overrides=CHAINS["divafn_plus"])}
                       if "divafn_plus" in self.chains else {}))

    def conflicting_settings(self) -> dict:
        trained = self.clone(TrainDIVAFN)     # the configured chain, which the comparison scores as `divafn`
        if trained.objective != "divafn":
            return {"objective": (trained, f"the comparison scores the configured chain as the paper's divafn and "
                                            f"trains {trained.objective} beside it itself; drop it (train one "
                                            f"{trained.objective} chain with `luigi --module tasks TrainDIVAFN`).")}
        return {}

    def scoring(self) -> dict:
        """How it scores: FitClassifier's SVM C and input scaling, and ProjectSemantics' pooling, λ grid and centring
        (divafn_untrained)."""
        project, fit = self.requires()["divafn"], self.requires()["fit"]
        return dict(svm_c=fit.svm_c, scaling=fit.scaling, keyframe_pooling=project.keyframe_pooling,
                    lambda_grid=list(project.lambda_grid), centre=project.centre)

    def digest_params(self) -> dict:
        return dict(super().digest_params(), **{k: str(v) for k, v in self.scoring().items()})

    def output(self):
        return self.artifact("results.json")

    def run(self):
        from pipeline.evaluation import methods
        from pipeline.io import assemble, h5io
        inp = self.input()
        path, path_nk = inp["features"].path, inp["features_no_keyframes"].path
        f, classes = h5io.read(path, "features"), h5io.attrs(path)["classes"]
        assemble.check_ids(h5io.read(path_nk, "features", ["video_ids"])["video_ids"], f["video_ids"],
                           "the no-keyframes chain's features", path_nk)
        semantic = h5io.read(inp["divafn"].path, "semantic", ["SH", "SG", "SE", "mu_H", "mu_G"])
        semantic_nk = h5io.read(inp["no_keyframes"].path, "semantic", ["SH", "SG", "SE"])
        fitted = json.loads(Path(inp["fit"]["results"].path).read_text())["methods"]
        scoring = self.scoring()
        untrained = methods.untrained_semantic(f, h5io.read(inp["classnames"].path, "classnames")["S"],
                                               scoring["lambda_grid"], scoring["keyframe_pooling"], self.seed,
                                               scoring["centre"])
        chains = {}
        for m in self.chains:
            p = inp[f"features_{m}"].path
            chains[m] = dict(features=h5io.read(p, "features", ["F", "H", "G", "Y", "image_labels", "video_ids"]))
            assemble.check_ids(chains[m]["features"]["video_ids"], f["video_ids"], f"the {m} chain's features", p)
        if "divafn_plus" in self.chains:
            chains["divafn_plus"]["semantic"] = h5io.read(inp["plus"].path, "semantic", ["SH", "SG", "SE"])
        scores = methods.compare_all(fitted, f, semantic, semantic_nk, len(classes), scoring["keyframe_pooling"],
                                     scoring["svm_c"], self.seed, untrained, scoring["scaling"], chains)
        y, split = f["video_labels"], f["video_split"].astype(str)
        for name, r in sorted(scores.items(), key=lambda kv: -kv[1]["accuracy"]):
            log.info("CompareMethods %s seed %d: %-22s %.1f%%", self.pair_name, self.seed, name, 100 * r["accuracy"])
        out = results.results_json(classes, f["video_ids"][split == "test"], y[split == "test"], scores,
                                   self.provenance(method_descriptions=methods.METHODS, scoring=scoring))
        with self.output().temporary_path() as tmp:
            results.write_json(tmp, out)


class SeedSweep(Dataset, ImageSize, Videos, Device, Training, Compared, ArtifactTask):
    """CompareMethods over several seeds → sweep.json (mean ± std of every method), sweep.md, sweep.png."""
    seeds = Counts(default=[0, 1, 2, 3, 4], at_least=0, at_most=SEED_MAX,
                   description="seeds of training, λ folds and SVM")
    passes_on = Chain.passes_on

    def requires(self):
        return {int(s): self.clone(CompareMethods, seed=int(s)) for s in self.seeds}

    def output(self):
        return self.folder_target()

    def run(self):
        from pipeline.evaluation import sweeps
        per_seed = {s: {m: r["accuracy"] for m, r in json.loads(Path(t.path).read_text())["methods"].items()}
                    for s, t in self.input().items()}
        table = sweeps.seed_table(per_seed)
        seeds = sorted(per_seed)
        with self.output().temporary_path() as tmp:
            Path(tmp).mkdir(parents=True)
            results.write_json(Path(tmp) / "sweep.json", dict(pair=self.pair_name, seeds=seeds, methods=table,
                                                              inputs={str(s): t.path for s, t in self.input().items()}))
            (Path(tmp) / "sweep.md").write_text(sweeps.seed_markdown(self.pair_name, table, seeds)
                                                + "\n![](sweep.png)\n")
            sweeps.plot_seed_table(table, Path(tmp) / "sweep.png")
        for m in sorted(table, key=lambda m: -table[m]["mean"]):
            log.info("SeedSweep %s: %-22s %.1f%% ± %.1f%%", self.pair_name, m, 100 * table[m]["mean"],
                     100 * table[m]["std"])


class Sensitivity(Chain, ArtifactTask):
    """The paper's parameter study: test accuracy (divafn, video_only) as the code length c and the training
    autoencoders' λ vary, one at a time → sensitivity.json, sensitivity.md, sensitivity.png."""
    c_values = Counts(default=[16, 32, 64, 128], description="code lengths c to train with")
    lam_values = Positives(default=[0.01, 0.1, 1.0, 10.0, 100.0], description="training λ values")

    def requires(self):
        return dict(c={str(v): self.clone(FitClassifier, train_overrides={"c": int(v)}) for v in self.c_values},
                    lam={str(v): self.clone(FitClassifier, train_overrides={"lam": float(v)}) for v in self.lam_values})

    def output(self):
        return self.folder_target()

    def run(self):
        from pipeline.evaluation import sweeps
        def accuracy(fit):          # method → test accuracy, from a FitClassifier's results.json
            return {m: r["accuracy"] for m, r in json.loads(Path(fit["results"].path).read_text())["methods"].items()}

        study = {p: {v: accuracy(t) for v, t in targets.items()} for p, targets in self.input().items()}
        study = {"c": study["c"], "λ": study["lam"]}
        base = self.clone(TrainDIVAFN)   # the configured values
        defaults = {"c": base.c, "λ": base.lam}
        with self.output().temporary_path() as tmp:
            Path(tmp).mkdir(parents=True)
            results.write_json(Path(tmp) / "sensitivity.json", dict(pair=self.pair_name, seed=self.seed, study=study,
                                                                    defaults=defaults))
            (Path(tmp) / "sensitivity.md").write_text(sweeps.sensitivity_markdown(self.pair_name, study, defaults)
                                                      + "\n![](sensitivity.png)\n")
            sweeps.plot_sensitivity(study, Path(tmp) / "sensitivity.png")

