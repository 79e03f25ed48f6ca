"""A setting added after outputs existed (ArtifactTask.digest_added): at the value that reproduces those outputs it
leaves the digest as it was, so they stay complete; any other value moves it."""
import luigi

from pipeline.method.train_config import TrainConfig
from tasks.base import ArtifactTask
from tasks.train import TrainDIVAFN


class Before(ArtifactTask):
    a = luigi.IntParameter(default=1)

    def output(self):
        return self.artifact("out.txt")


class After(Before):
    """Before, with a setting added later whose value "old" is what Before did."""
    b = luigi.Parameter(default="old")
    digest_added = {"b": "old"}

    @classmethod
    def get_task_family(cls):
        return Before.get_task_family()


def test_an_added_setting_at_its_old_value_keeps_the_digest_and_any_other_moves_it():
    before = Before(pair="SYNTHETIC").digest()
    assert After(pair="SYNTHETIC").digest() == before
    assert After(pair="SYNTHETIC", b="new").digest() != before
    assert After(pair="SYNTHETIC", a=2).digest() == Before(pair="SYNTHETIC", a=2).digest() != before
    assert After(pair="SYNTHETIC").digest_params()["b"] == "old"          # still reported with the parameters


def test_another_video_input_moves_the_training_digest():
    assert TrainDIVAFN(pair="SYNTHETIC", video_input="uniform").digest() != TrainDIVAFN(pair="SYNTHETIC").digest()


def test_other_video_steps_move_the_training_digest_and_the_default_is_the_earlier_training():
    default = TrainDIVAFN(pair="SYNTHETIC")
    assert TrainDIVAFN(pair="SYNTHETIC", video_steps="algorithm").digest() != default.digest()
    assert TrainDIVAFN.digest_added["video_steps"] == default.video_steps == "one_pass"


def test_an_objectives_own_setting_moves_only_that_objectives_training():
    divafn, dann = TrainDIVAFN(pair="SYNTHETIC"), TrainDIVAFN(pair="SYNTHETIC", objective="dann")
    plus = TrainDIVAFN(pair="SYNTHETIC", objective="divafn_plus")
    # divafn_plus's γ: not read by divafn or dann, so their folders stay whatever γ's default becomes
    assert TrainDIVAFN(pair="SYNTHETIC", gamma=7.0).digest() == divafn.digest()
    assert TrainDIVAFN(pair="SYNTHETIC", objective="dann", gamma=7.0).digest() == dann.digest()
    assert TrainDIVAFN(pair="SYNTHETIC", objective="divafn_plus", gamma=7.0).digest() != plus.digest()
    # dann's domain weight: the same, the other way round
    assert TrainDIVAFN(pair="SYNTHETIC", objective="divafn_plus", domain_weight=0.5).digest() == plus.digest()
    assert TrainDIVAFN(pair="SYNTHETIC", objective="dann", domain_weight=0.5).digest() != dann.digest()
    assert "gamma" not in divafn.digest_params() and plus.digest_params()["gamma"] == str(TrainConfig.gamma)
