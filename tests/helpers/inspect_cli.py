"""One small artifact of every HDF5 kind, as the stages write them, and the two ways to run pipeline.inspect."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from pipeline import inspect
from pipeline.io import h5io
from tests.helpers.luigi_process import REPO

CLASSES = ["Archery", "BrushingTeeth", "Rowing"]
PROV = dict(task_id="X_1_abc", params={"pair": "SYNTHETIC"}, inputs=["a/b.json"], code_version="0.1.0",
            created_utc="2026-01-01T00:00:00+00:00", classes=CLASSES)
rng = np.random.default_rng(0)
KINDS = {  # kind → (task, filename, arrays): one small artifact of every HDF5 kind, as the stages write them
    "images": ("PrepareImages", "images.h5", dict(X=rng.integers(0, 255, (5, 8, 8, 3), dtype=np.uint8),
                                                  labels=np.array([0, 0, 1, 2, 2]), ids=np.array([f"i{i}" for i in range(5)]),
                                                  split=np.array(["train", "test", "train", "train", "test"]))),
    "keyframes": ("ExtractKeyframes", "shard-000.h5", dict(K=np.zeros((2, 3, 8, 8, 3), np.uint8),
                                                           frame_index=np.array([[0, 5, 9], [1, 4, 8]]), ids=np.array(["v0", "v1"]))),
    "video_features": ("ExtractVideoFeatures", "shard-000.h5", dict(Y=rng.normal(size=(2, 6)).astype(np.float32),
                                                                    ids=np.array(["v0", "v1"]))),
    "classnames": ("EmbedClassNames", "classnames.h5", dict(S=rng.normal(size=(3, 4)).astype(np.float32),
                                                            names=np.array(CLASSES), words=np.array(["archery", "brushing teeth", "rowing"]))),
    "features": ("DumpFeatures", "features.h5", dict(
        F=rng.normal(size=(5, 4)).astype(np.float32), H=rng.normal(size=(4, 3, 4)).astype(np.float32),
        G=rng.normal(size=(4, 4)).astype(np.float32), F0=np.zeros((5, 4), np.float32), H0=np.zeros((4, 3, 4), np.float32),
        G0=np.zeros((4, 4), np.float32), Y=np.ones((4, 6), np.float32), image_labels=np.array([0, 0, 1, 2, 2]),
        image_ids=np.array([f"i{i}" for i in range(5)]), video_labels=np.array([0, 1, 2, 2]),
        video_ids=np.array(["v0", "v1", "v2", "v3"]), video_split=np.array(["train", "test", "train", "test"]))),
    "semantic": ("ProjectSemantics", "semantic.h5", dict(W_F=np.ones((4, 4)), W_H=np.ones((4, 4)), W_G=np.ones((4, 4)),
                                                         W_E=np.ones((4, 8)), SH=np.ones((4, 4)), SG=np.ones((4, 4)),
                                                         SE=np.ones((4, 4)), video_ids=np.array(["v0", "v1", "v2", "v3"]))),
    "classifier": ("FitClassifier", "classifier.h5", dict(input_mean=np.zeros(12), input_scale=np.ones(12),
                                                          block_widths=np.array([4, 4, 4]), svm_coef=rng.normal(size=(3, 12)), svm_intercept=np.zeros(3),
                                                          svm_classes=np.array([0, 1, 2]))),
    "predictions": ("PredictShard", "shard-000.h5", dict(
        path=np.array(["a.avi", "b.avi"]), predicted=np.array(["Rowing", ""]), score=np.array([1.5, np.nan]),
        top_k_classes=np.array([["Rowing", "Archery"], ["", ""]]), top_k_scores=np.array([[1.5, -0.5], [np.nan, np.nan]]),
        reason=np.array(["", "empty file (0 bytes)"]), keyframes=np.zeros((1, 3, 8, 8, 3), np.uint8),
        keyframe_rows=np.array([0]))),
}


def write_kind(root: Path, kind: str) -> Path:
    task, filename, arrays = KINDS[kind]
    path = root / "artifacts" / "SYNTHETIC" / f"{task}-0123456789ab" / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    h5io.write(path, kind, arrays, dict(PROV, task=task))
    return path


def cli(*args, cwd=None):
    """`python -m pipeline.inspect ARGS` as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "pipeline.inspect", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def run_main(capsys, *args):
    rc = inspect.main([str(a) for a in args])
    out = capsys.readouterr()
    return rc, out.out, out.err
