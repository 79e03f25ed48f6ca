"""The trained chain of one experiment, found from its run folder (or from the Luigi graph that made it).

A run folder `artifacts/<pair>/RunExperiment-<hash>/` holds metrics.json, whose `parameters` (stage → its
significant parameters, as strings) and `artifacts` (stage → its output paths) say how the run's videos were
turned into features and where each trained piece lies: ExtractKeyframes' and ExtractVideoFeatures' settings,
TrainDIVAFN's model.pt (f and g), ProjectSemantics' semantic.h5 (W_H, W_G, W_E and their μ), FitClassifier's
classifier.h5 (the scaler and the SVM). Predict (tasks/predict.py) passes the same two tables, taken from its own
graph (tasks/graph.py `stage_graph`), so both ways read one chain the same way.

A folder that is not such a run, or was made by code that wrote another layout (no classifier.h5: before
FitClassifier kept its SVM), is one DataError naming it and what to rerun.
"""
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import DataError
from pipeline.io.artifacts import in_pair_folder

NEEDED = ("ExtractKeyframes", "ExtractVideoFeatures", "TrainDIVAFN", "ProjectSemantics", "FitClassifier")


@dataclass
class TrainedChain:
    pair: str
    source: str              # the run folder (or task) it was read from, for messages
    settings: dict           # keyframes, image_size, grid, bins, pool_frames (ExtractKeyframes); extractor, weights,
                             # allow_random_weights, clip_frames (ExtractVideoFeatures); keyframe_pooling
                             # (ProjectSemantics)
    model: Path              # TrainDIVAFN's model.pt
    semantic: Path           # ProjectSemantics' semantic.h5
    classifier: Path         # FitClassifier's classifier.h5
    code_version: str = ""   # of the run, when known


def rerun_hint(pair: str) -> str:
    return (f"rerun the experiment with this code (`luigi --module tasks RunExperiment --pair {pair}` and the run's "
            f"settings: only the missing stages run)")


def from_run(run_folder) -> TrainedChain:
    """The chain of the RunExperiment folder `run_folder` (its metrics.json)."""
    run = Path(run_folder)
    if not run.is_dir():
        raise DataError(f"{run}: no such run folder; give --run artifacts/<pair>/RunExperiment-<hash>/ (the folder "
                        f"the experiment's last line names).")
    path = run / "metrics.json"
    try:
        metrics = json.loads(path.read_text())
    except FileNotFoundError:
        raise DataError(f"{run}: not a run folder (no metrics.json); give --run "
                        f"artifacts/<pair>/RunExperiment-<hash>/, the folder `luigi --module tasks RunExperiment` "
                        f"names in its last line.") from None
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not a readable metrics.json ({type(e).__name__}); delete {run} and rerun "
                        f"RunExperiment.") from None
    pair = metrics.get("pair", "<PAIR>") if isinstance(metrics, dict) else "<PAIR>"
    if not isinstance(metrics, dict) or not isinstance(metrics.get("parameters"), dict) \
            or not isinstance(metrics.get("artifacts"), dict):
        raise DataError(f"{path}: a metrics.json without the run's parameters and artifacts, written by other code; "
                        f"{rerun_hint(pair)}.")
    return from_graph(pair, metrics["parameters"], metrics["artifacts"], run.parent, str(run),
                      metrics.get("code_version", ""))


def from_graph(pair: str, parameters: dict, artifacts: dict, pair_folder, source: str,
               code_version: str = "") -> TrainedChain:
    """The chain from stage → parameters and stage → output paths (metrics.json's layout); recorded paths are
    found under `pair_folder` (artifacts/<pair>/) wherever the artifacts folder has moved since."""
    made_by = f" (made by code {code_version})" if code_version else ""
    missing = [s for s in NEEDED if s not in parameters or s not in artifacts]
    if missing:
        raise DataError(f"{source}: its run records no {', '.join(missing)}{made_by}; not a DIVAFN run of this code: "
                        f"{rerun_hint(pair)}.")

    recorded = {}
    for stage, name in (("TrainDIVAFN", "model.pt"), ("ProjectSemantics", "semantic.h5"),
                        ("FitClassifier", "classifier.h5")):
        found = [p for p in artifacts[stage] if Path(p).name == name]
        if not found:
            raise DataError(f"{source}: its {stage} wrote no {name}{made_by}: the run was made by an earlier version "
                            f"of the code; {rerun_hint(pair)}.")
        recorded[stage] = in_pair_folder(Path(pair_folder), found[0])

    kf, vf, ps = parameters["ExtractKeyframes"], parameters["ExtractVideoFeatures"], parameters["ProjectSemantics"]
    try:
        settings = dict(keyframes=int(kf["keyframes"]), image_size=int(kf["image_size"]), grid=int(kf["grid"]),
                        bins=int(kf["bins"]), pool_frames=int(kf["pool_frames"]), extractor=str(vf["extractor"]),
                        weights=str(vf["weights"]), allow_random_weights=str(vf["allow_random_weights"]) == "True",
                        clip_frames=int(vf["clip_frames"]), keyframe_pooling=str(ps["keyframe_pooling"]))
    except (KeyError, ValueError, TypeError) as e:
        raise DataError(f"{source}: its recorded parameters lack or garble {e}{made_by}; written by other code: "
                        f"{rerun_hint(pair)}.") from None
    for stage, path in recorded.items():
        if not path.is_file():
            raise DataError(f"{path}: missing ({stage}'s {path.name} of {source}, deleted since?); {rerun_hint(pair)}.")
    return TrainedChain(pair, source, settings, recorded["TrainDIVAFN"], recorded["ProjectSemantics"],
                        recorded["FitClassifier"], code_version)
