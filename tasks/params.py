"""The settings several stages share, declared once, and the parameter types that validate at parse time.

A task takes a shared setting when it, or a stage upstream of it, uses it; it passes its value on to what it
requires (`self.clone(...)`), so the value given to the task you run reaches every stage of its graph:

    luigi --module tasks RunExperiment --pair SYNTHETIC --n-shards 2 --image-size 64

Because the value flows down the graph, a shared setting is given once for the whole graph: on the command line
of the task you run, or in luigi.cfg's `[divafn]` / `[pair:<PAIR>]`. `--ExtractKeyframes-keyframes 5` while
running RunExperiment, or `keyframes` in a stage's section, is refused (tasks/config.py), never ignored.

Every numeric, list and device setting is of a checked type below (`Count`, `Positive`, `NonNegative`, `Fraction`,
`Counts`, `Positives`, `DeviceParameter`, `ChainOverrides`): a value no run can mean (`--epochs 0`, `--image-size -5`,
`--device cuda` without a GPU) fails while the command line is parsed, in one line naming where it was given
(tasks/config.py, `_parsed`). tests/unit/tasks/test_every_setting.py walks every setting of every task.
"""
import functools
import math
import re

import luigi

from models import BACKBONES
from pipeline.data import custom
from pipeline.data.pairs import get_pair
from pipeline.errors import DataError
from pipeline.method.train_config import CHAINS, TrainConfig

from . import luigi_compat


class PairParameter(luigi.Parameter):
    """A pair name from pipeline.data.pairs.PAIRS, or the path of a pair file (…/name.toml, pipeline.data.custom);
    an unknown name or a bad file fails before anything runs. A file's value is its absolute path, so that a task
    made again in another process (a worker, luigid) reads the same file; its `name` names artifacts/<name>/, and
    the path enters no digest (ArtifactTask.digest_params)."""

    def normalize(self, x):
        if custom.is_pair_file(x):
            return custom.pair_of(x).path      # raises DataError naming the file, the key and the fix
        get_pair(x)          # raises DataError naming the known pairs
        return x


class SplitParameter(luigi.IntParameter):
    """An official split number; another number fails at parse time with one line."""

    def normalize(self, x):
        if int(x) not in (1, 2, 3):
            raise DataError(f"--split {x}: UCF101 and HMDB51 ship splits 1, 2 and 3 (Stanford40 and the class-folder "
                            f"image sets have one); use --split 1, 2 or 3.")
        return int(x)


# ---- checked parameters: a value no run can mean fails at parse time, in one line naming where it was given ----

class Refused(ValueError):
    """A value a checked parameter cannot take. `why` completes "<where it was given>: <value> …" (tasks/config.py,
    `_parsed`, which knows the flag or luigi.cfg option); `examples`: the values to suggest (default: the default)."""

    def __init__(self, value, why: str, examples=()):
        super().__init__(f"{value!r} {why}")
        self.why, self.examples = why, tuple(examples)


class Checked:
    """Mixin of the parameter types below: normalize() refuses, with Refused, what the setting cannot take, so that
    every value (command line, luigi.cfg, a parent's) is checked before the task exists. Every numeric, list and
    device setting of a task is one of these (tests/unit/tasks/test_every_setting.py walks them all)."""
    kind = "a value this setting takes"      # in words, after "is not": "an integer ≥ 1"

    def normalize(self, x):
        x = super().normalize(x)
        self.check(x)
        return x

    def check(self, x) -> None:
        """Raise Refused if this setting cannot take `x` (a parsed value)."""
        if not self.accepts(x):
            raise Refused(x, f"is not {self.kind}")

    def accepts(self, x) -> bool:
        raise NotImplementedError


def _number(x, integer: bool) -> bool:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    return float(x).is_integer() if integer else math.isfinite(x)


class Count(Checked, luigi.IntParameter):
    """An integer from `at_least` (1: a count; 0 where 0 has a documented meaning) to `at_most` (None: no bound)."""

    def __init__(self, *args, at_least=1, at_most=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.at_least, self.at_most = at_least, at_most
        self.kind = f"an integer ≥ {at_least}" if at_most is None else f"an integer from {at_least} to {at_most}"

    def accepts(self, x) -> bool:
        return _number(x, True) and self.at_least <= x <= (math.inf if self.at_most is None else self.at_most)


class Positive(Checked, luigi.FloatParameter):
    """A finite number > 0 (a learning rate, the SVM's C, λ)."""
    kind = "a number > 0"

    def accepts(self, x) -> bool:
        return _number(x, False) and x > 0


class NonNegative(Checked, luigi.FloatParameter):
    """A finite number ≥ 0 (a weight, whose 0 switches its term off; a decay)."""
    kind = "a number ≥ 0"

    def accepts(self, x) -> bool:
        return _number(x, False) and x >= 0


class Fraction(Checked, luigi.FloatParameter):
    """A share, 0 … 1."""
    kind = "a number from 0 to 1"

    def accepts(self, x) -> bool:
        return _number(x, False) and 0 <= x <= 1


class Counts(Checked, luigi.ListParameter):
    """A non-empty JSON list of integers from `at_least` to `at_most` (None: no bound): seeds, code lengths."""

    def __init__(self, *args, at_least=1, at_most=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.at_least, self.at_most = at_least, at_most
        self.kind = (f"a non-empty JSON list of integers ≥ {at_least}" if at_most is None else
                     f"a non-empty JSON list of integers from {at_least} to {at_most}")

    def accepts(self, x) -> bool:
        high = math.inf if self.at_most is None else self.at_most
        return len(x) > 0 and all(_number(v, True) and self.at_least <= v <= high for v in x)


class Positives(Checked, luigi.ListParameter):
    """A non-empty JSON list of finite numbers > 0 (λ values)."""
    kind = "a non-empty JSON list of numbers > 0"

    def accepts(self, x) -> bool:
        return len(x) > 0 and all(_number(v, False) and v > 0 for v in x)


class ChainNames(Checked, luigi.ListParameter):
    """A JSON list of methods of CHAINS (pipeline/method/train_config.py), possibly empty; kept in CHAINS' order, so
    that the same set is the same value (and the same digest) however it was written."""
    kind = "a JSON list of " + ", ".join(CHAINS) + " (or [])"

    def normalize(self, x):
        x = super().normalize(x)
        return tuple(m for m in CHAINS if m in x)

    def check(self, x) -> None:
        if not isinstance(x, (list, tuple)) or not all(isinstance(m, str) and m in CHAINS for m in x):
            raise Refused(x, f"is not {self.kind}", examples=('["finetune", "dann", "divafn_plus"]', "[]"))


class DeviceParameter(Checked, luigi.Parameter):
    """auto, cpu, cuda or cuda:N; a CUDA device that this machine does not show torch is refused at parse time.
    torch is imported only when a CUDA device is named (`import tasks` stays light: test_startup.py)."""
    kind = "auto, cpu, cuda or cuda:N (N: the index of a GPU)"

    def accepts(self, x) -> bool:
        return x in ("auto", "cpu", "cuda") or re.fullmatch(r"cuda:\d+", x) is not None

    def check(self, x) -> None:
        super().check(x)
        if x.startswith("cuda"):
            count, index = cuda_device_count(), int(x.partition(":")[2] or 0)
            if count == 0:
                raise Refused(x, "names a CUDA device, but no CUDA device is visible here (torch.cuda.is_available() "
                                 "is False)", examples=("cpu", "auto"))
            if index >= count:
                visible = "cuda:0 is" if count == 1 else f"{count} are (cuda:0 … cuda:{count - 1})"
                raise Refused(x, f"names CUDA device {index}, but only {visible} visible here",
                              examples=("cuda:0", "auto"))


@functools.lru_cache(maxsize=1)
def cuda_device_count() -> int:
    """How many CUDA devices torch sees here (0 without CUDA); imports torch."""
    import torch
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


class ChainOverrides(Checked, luigi.DictParameter):
    """TrainDIVAFN settings for one chain: each key a TrainDIVAFN setting, each value one it takes."""
    kind = "a JSON object of TrainDIVAFN settings such as {\"c\": 32}"

    def check(self, x) -> None:
        from .train import TrainDIVAFN          # here, not at import: tasks/train.py imports this module
        params = dict(TrainDIVAFN.get_params())
        for name, value in x.items():
            if name not in params or name == "pair":
                raise Refused(dict(x), f"names {name!r}, which is not a setting of TrainDIVAFN")
            try:
                if isinstance(params[name], luigi.BoolParameter) and not isinstance(value, bool):
                    raise ValueError(value)      # BoolParameter.normalize takes anything (as None)
                params[name].normalize(value)
            except ValueError:
                raise Refused(dict(x), f"sets {name} to {value!r}, which is not {kind_of(params[name])}") from None


def kind_of(p, checked=True) -> str:
    """What parameter `p` takes, in words (after "is not"); `checked` False: its type alone ("an integer", for a value
    that does not parse)."""
    if checked and isinstance(p, Checked):
        return p.kind
    if isinstance(p, luigi.ChoiceParameter):
        return "one of " + ", ".join(sorted(map(str, luigi_compat.choices_of(p))))
    for cls, words in ((luigi.BoolParameter, "true or false"), (luigi.IntParameter, "an integer"),
                       (luigi.FloatParameter, "a number"), (luigi.DictParameter, 'a JSON object such as {"c": 32}'),
                       (luigi.ListParameter, "a JSON list such as [0.1, 1.0]")):
        if isinstance(p, cls):
            return words
    return "a value this setting takes"


class Dataset:
    """Where the pair's data is read from: every stage but MakeSyntheticData."""
    data_root = luigi.Parameter(default="", description="folder holding one folder per dataset; "
                                                        "empty: [paths] data_root in luigi.cfg")
    split = SplitParameter(default=1, description="official split of UCF101 / HMDB51: 1, 2 or 3")


# The smallest image side each backbone takes (measured: one px less and its last pooling has no input left;
# tests/unit/tasks/test_every_setting.py builds each at both sizes), and the largest any run here takes: 1024 px is
# 4.6 × ImageNet's 224 per side, 21 × its pixels (a still 3 MiB in images.h5, a batch of 256 3 GiB of uint8 alone).
MIN_IMAGE_SIZE = {"efficientnet_lite0": 1, "cnnf": 39, "alexnet": 63, "resnet18": 1}
MAX_IMAGE_SIZE = 1024
SEED_MAX = 2**32 - 1        # scikit-learn's random_state and numpy's legacy seed take 0 … 2³² − 1


class ImageSize:
    image_size = Count(default=224, at_most=MAX_IMAGE_SIZE, description="network input size px (pixels) of images "
                       "and keyframes (at least " + ", ".join(f"{v} for {k}" for k, v in MIN_IMAGE_SIZE.items()
                                                               if v > 1) + ")")


class Videos:
    keyframes = Count(default=3, description="keyframes per video (k)")
    n_shards = Count(default=4, description="how many shards the videos are split into")


class Seed:
    seed = Count(default=TrainConfig.seed, at_least=0, at_most=SEED_MAX, description="seed of initialisation, batch "
                 "order, λ folds and the SVM")


class Device:
    device = DeviceParameter(default="auto", significant=False, description="auto (CUDA when present), cpu, cuda, "
                                                                            "cuda:N")


class Training:
    epochs = Count(default=TrainConfig.epochs, description="outer iterations of Algorithm 1")
    backbone = luigi.ChoiceParameter(choices=list(BACKBONES), default="efficientnet_lite0",
                                     description="f(·; θx): efficientnet_lite0 (ImageNet weights, installed), cnnf "
                                                 "(the paper's CNN-F), alexnet or resnet18 (torchvision)")


class Chain(Dataset, ImageSize, Videos, Seed, Device, Training):
    """Every shared setting, for the stages after training (they pass them on to TrainDIVAFN and before).

    The settings in `passes_on` only reach such a stage's output through its inputs' paths (which hold the
    upstream digests), so they are left out of its own digest.
    """
    passes_on = ("image_size", "keyframes", "n_shards", "epochs", "backbone")


class Compared:
    """The stages that compare methods (CompareMethods and what runs it): which of CHAINS they train beside divafn."""
    chains = ChainNames(default=tuple(CHAINS), description="the methods trained beside divafn and compared with it, "
                        "each a training of its own: " + ", ".join(CHAINS) + " ([]: divafn's chains only)")
    # their value before they were a setting: at it, left out of the digest (outputs made before stay complete)
    digest_added = {"chains": luigi.ListParameter().serialize(tuple(CHAINS))}


class OneChain(Chain):
    """The stages after training, one chain each: `train_overrides` names the TrainDIVAFN it is made from."""
    train_overrides = ChainOverrides(default={}, description="TrainDIVAFN parameters for this chain (e.g. "
                                          '{"use_keyframes": false}, {"c": 32}); they reach the digest through the '
                                          "input's path")
    digest_excludes = ("train_overrides",)


SHARED = tuple(sorted({name for group in (Dataset, ImageSize, Videos, Seed, Device, Training, Compared)
                       for name, v in vars(group).items() if isinstance(v, luigi.Parameter)}))
