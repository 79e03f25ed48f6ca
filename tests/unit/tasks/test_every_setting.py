"""Every setting of every task refuses a value no run can mean, at parse time, in one line naming it (tasks/params.py).

The walk covers the tasks and config classes of tasks/ as tasks/base.py's `_families` finds them in Luigi's registry.
Each parameter is either of a checked type, whose impossible values (below its range, above it, an unknown choice,
an empty list) are given to it here on the command line of its own task, or listed in MEANINGFUL with the reason
every value of it means something. A setting added with a plain luigi.IntParameter (no declared range) is neither:
the first test fails and says so.
"""
import luigi
import pytest
from luigi.cmdline_parser import CmdlineParser
from luigi.task_register import Register

import tasks  # noqa: F401  (registers every task)
from pipeline.errors import DataError
from tasks import base, params
from tasks.predict import VideosParameter

# Settings whose every value some run can mean: (their exact type, why). A bad path is refused where it is read.
MEANINGFUL = {
    "data_root": (luigi.Parameter, "a folder; one without the pair's datasets is one line when BuildManifest reads it"),
    "artifacts": (luigi.Parameter, "[paths] artifacts: a folder; one that cannot be written is one line (targets.py)"),
    "weights": (luigi.Parameter, "a 3D CNN's state-dict file, read (and checked) by ExtractVideoFeatures"),
    "precomputed_path": (luigi.Parameter, "a feature file, read (and checked) by ExtractVideoFeatures"),
    "precomputed_dataset": (luigi.Parameter, "the name of an array in that file, checked when it is read"),
    "vectors_path": (luigi.Parameter, "a word-vectors file or model folder, read (and checked) by EmbedClassNames"),
    "pretrained": (luigi.Parameter, "an ImageNet state-dict file, read (and checked) by TrainDIVAFN"),
    **{ds: (luigi.Parameter, "[datasets]: a dataset's folder, checked with the layout by BuildManifest")
       for ds in ("stanford40", "ucf101", "hmdb51", "bu101", "asd", "ead")},
    "allow_random_weights": (luigi.BoolParameter, "true or false; Luigi refuses anything else at parse time"),
    "augment": (luigi.BoolParameter, "true or false; Luigi refuses anything else at parse time"),
    "balanced": (luigi.BoolParameter, "true or false; Luigi refuses anything else at parse time"),
    "centre": (luigi.BoolParameter, "true or false; Luigi refuses anything else at parse time"),
    "use_keyframes": (luigi.BoolParameter, "true or false; Luigi refuses anything else at parse time"),
}

# The values each checked type cannot take (a type missing here fails the walk: add its values).
IMPOSSIBLE = {
    params.Count: lambda p: [str(p.at_least - 1)] + ([] if p.at_most is None else [str(p.at_most + 1)]),
    params.Positive: lambda p: ["0", "-1", "nan"],
    params.NonNegative: lambda p: ["-0.5", "inf"],
    params.Fraction: lambda p: ["-0.1", "1.5"],
    params.Counts: lambda p: ["[]", f"[{p.at_least - 1}]", "[1.5]"] + ([] if p.at_most is None else
                                                                      [f"[{p.at_most + 1}]"]),
    params.Positives: lambda p: ["[]", "[0]", "[-1.0]"],
    params.DeviceParameter: lambda p: ["gpu", "cuda:99"],
    params.ChainOverrides: lambda p: ['{"no_such_setting": 1}', '{"c": 0}'],
    params.ChainNames: lambda p: ['["bogus"]', '[1]', '"finetune"'],
    params.SplitParameter: lambda p: ["4", "0"],
    params.PairParameter: lambda p: ["NOPE"],
    VideosParameter: lambda p: ["/no/such/folder"],
    luigi.ChoiceParameter: lambda p: ["no-such-choice"],
}
CHECKED = (params.Checked, params.SplitParameter, params.PairParameter, VideosParameter, luigi.ChoiceParameter)


def settings() -> list:
    """(family, name, parameter) of every setting of tasks/, each parameter object once (a setting shared through a
    mixin is one object in every task that takes it: tried on the first of them)."""
    out, seen = [], set()
    for family in sorted(base._families()):
        cls = Register.get_task_cls(family)
        if not cls.__module__.startswith("tasks."):             # a task defined by another test
            continue
        for name, p in cls.get_params():
            if id(p) not in seen:
                seen.add(id(p))
                out.append((family, name, p))
    return out


SETTINGS = settings()


def test_every_setting_is_checked_or_listed_as_meaningful_with_its_reason():
    unchecked = [f"{family}.{name} ({type(p).__name__})" for family, name, p in SETTINGS
                 if not isinstance(p, CHECKED) and type(p) is not MEANINGFUL.get(name, (None,))[0]]
    assert unchecked == [], ("declare these with a checked type of tasks/params.py (Count, Positive, NonNegative, "
                             "Fraction, Counts, Positives, …), or list them in MEANINGFUL with the reason")
    assert len(SETTINGS) > 50                                   # the walk found the tasks


CASES = [(family, name, value) for family, name, p in SETTINGS if isinstance(p, CHECKED)
         for value in IMPOSSIBLE[type(p)](p)]


@pytest.mark.parametrize("family, name, value", CASES, ids=[f"{f}-{n}={v}" for f, n, v in CASES])
def test_an_impossible_value_is_one_line_naming_the_setting_at_parse_time(family, name, value, tmp_path, monkeypatch):
    monkeypatch.setattr(params, "cuda_device_count", lambda: 1)        # cuda:99 is refused with a GPU too
    (tmp_path / "a.avi").write_bytes(b"")                              # --videos: a folder with a video file
    given = {"pair": "SYNTHETIC", "videos": str(tmp_path), name: value}
    task_params = dict(Register.get_task_cls(family).get_params())
    argv = [family] + [a for k, v in given.items() if k in task_params for a in (f"--{k.replace('_', '-')}", v)]
    Register.clear_instance_cache()
    with pytest.raises(DataError) as e:
        with CmdlineParser.global_instance(argv) as cp:
            cp.get_task_obj()
    message = str(e.value)
    assert "\n" not in message
    assert f"--{name.replace('_', '-')}" in message
    assert value in message


@pytest.mark.parametrize("backbone", sorted(params.MIN_IMAGE_SIZE))
def test_each_backbone_takes_its_smallest_image_size_and_no_smaller(backbone):
    """tasks/params.py's MIN_IMAGE_SIZE, which TrainDIVAFN refuses an image size against, is what each network
    takes (a forward pass of the training mode, at 1 px for those that take any size)."""
    import torch

    from models.backbones import build_backbone

    def forward(px):
        build_backbone(backbone, 8, 16, px).train()(torch.zeros(2, px, px, 3, dtype=torch.uint8))

    least = params.MIN_IMAGE_SIZE[backbone]
    forward(least)
    if least > 1:
        with pytest.raises(RuntimeError, match="Output size is too small"):
            forward(least - 1)
