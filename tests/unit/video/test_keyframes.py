"""Keyframe selection (pipeline/video/keyframes.py): one frame per segment, the one nearest the segment's mean."""
import numpy as np
import pytest

from pipeline.errors import DataError
from pipeline.video import keyframes


def test_keyframe_selection_covers_the_clip_in_order():
    thumbs = np.random.default_rng(0).integers(0, 255, (30, 8, 8), dtype=np.uint8)
    idx = keyframes.select(thumbs, 3)
    assert idx[0] < 10 <= idx[1] < 20 <= idx[2] < 30


def test_keyframe_is_the_segment_frame_nearest_its_mean():
    """A flash (outlier) frame is never chosen; the frame nearest the segment mean is."""
    thumbs = np.full((9, 4, 4), 100, np.uint8)
    thumbs[0] = 255                                # flash
    thumbs[1:9] = np.arange(96, 104)[:, None, None]
    assert keyframes.pick_in_segment(thumbs) != 0


def test_short_video_is_a_clear_error():
    with pytest.raises(DataError, match="fewer than the 3 keyframes"):
        keyframes.select(np.zeros((2, 4, 4), np.uint8), 3)
