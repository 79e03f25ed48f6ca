"""The offline video feature (pipeline/video/motion.py): it sees motion, not appearance."""
import numpy as np

from pipeline.video import motion


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
    right, down = motion.motion_descriptor(square_video(2, 0)), motion.motion_descriptor(square_video(0, 2))
    still_a, still_b = motion.motion_descriptor(square_video(0, 0, 120)), motion.motion_descriptor(square_video(0, 0, 240))
    assert right.shape == (motion.dim(),)
    assert np.linalg.norm(right - down) > 10 * np.linalg.norm(still_a - still_b)
    assert np.abs(still_a).max() < 1e-3


def test_motion_descriptor_in_chunks_equals_all_at_once(monkeypatch):
    """A long video's per-pixel work is done CHUNK frame pairs at a time; the result does not depend on it (beyond
    float rounding; chunk bounds are a function of the frame count, so a video always gives the same bits)."""
    thumbs = np.random.default_rng(0).integers(0, 255, (23, 48, 64), dtype=np.uint8)
    monkeypatch.setattr(motion, "CHUNK", 10 ** 6)
    whole = motion.motion_descriptor(thumbs)
    for chunk in (1, 5, 22):
        monkeypatch.setattr(motion, "CHUNK", chunk)
        np.testing.assert_allclose(motion.motion_descriptor(thumbs), whole, rtol=1e-5, atol=1e-7)
