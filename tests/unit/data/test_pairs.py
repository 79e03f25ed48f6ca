"""The class tables of the pairs (pipeline/data/pairs.py) and how class names are matched."""
import pytest

from pipeline.data.pairs import HMDB51_CLASSES, PAIRS, UCF101_CLASSES, normalise


def test_bu101_table_covers_all_101_ucf101_actions():
    p = PAIRS["BU101_UCF101"]
    assert len(UCF101_CLASSES) == len(set(UCF101_CLASSES)) == 101
    assert p.classes == list(UCF101_CLASSES) and (p.images.folder, p.videos.folder) == ("BU101", "UCF101")


@pytest.mark.parametrize("pair, n, video_classes", [("Stanford40_UCF101", 12, UCF101_CLASSES),
                                                     ("ASD_UCF101", 10, UCF101_CLASSES),
                                                     ("EAD_HMDB51", 15, HMDB51_CLASSES)])
def test_tables_map_onto_their_video_dataset(pair, n, video_classes):
    p = PAIRS[pair]
    assert len(p.class_map) == len(set(p.classes)) == n
    assert set(p.classes) <= set(video_classes)


def test_stanford40_table_is_designs():
    assert PAIRS["Stanford40_UCF101"].class_map["throwing_frisby"] == "FrisbeeCatch"
    assert PAIRS["Stanford40_UCF101"].class_map["riding_a_horse"] == "HorseRiding"
    assert len(HMDB51_CLASSES) == 51


@pytest.mark.parametrize("a, b", [("riding_a_bike", "Riding a bike"), ("ApplyEyeMakeup", "apply_eye-makeup"),
                                  ("pouring liquid", "Pouring_Liquid"), ("YoYo", "yo yo")])
def test_normalise_ignores_case_and_separators(a, b):
    assert normalise(a) == normalise(b)
