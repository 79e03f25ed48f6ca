"""Luigi tasks of the DIVAFN pipeline: thin wiring of parameters, inputs and outputs to pipeline/.

Data flow (each stage's output is its cache, under artifacts/<pair>/<Task>-<digest>/):

    MakeSyntheticData (SYNTHETIC only) → BuildManifest → PrepareImages            images.h5
                                                       → ExtractKeyframes[shard]   shard-XXX.h5
                                                       → ExtractVideoFeatures[shard]  (ExtractVideos: all shards)
    EmbedClassNames → S                                                           classnames.h5
    TrainDIVAFN (θx, θy, W_F, W_H, W_G)                                           model.pt
    DumpFeatures (F, H, G)                                                        features.h5
    ProjectSemantics (W_F, W_H, W_G, W_E closed form)                             semantic.h5
    FitClassifier (linear SVM, baselines)                                         results.json
    CompareMethods (every method and ablation; a second DIVAFN without keyframes)  results.json
    RunExperiment                                                                 metrics.json, run.json, report.md, *.png
    SeedSweep (CompareMethods over seeds), Sensitivity (FitClassifier over c, λ)   sweep.md / sensitivity.md, .png

`luigi --module tasks` imports only this file, so every task is imported here.
"""
from . import cli_logging, config

config.load_package_config()
cli_logging.install()

from . import hooks  # noqa: E402,F401  (what happens around every run: logs, seeds, GPU lock)
from .classnames import EmbedClassNames  # noqa: E402
from .compare import CompareMethods, SeedSweep, Sensitivity  # noqa: E402
from .data import BuildManifest, MakeSyntheticData, PrepareImages  # noqa: E402
from .experiment import FitClassifier, RunExperiment  # noqa: E402
from .extract import ExtractKeyframes, ExtractVideoFeatures, ExtractVideos  # noqa: E402
from .semantics import ProjectSemantics  # noqa: E402
from .train import DumpFeatures, TrainDIVAFN  # noqa: E402

__all__ = ["MakeSyntheticData", "BuildManifest", "PrepareImages", "ExtractKeyframes", "ExtractVideoFeatures", "ExtractVideos",
           "EmbedClassNames", "TrainDIVAFN", "DumpFeatures", "ProjectSemantics", "FitClassifier", "RunExperiment",
           "CompareMethods", "SeedSweep", "Sensitivity"]
