"""The final linear classifier, its input scaling, its evaluation, and its arrays (classifier.h5).

The fitted classifier is a scikit-learn pipeline InputScaler → LinearSVC. A classifier input is the
concatenation of blocks (divafn: W_H h, W_G g, W_E e); `[FitClassifier] scaling` says how they are prepared:

- `blocks` (default): each block centred on its training mean and L2-normalised per item — as the autoencoders
  prepare their inputs (pipeline.method.sae.prepare) — so every block weighs the same and each is compared by
  its direction, as training compares features (Θ = ½⟨·,·⟩);
- `standardise`: every coordinate to zero mean and unit variance on the training items (scikit-learn's
  StandardScaler), the earlier default. It gives a coordinate that barely varies (a rank-(C−1) semantic block
  spread over d coordinates, a motion-histogram bin) the weight of any other: docs/results.md, "The classifier's input".

`to_arrays` takes from the pipeline what `predict` and `decision_function` use (the input mean, scale and block
widths, the SVM's coef, intercept and classes), so FitClassifier keeps it as plain arrays in HDF5 (no pickle);
`from_arrays` rebuilds the same estimators from them, and scikit-learn's own `predict` then gives what the fitted
model gave.
"""
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_array, check_is_fitted

from pipeline.evaluation import SCALINGS
from pipeline.method.sae import l2_normalise

ARRAYS = ("input_mean", "input_scale", "block_widths", "svm_coef", "svm_intercept", "svm_classes")


class InputScaler(TransformerMixin, BaseEstimator):
    """The classifier's input preparation (module docstring): `scaling` "blocks" or "standardise"; `widths` the
    blocks' column counts, in order (None: one block of every column)."""

    def __init__(self, widths=None, scaling="blocks"):
        self.widths, self.scaling = widths, scaling

    def fit(self, X, y=None):
        X = check_array(X, dtype=np.float64)
        if self.scaling not in SCALINGS:
            raise ValueError(f"scaling {self.scaling!r}: want one of {', '.join(SCALINGS)}")
        widths = np.asarray(self.widths if self.widths is not None else [X.shape[1]], np.int64)
        if widths.sum() != X.shape[1] or (widths <= 0).any():
            raise ValueError(f"block widths {widths.tolist()} do not split the {X.shape[1]} columns")
        if self.scaling == "standardise":
            scaler = StandardScaler().fit(X)
            self.mean_, self.scale_ = scaler.mean_, scaler.scale_
        else:
            self.mean_, self.scale_ = X.mean(0), np.ones(X.shape[1])
        self.widths_, self.n_features_in_ = widths, X.shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self)
        Z = (check_array(X, dtype=np.float64) - self.mean_) / self.scale_
        if self.scaling == "standardise":
            return Z
        parts = np.split(Z, np.cumsum(self.widths_)[:-1], axis=1)
        return np.concatenate([l2_normalise(B) for B in parts], 1)


def fit_svm(X: np.ndarray, y: np.ndarray, C: float = 1.0, seed: int = 0, widths=None, scaling: str = "blocks"):
    """A linear SVM (one-vs-rest) on X prepared by InputScaler(widths, scaling); scikit-learn estimator."""
    return make_pipeline(InputScaler(widths, scaling), LinearSVC(C=C, random_state=seed, max_iter=20000)).fit(X, y)


def evaluate(model, X: np.ndarray, y: np.ndarray, n_classes: int) -> dict:
    """accuracy, per-class accuracy (C,), confusion matrix (C, C; rows true, columns predicted), and the model."""
    pred = model.predict(X)
    cm = confusion_matrix(y, pred, labels=np.arange(n_classes))
    per_class = cm.diagonal() / np.maximum(cm.sum(1), 1)
    return dict(accuracy=float((pred == y).mean()), per_class=per_class, confusion=cm, predicted=pred, model=model)


def to_arrays(model) -> dict:
    """The fitted pipeline's arrays: input_mean, input_scale (D,), block_widths (k,); svm_coef (m, D), svm_intercept
    (m,) with m the number of classes seen in training (1 when two); svm_classes (m or 2,) their class indices.
    Its scaling, model[0].scaling, FitClassifier keeps in the file's attrs."""
    scaler, svm = model[0], model[-1]
    return dict(input_mean=np.asarray(scaler.mean_, np.float64), input_scale=np.asarray(scaler.scale_, np.float64),
                block_widths=np.asarray(scaler.widths_, np.int64),
                svm_coef=np.asarray(svm.coef_, np.float64), svm_intercept=np.asarray(svm.intercept_, np.float64),
                svm_classes=np.asarray(svm.classes_, np.int64))


def from_arrays(arrays: dict, scaling: str):
    """The pipeline `to_arrays` was taken from (with its `scaling`), rebuilt: its predict and decision_function give
    the same values."""
    scaler = InputScaler(None, scaling)
    scaler.mean_, scaler.scale_ = np.asarray(arrays["input_mean"]), np.asarray(arrays["input_scale"])
    scaler.widths_, scaler.n_features_in_ = np.asarray(arrays["block_widths"]), len(scaler.mean_)
    svm = LinearSVC()
    svm.coef_, svm.intercept_ = np.asarray(arrays["svm_coef"]), np.asarray(arrays["svm_intercept"])
    svm.classes_, svm.n_features_in_ = np.asarray(arrays["svm_classes"]), svm.coef_.shape[1]
    return make_pipeline(scaler, svm)


def class_scores(model, X: np.ndarray) -> tuple:
    """(classes (m,), scores (n, m)): the SVM's decision value of every class it was trained on, per row of X.

    With two classes the SVM has one decision value s for classes[1]; classes[0] scores −s. `predict` is the
    class of the highest score (scikit-learn's own rule, which this follows)."""
    s = model.decision_function(X)
    classes = model[-1].classes_
    return classes, (np.stack([-s, s], 1) if s.ndim == 1 else s)
