"""Predict takes RunExperiment's settings and passes them to the chain it requires (parsed in-process, nothing runs)."""
import numpy as np
import pytest

from pipeline.errors import DataError
from tests.helpers.media import write_clip
from tests.unit.tasks.test_settings import PAIR, VALUES, stages_of


@pytest.fixture
def videos(tmp_path):
    write_clip(tmp_path / "a.avi", np.full((4, 32, 32, 3), 90, np.uint8), "mpeg4")
    return tmp_path


def test_predict_uses_the_chain_of_the_same_settings(videos):
    given = {k: v for k, v in VALUES.items() if k != "chains"}       # the comparison's: Predict compares nothing
    args = [a for k, v in given.items() for a in (f"--{k.replace('_', '-')}", v)]
    stages = stages_of("Predict", "--pair", PAIR, "--videos", str(videos), "--shards", "3", *args)
    run = stages_of("RunExperiment", "--pair", PAIR, *args)
    fit = {t.task_id for t in stages if t.get_task_family() == "FitClassifier"}
    assert fit == {t.task_id for t in run if t.get_task_family() == "FitClassifier"}      # the experiment's own chain
    assert sorted(t.shard for t in stages if t.get_task_family() == "PredictShard") == [0, 1, 2]
    assert not {"CompareMethods", "RunExperiment"} & {t.get_task_family() for t in stages}


def test_a_changed_folder_makes_a_new_predict_folder(videos):
    before = stages_of("Predict", "--pair", "SYNTHETIC", "--videos", str(videos))[0].folder()
    write_clip(videos / "b.avi", np.full((4, 32, 32, 3), 50, np.uint8), "mpeg4")
    from tasks.predict import _videos
    _videos.cache_clear()
    assert stages_of("Predict", "--pair", "SYNTHETIC", "--videos", str(videos))[0].folder() != before


def test_a_bad_videos_argument_fails_at_parse_time(tmp_path):
    with pytest.raises(DataError, match="no such file or folder"):
        stages_of("Predict", "--pair", "SYNTHETIC", "--videos", str(tmp_path / "nowhere"))
