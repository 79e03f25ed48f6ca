"""The video feature extractors' names and which of them ExtractKeyframes' decoding pass computes.

Shared by the video stages (tasks/extract.py) and prediction (pipeline.predict), which must compute a new video's
feature as the experiment did. No heavy imports here: tasks/ imports this module at start-up.
"""

# Offline features computed in ExtractKeyframes' decoding pass: Y (motion descriptor), A (pooled appearance).
OFFLINE = {"motion": ("Y",), "appearance": ("A",), "appearance+motion": ("A", "Y")}
DEFAULT = "motion"                     # `extractor = default` (chosen by ablation, docs/results.md)


def offline_datasets(extractor: str) -> tuple:
    """The keyframe shard's datasets that `extractor` concatenates into y (empty: not an offline feature)."""
    return OFFLINE.get(DEFAULT if extractor == "default" else extractor, ())
