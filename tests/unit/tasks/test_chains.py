"""`chains` (tasks/params.py, Compared): which of CHAINS the comparison trains beside divafn's two chains."""
from pipeline.method.train_config import CHAINS
from tasks.compare import CompareMethods, SeedSweep
from tasks.experiment import RunExperiment


def trained(task) -> set:
    """The objectives of the TrainDIVAFN chains `task` requires features of (beside divafn's own)."""
    return {k[len("features_"):] for k in task.requires() if k.startswith("features_") and k != "features_no_keyframes"}


def test_by_default_every_chain_is_trained_and_the_digest_is_the_one_before_the_setting_existed():
    default = CompareMethods(pair="SYNTHETIC")
    assert default.chains == tuple(CHAINS) and trained(default) == set(CHAINS) and "plus" in default.requires()
    assert default.digest_added["chains"] == default.to_str_params()["chains"]      # so left out of the digest
    # the same set however it is written: the same task, the same folder
    reordered = CompareMethods(pair="SYNTHETIC", chains=["divafn_plus", "dann", "finetune"])
    assert reordered.chains == tuple(CHAINS)
    assert reordered.digest() == default.digest()


def test_a_subset_trains_only_its_chains_and_moves_the_digest():
    default = CompareMethods(pair="SYNTHETIC")
    only_dann = CompareMethods(pair="SYNTHETIC", chains=["dann"])
    assert trained(only_dann) == {"dann"} and "plus" not in only_dann.requires()
    assert only_dann.digest() != default.digest()
    none = CompareMethods(pair="SYNTHETIC", chains=[])
    assert trained(none) == set() and none.digest() not in (default.digest(), only_dann.digest())


def test_the_run_and_the_sweep_pass_their_chains_on():
    run = RunExperiment(pair="SYNTHETIC", chains=["finetune"])
    assert set(run.requires()["chain_features"]) == {"divafn_no_keyframes", "finetune"}
    assert trained(run.requires()["compare"]) == {"finetune"}
    sweep = SeedSweep(pair="SYNTHETIC", seeds=[0, 1], chains=[])
    assert all(trained(c) == set() for c in sweep.requires().values())
