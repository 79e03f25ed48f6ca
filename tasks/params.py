"""The settings several stages share, declared once, and the parameter types that validate at parse time.

A task takes a shared setting when it, or a stage upstream of it, uses it; it passes its value on to what it
requires (`self.clone(...)`), so the value given to the task you run reaches every stage of its graph:

    luigi --module tasks RunExperiment --pair SYNTHETIC --n-shards 2 --image-size 64

Because the value flows down the graph, a shared setting is given once for the whole graph: on the command line
of the task you run, or in luigi.cfg's `[divafn]` / `[pair:<PAIR>]`. `--ExtractKeyframes-keyframes 5` while
running RunExperiment, or `keyframes` in a stage's section, is refused (tasks/config.py), never ignored.
"""
import luigi

from models import BACKBONES
from pipeline.data import custom
from pipeline.data.pairs import get_pair
from pipeline.errors import DataError
from pipeline.method.train_config import TrainConfig


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


class ShareParameter(luigi.FloatParameter):
    """A share, 0 … 1; another value fails at parse time with one line naming the setting."""

    def normalize(self, x):
        if not 0 <= float(x) <= 1:
            raise DataError(f"{x}: this setting is a share of each batch, 0 … 1 (e.g. --TrainDIVAFN-augment-p 0.75).")
        return float(x)


class Dataset:
    """Where the pair's data is read from: every stage but MakeSyntheticData."""
    data_root = luigi.Parameter(default="", description="folder holding one folder per dataset; "
                                                        "empty: [paths] data_root in luigi.cfg")
    split = SplitParameter(default=1, description="official split of UCF101 / HMDB51: 1, 2 or 3")


class ImageSize:
    image_size = luigi.IntParameter(default=224, description="network input size px (pixels) of images and keyframes")


class Videos:
    keyframes = luigi.IntParameter(default=3, description="keyframes per video (k)")
    n_shards = luigi.IntParameter(default=4, description="how many shards the videos are split into")


class Seed:
    seed = luigi.IntParameter(default=TrainConfig.seed, description="seed of initialisation, batch order, λ folds "
                                                                    "and the SVM")


class Device:
    device = luigi.Parameter(default="auto", significant=False, description="auto (CUDA when present), cpu, cuda, "
                                                                            "cuda:N")


class Training:
    epochs = luigi.IntParameter(default=TrainConfig.epochs, description="outer iterations of Algorithm 1")
    backbone = luigi.ChoiceParameter(choices=list(BACKBONES), default="efficientnet_lite0",
                                     description="f(·; θx): efficientnet_lite0 (ImageNet weights, installed), cnnf "
                                                 "(the paper's CNN-F), alexnet or resnet18 (torchvision)")


class Chain(Dataset, ImageSize, Videos, Seed, Device, Training):
    """Every shared setting, for the stages after training (they pass them on to TrainDIVAFN and before).

    The settings in `passes_on` only reach such a stage's output through its inputs' paths (which hold the
    upstream digests), so they are left out of its own digest.
    """
    passes_on = ("image_size", "keyframes", "n_shards", "epochs", "backbone")


class OneChain(Chain):
    """The stages after training, one chain each: `train_overrides` names the TrainDIVAFN it is made from."""
    train_overrides = luigi.DictParameter(default={}, description="TrainDIVAFN parameters for this chain (e.g. "
                                          '{"use_keyframes": false}, {"c": 32}); they reach the digest through the '
                                          "input's path")
    digest_excludes = ("train_overrides",)


SHARED = tuple(sorted({name for group in (Dataset, ImageSize, Videos, Seed, Device, Training)
                       for name, v in vars(group).items() if isinstance(v, luigi.Parameter)}))
