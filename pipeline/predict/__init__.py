"""Classify new videos with a trained experiment (no Luigi): `predict(run_folder, paths)` and `divafn-predict`.

    divafn-predict --run artifacts/<pair>/RunExperiment-<hash>/ VIDEO_OR_FOLDER_OR_LIST... [--top-k 5] [--out DIR]

`chain` finds the trained pieces from a run folder, `inputs` the video files, `core` applies the pipeline's own
steps to them, `write` writes predictions.csv / .json / .md and the contact sheet, `cli` is the command.
Predict (tasks/predict.py) is the same as a Luigi stage, sharded.
"""
from pipeline.predict.core import COLUMNS, predict

__all__ = ["predict", "COLUMNS"]
