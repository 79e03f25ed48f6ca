"""The classifier's input scaling, and its arrays (classifier.h5): the rebuilt scaler and SVM give exactly what the
fitted ones gave."""
import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from pipeline.evaluation.classifier import InputScaler, class_scores, fit_svm, from_arrays, to_arrays
from pipeline.io import h5io


@pytest.mark.parametrize("scaling", ["blocks", "standardise"])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_the_rebuilt_classifier_predicts_and_scores_as_the_fitted_one(tmp_path, n_classes, scaling):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 9)) * rng.uniform(0.1, 5, 9), rng.integers(0, n_classes, 60)
    X[np.arange(60), y] += 2
    model = fit_svm(X, y, 1.0, 0, [4, 5], scaling)
    path = tmp_path / "classifier.h5"
    h5io.write(path, "classifier", to_arrays(model), dict(task="FitClassifier", scaling=scaling))
    again = from_arrays(h5io.read(path, "classifier"), h5io.attrs(path)["scaling"])
    T = rng.normal(size=(25, 9))
    assert (again.predict(T) == model.predict(T)).all()
    assert np.array_equal(again.decision_function(T), model.decision_function(T))
    classes, scores = class_scores(again, T)
    assert scores.shape == (25, n_classes) and (classes[scores.argmax(1)] == model.predict(T)).all()


def test_a_class_missing_from_training_is_never_predicted():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 5)), rng.choice([0, 2, 3], 40)          # class 1 has no training video
    classes, scores = class_scores(from_arrays(to_arrays(fit_svm(X, y)), "blocks"), rng.normal(size=(30, 5)))
    assert list(classes) == [0, 2, 3] and scores.shape == (30, 3)


def test_blocks_are_centred_on_the_training_mean_and_unit_length_per_item():
    rng = np.random.default_rng(2)
    X = np.c_[rng.normal(5, 1, (30, 3)), 1000 * rng.normal(-2, 1, (30, 4))]
    Z = InputScaler([3, 4]).fit(X).transform(X)
    assert np.allclose(np.linalg.norm(Z[:, :3], axis=1), 1) and np.allclose(np.linalg.norm(Z[:, 3:], axis=1), 1)
    centred = X - X.mean(0)                                 # directions of the centred blocks, whatever their scale
    assert np.allclose(Z[:, 3:], centred[:, 3:] / np.linalg.norm(centred[:, 3:], axis=1, keepdims=True))
    # a new item is prepared with the training mean, not its own
    new = InputScaler([3, 4]).fit(X).transform(X[:1] + 1)
    assert np.allclose(new[0, :3], (centred[0, :3] + 1) / np.linalg.norm(centred[0, :3] + 1))


def test_a_block_that_barely_varies_weighs_no_more_under_blocks_than_its_direction():
    # one informative block, and one of noise on a tiny scale: standardising blows the noise up to the same
    # weight per coordinate (here 20 coordinates against 2); blocks give each block length 1
    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], 40)
    signal = rng.normal(size=(80, 2)) + 2.0 * np.c_[y, -y]
    X = np.c_[signal, 1e-6 * rng.normal(size=(80, 20))]
    train, test = np.arange(80) % 2 == 0, np.arange(80) % 2 == 1
    acc = {s: (fit_svm(X[train], y[train], 1.0, 0, [2, 20], s).predict(X[test]) == y[test]).mean()
           for s in ("blocks", "standardise")}
    assert acc["blocks"] >= 0.9 and acc["blocks"] > acc["standardise"]


def test_standardise_is_scikit_learns_standard_scaler():
    X = np.random.default_rng(4).normal(3, 2, (20, 6))
    X[:, 2] = 7.0                                            # a constant column keeps scale 1, as StandardScaler's
    assert np.array_equal(InputScaler([6], "standardise").fit(X).transform(X), StandardScaler().fit_transform(X))


@pytest.mark.parametrize("widths, scaling, says", [([3, 3], "blocks", "do not split the 7 columns"),
                                                   ([7], "l2", "want one of blocks, standardise")])
def test_widths_that_do_not_split_the_columns_or_an_unknown_scaling_are_refused(widths, scaling, says):
    with pytest.raises(ValueError, match=says):
        InputScaler(widths, scaling).fit(np.zeros((4, 7)))
