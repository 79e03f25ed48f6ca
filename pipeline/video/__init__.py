"""Videos: one decoding pass (decode), keyframes, the motion descriptor, per-shard extraction, 3D CNN and
precomputed features, and the one video writer (encode)."""
