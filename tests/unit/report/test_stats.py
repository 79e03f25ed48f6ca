"""The statistics a report quotes (pipeline/report/stats.py)."""
import numpy as np

from pipeline.report import stats


def test_mean_cosines_tell_a_collapsed_modality_from_a_spread_one():
    rng = np.random.default_rng(0)
    spread = rng.normal(size=(400, 16))
    collapsed = 50 + rng.normal(size=(400, 16))        # a shared component 50× the rest, as ReLU outputs have
    cos = stats.mean_cosines(collapsed, spread.reshape(200, 2, 16), -spread)
    assert cos["F"] > 0.99 and cos["H"] < 0.05 and cos["G"] < 0.05
    pairwise = stats.unit_rows(collapsed) @ stats.unit_rows(collapsed).T
    assert np.isclose(cos["F"], pairwise.mean())
