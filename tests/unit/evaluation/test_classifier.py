"""The classifier's arrays (classifier.h5): the rebuilt scaler and SVM give exactly what the fitted ones gave."""
import numpy as np
import pytest

from pipeline.evaluation.classifier import class_scores, fit_svm, from_arrays, to_arrays
from pipeline.io import h5io


@pytest.mark.parametrize("n_classes", [2, 4])
def test_the_rebuilt_classifier_predicts_and_scores_as_the_fitted_one(tmp_path, n_classes):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 9)) * rng.uniform(0.1, 5, 9), rng.integers(0, n_classes, 60)
    X[np.arange(60), y] += 2
    model = fit_svm(X, y, 1.0, 0)
    path = tmp_path / "classifier.h5"
    h5io.write(path, "classifier", to_arrays(model), dict(task="FitClassifier"))
    again = from_arrays(h5io.read(path, "classifier"))
    T = rng.normal(size=(25, 9))
    assert (again.predict(T) == model.predict(T)).all()
    assert np.array_equal(again.decision_function(T), model.decision_function(T))
    classes, scores = class_scores(again, T)
    assert scores.shape == (25, n_classes) and (classes[scores.argmax(1)] == model.predict(T)).all()


def test_a_class_missing_from_training_is_never_predicted():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 5)), rng.choice([0, 2, 3], 40)          # class 1 has no training video
    classes, scores = class_scores(from_arrays(to_arrays(fit_svm(X, y))), rng.normal(size=(30, 5)))
    assert list(classes) == [0, 2, 3] and scores.shape == (30, 3)
