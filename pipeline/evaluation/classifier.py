"""The final linear classifier on semantic features, its evaluation, and its arrays (classifier.h5).

The fitted classifier is a scikit-learn pipeline StandardScaler → LinearSVC. `to_arrays` takes from it what
`predict` and `decision_function` use (the scaler's mean and scale, the SVM's coef, intercept and classes), so
that FitClassifier keeps it as plain arrays in HDF5 (no pickle); `from_arrays` rebuilds the same estimators from
them, and scikit-learn's own `predict` then gives what the fitted model gave.
"""
import numpy as np
from sklearn.metrics import confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

ARRAYS = ("scaler_mean", "scaler_scale", "svm_coef", "svm_intercept", "svm_classes")


def fit_svm(X: np.ndarray, y: np.ndarray, C: float = 1.0, seed: int = 0):
    """A linear SVM (one-vs-rest) on standardised features; scikit-learn estimator."""
    return make_pipeline(StandardScaler(), LinearSVC(C=C, random_state=seed, max_iter=20000)).fit(X, y)


def evaluate(model, X: np.ndarray, y: np.ndarray, n_classes: int) -> dict:
    """accuracy, per-class accuracy (C,), confusion matrix (C, C; rows true, columns predicted), and the model."""
    pred = model.predict(X)
    cm = confusion_matrix(y, pred, labels=np.arange(n_classes))
    per_class = cm.diagonal() / np.maximum(cm.sum(1), 1)
    return dict(accuracy=float((pred == y).mean()), per_class=per_class, confusion=cm, predicted=pred, model=model)


def to_arrays(model) -> dict:
    """The fitted pipeline's arrays: scaler_mean, scaler_scale (D,); svm_coef (m, D), svm_intercept (m,) with m the
    number of classes seen in training (1 when two); svm_classes (m or 2,) their class indices."""
    scaler, svm = model[0], model[-1]
    return dict(scaler_mean=np.asarray(scaler.mean_, np.float64), scaler_scale=np.asarray(scaler.scale_, np.float64),
                svm_coef=np.asarray(svm.coef_, np.float64), svm_intercept=np.asarray(svm.intercept_, np.float64),
                svm_classes=np.asarray(svm.classes_, np.int64))


def from_arrays(arrays: dict):
    """The pipeline `to_arrays` was taken from, rebuilt: its predict and decision_function give the same values."""
    scaler = StandardScaler()
    scaler.mean_, scaler.scale_ = np.asarray(arrays["scaler_mean"]), np.asarray(arrays["scaler_scale"])
    scaler.var_ = scaler.scale_ ** 2
    scaler.n_features_in_, scaler.n_samples_seen_ = len(scaler.mean_), 0
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
