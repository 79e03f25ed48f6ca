"""Decoding, keyframes and the motion feature on clips encoded with PyAV (real codecs)."""
import numpy as np
import pytest

from pipeline import decode, keyframes, video_features
from pipeline.errors import DataError
from pipeline.synthetic import write_video


def _clip(n=20, h=48, w=64):
    """Frames whose brightness encodes their index, so a decoded frame tells where it came from."""
    levels = np.linspace(20, 235, n).astype(np.uint8)
    return np.stack([np.full((h, w, 3), v, np.uint8) for v in levels]), levels


def test_keyframes_are_frames_of_the_clip(tmp_path):
    frames, levels = _clip()
    path = tmp_path / "clip.avi"
    write_video(path, frames, fps=25)
    d = decode.decode(path)
    assert len(d.frames) == len(frames)
    K, idx = keyframes.extract(d, 3, 32)
    assert K.shape == (3, 32, 32, 3) and K.dtype == np.uint8
    assert list(idx) == sorted(idx) and len(set(idx)) == 3
    for kf, i in zip(K, idx):                      # each keyframe is the decoded frame it claims to be
        assert abs(float(kf.mean()) - float(levels[i])) < 6


def test_keyframe_selection_covers_the_clip_in_order():
    thumbs = np.random.default_rng(0).integers(0, 255, (30, 8, 8), dtype=np.uint8)
    idx = keyframes.select(thumbs, 3)
    assert idx[0] < 10 <= idx[1] < 20 <= idx[2] < 30


def test_short_video_is_a_clear_error():
    with pytest.raises(DataError, match="fewer than the 3 keyframes"):
        keyframes.select(np.zeros((2, 4, 4), np.uint8), 3)


def test_not_a_video_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.avi"
    bad.write_bytes(b"this is not a video")
    with pytest.raises(DataError, match="bad.avi"):
        decode.decode(bad)


def test_motion_descriptor_sees_motion_not_appearance():
    """A bright square moving right vs the same square moving down: descriptors differ; a static
    square of two different brightnesses: descriptors (nearly) equal and nearly zero in the flow part."""
    def square_video(dx, dy, value=200):
        T, h, w = 16, 48, 64
        v = np.zeros((T, h, w), np.uint8)
        for t in range(T):
            x, y = 10 + dx * t, 10 + dy * t
            v[t, y:y + 12, x:x + 12] = value
        return v
    right, down = video_features.motion_descriptor(square_video(2, 0)), video_features.motion_descriptor(square_video(0, 2))
    still_a, still_b = video_features.motion_descriptor(square_video(0, 0, 120)), video_features.motion_descriptor(square_video(0, 0, 240))
    assert right.shape == (video_features.dim(),)
    assert np.linalg.norm(right - down) > 10 * np.linalg.norm(still_a - still_b)
    assert np.abs(still_a).max() < 1e-3
