"""torch modules of DIVAFN: the image/keyframe network f(·; θx), the video network g(·; θy), and their container.

Importing the package is light (no torch): `BACKBONES` and `VIDEO_INPUTS`, the names the tasks' parameters
offer, are defined here, and each module is imported on first use of its name (`from models import DIVAFN`), so that
`luigi --module tasks` starts without loading torch (tests/unit/tasks/test_startup.py).
"""
import importlib

BACKBONES = ("efficientnet_lite0", "cnnf", "alexnet", "resnet18")
VIDEO_INPUTS = ("standardise", "uniform")      # how VideoNet scales its centred input (VideoNet.set_input_stats)

_WHERE = {"CNNF": "cnnf", "VideoNet": "video_net", "DIVAFN": "divafn", "TorchvisionBackbone": "backbones",
          "build_backbone": "backbones", "GradientReversal": "heads", "DomainClassifier": "heads"}

__all__ = ["CNNF", "VideoNet", "DIVAFN", "TorchvisionBackbone", "build_backbone", "GradientReversal",
           "DomainClassifier", "BACKBONES", "VIDEO_INPUTS"]


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
