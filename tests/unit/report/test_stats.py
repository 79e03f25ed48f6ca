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


def test_modality_neighbours_tell_mixed_modalities_from_a_cluster_apart():
    rng = np.random.default_rng(0)
    F, H, G = rng.normal(size=(90, 8)), rng.normal(size=(60, 3, 8)), rng.normal(size=(60, 8))
    y_F, y_V = np.zeros(90, int), np.zeros(60, int)
    mixed = stats.modality_neighbours(stats.drawn_points(F, H, G, y_F, y_V))        # one cloud: the shares by chance
    for key, n in {"F": 90, "H": 180, "G": 60}.items():
        assert mixed[key]["mixed"] == (n - 1) / (330 - 1)
        assert abs(mixed[key]["same"] - mixed[key]["mixed"]) < 0.1, mixed
        assert not stats.own_cluster(mixed[key])
    apart = stats.modality_neighbours(stats.drawn_points(F, H, G + 20, y_F, y_V))   # the videos point elsewhere
    assert apart["G"]["same"] == 1.0 and stats.own_cluster(apart["G"]) and not stats.own_cluster(apart["F"])


def test_drawn_points_cap_each_modality_and_keep_the_same_items_at_every_stage():
    rng = np.random.default_rng(0)
    F, H, G = rng.normal(size=(50, 4)), rng.normal(size=(40, 3, 4)), rng.normal(size=(40, 4))
    y_F, y_V = np.arange(50) % 5, np.arange(40) % 5
    points = stats.drawn_points(F, H, G, y_F, y_V, cap=100, seed=3)
    assert [(key, len(Z), total) for key, Z, _, total in points] == [("F", 50, 50), ("H", 100, 120), ("G", 40, 40)]
    assert np.allclose(np.linalg.norm(points[1][1], axis=1), 1)
    again = stats.drawn_points(2 * F, 2 * H, 2 * G, y_F, y_V, cap=100, seed=3)     # another stage, same items
    assert np.allclose(points[1][1], again[1][1]) and (points[1][2] == again[1][2]).all()
