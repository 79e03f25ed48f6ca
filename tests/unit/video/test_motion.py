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
