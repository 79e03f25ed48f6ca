"""Methods compared on the same split: each is a feature matrix per video fed to the same linear SVM."""
import numpy as np

from .classifier import evaluate, fit_svm


def method_features(features: dict, semantic: dict) -> dict:
    """name → (n_vid, ·) features of every video, for each method the run can score.

    divafn: [W_H h ; W_G g ; W_E e], the paper's classifier input.
    video_only: the raw video features y (no images, no keyframes, no training).
    """
    return dict(divafn=np.concatenate([semantic["SH"], semantic["SG"], semantic["SE"]], 1),
                video_only=features["Y"])


def compare(methods: dict, labels, split, n_classes: int, svm_c: float = 1.0, seed: int = 0) -> dict:
    """name → evaluate() result of an SVM trained on the training videos, scored on the test videos."""
    train, test = split == "train", split == "test"
    return {name: evaluate(fit_svm(X[train], labels[train], svm_c, seed), X[test], labels[test], n_classes)
            for name, X in methods.items()}
