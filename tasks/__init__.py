"""Luigi tasks of the DIVAFN pipeline: thin wiring of parameters, inputs and outputs to pipeline/.

Data flow (each stage's output is its cache, under artifacts/<pair>/<Task>-<digest>/), module by module, with what
each writes and the pipeline/ subpackage it calls:

    data.py        MakeSyntheticData (SYNTHETIC only) → BuildManifest → PrepareImages
                   data/, manifest.json, images.h5                                               pipeline.data
    extract.py     ExtractKeyframes[shard], ExtractVideoFeatures[shard] (ExtractVideos: all)
                   → CheckRejects (every reject once, the budget; with PrepareImages')
                   shard-XXX.h5, rejects.json                                       pipeline.video, pipeline.data
    classnames.py  EmbedClassNames → S                           classnames.h5                  pipeline.method
    train.py       TrainDIVAFN (θx, θy, W_F, W_H, W_G) → DumpFeatures (F, H, G)   model.pt, features.h5
    semantics.py   ProjectSemantics (W_F, W_H, W_G, W_E in closed form)           semantic.h5
    classifier.py  FitClassifier (linear SVM on [W_H h ; W_G g ; W_E e])          results.json   pipeline.evaluation
    compare.py     CompareMethods (every method; a second DIVAFN without keyframes), results.json
                   SeedSweep (over seeds), Sensitivity (over c and λ)             sweep.*, sensitivity.*
    experiment.py  RunExperiment                                  report.md, metrics.json           pipeline.report
    predict.py     PredictShard[shard] → Predict: new videos through the trained chain
                   predictions.*                                                                 pipeline.predict

What every stage shares: base.py (ArtifactTask: digest, freshness, provenance), targets.py (atomic outputs),
params.py (the settings several stages share), config.py (checks of every setting given), graph.py (a task's
upstream stages, for the report and prediction), retry.py, hooks.py, cli_logging.py, progress.py; luigi_compat.py
holds every use of a Luigi internal and checks the Luigi version.

`luigi --module tasks` imports only this file, so every task is imported here.
"""
from . import luigi_compat  # noqa: F401  (first: under another Luigi version it stops here, with one line)
from . import cli_logging, config

config.load_package_config()
cli_logging.install()

from . import hooks  # noqa: E402,F401  (what happens around every run: logs, seeds, GPU lock)
from .classifier import FitClassifier  # noqa: E402
from .classnames import EmbedClassNames  # noqa: E402
from .compare import CompareMethods, SeedSweep, Sensitivity  # noqa: E402
from .data import BuildManifest, MakeSyntheticData, PrepareImages  # noqa: E402
from .experiment import RunExperiment  # noqa: E402
from .extract import CheckRejects, ExtractKeyframes, ExtractVideoFeatures, ExtractVideos  # noqa: E402
from .predict import Predict, PredictShard  # noqa: E402
from .semantics import ProjectSemantics  # noqa: E402
from .train import DumpFeatures, TrainDIVAFN  # noqa: E402

__all__ = ["MakeSyntheticData", "BuildManifest", "PrepareImages", "ExtractKeyframes", "ExtractVideoFeatures",
           "ExtractVideos", "CheckRejects", "EmbedClassNames", "TrainDIVAFN", "DumpFeatures", "ProjectSemantics",
           "FitClassifier", "RunExperiment", "CompareMethods", "SeedSweep", "Sensitivity", "PredictShard", "Predict"]
