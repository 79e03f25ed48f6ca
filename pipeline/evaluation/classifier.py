"""The final linear classifier on semantic features, and its evaluation."""
import numpy as np
from sklearn.metrics import confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC


def fit_svm(X: np.ndarray, y: np.ndarray, C: float = 1.0, seed: int = 0):
    """A linear SVM (one-vs-rest) on standardised features; scikit-learn estimator."""
    return make_pipeline(StandardScaler(), LinearSVC(C=C, random_state=seed, max_iter=20000)).fit(X, y)


def evaluate(model, X: np.ndarray, y: np.ndarray, n_classes: int) -> dict:
    """accuracy, per-class accuracy (C,) and confusion matrix (C, C; rows true, columns predicted)."""
    pred = model.predict(X)
    cm = confusion_matrix(y, pred, labels=np.arange(n_classes))
    per_class = cm.diagonal() / np.maximum(cm.sum(1), 1)
    return dict(accuracy=float((pred == y).mean()), per_class=per_class, confusion=cm, predicted=pred)
