"""Every setting given reaches its stage or is refused (tasks/params.py, tasks/config.py), parsed in-process."""
import luigi
import pytest
from luigi.cmdline_parser import CmdlineParser
from luigi.configuration import LuigiConfigParser
from luigi.task import flatten
from luigi.task_register import Register

import tasks
from pipeline.errors import DataError
from tasks import base, config
from tasks.params import SHARED

# A value for each shared setting that differs from the code's (and luigi.cfg's SYNTHETIC: n_shards 2, image_size 64,
# epochs 10), for a pair read from a data root (SYNTHETIC's is generated: --data-root is refused for it) and a backbone
# that takes 48 px.
VALUES = dict(data_root="/somewhere", split="2", image_size="48", keyframes="2", n_shards="3", seed="5", device="cpu",
              epochs="2", backbone="resnet18", chains='["dann"]')
# the roots that compare methods (tasks/params.py, Compared): the others have no `chains`
COMPARING = ("RunExperiment", "SeedSweep", "CompareMethods")
PAIR = "Stanford40_UCF101"


def parse(*argv):
    """The root task of `luigi --module tasks ARGV` (tasks are imported), as Luigi builds it."""
    return stages_of(*argv)[0]


def stages_of(*argv) -> list:
    """The root task of `luigi --module tasks ARGV` and every task in its graph, built as Luigi's worker builds
    them: while the command line is in force."""
    Register.clear_instance_cache()
    with CmdlineParser.global_instance(list(argv)) as cp:
        return graph(cp.get_task_obj())


def graph(root) -> list:
    seen, todo = {}, [root]
    while todo:
        t = todo.pop()
        if t.task_id not in seen:
            seen[t.task_id] = t
            todo += flatten(t.requires())
    return list(seen.values())


def test_the_table_of_values_covers_every_shared_setting():
    assert set(VALUES) == set(SHARED)


@pytest.mark.parametrize("root", ["RunExperiment", "SeedSweep", "Sensitivity", "TrainDIVAFN"])
def test_shared_settings_on_the_command_line_reach_every_stage(root):
    given = {k: v for k, v in VALUES.items() if not (root == "SeedSweep" and k == "seed")
             and not (root not in COMPARING and k == "chains")}
    args = [a for k, v in given.items() for a in (f"--{k.replace('_', '-')}", v)]
    stages = stages_of(root, "--pair", PAIR, *args)
    for name, value in given.items():
        having = [t for t in stages if name in t.param_kwargs]
        assert having, name
        for t in having:
            assert t.to_str_params()[name] == value, (t.get_task_family(), name, t.param_kwargs[name])
    families = {t.get_task_family() for t in stages}
    assert {"ExtractKeyframes", "PrepareImages", "TrainDIVAFN"} <= families
    shards = [t for t in stages if t.get_task_family() == "ExtractKeyframes"]
    assert sorted(t.shard for t in shards) == [0, 1, 2]          # n_shards 3 on the command line


def test_a_stage_setting_reaches_its_stage_from_the_root():
    stages = stages_of("RunExperiment", "--pair", "SYNTHETIC", "--ExtractKeyframes-grid", "5", "--TrainDIVAFN-c", "8",
                       "--ExtractVideoFeatures-extractor", "r3d_18", "--ExtractVideoFeatures-batch-size", "3")
    by = lambda fam: [t for t in stages if t.get_task_family() == fam]
    assert all(t.grid == 5 for t in by("ExtractKeyframes")) and by("ExtractKeyframes")
    assert {t.c for t in by("TrainDIVAFN")} == {8}
    assert {t.batch_size for t in by("ExtractVideoFeatures")} == {3}     # not TrainDIVAFN's batch_size
    assert {t.batch_size for t in by("TrainDIVAFN")} == {32}             # luigi.cfg [pair:SYNTHETIC]


@pytest.mark.parametrize("name", SHARED)
def test_a_shared_setting_given_for_one_stage_is_refused_with_the_flag_to_use(name):
    stage = next(s for s in ("TrainDIVAFN", "CompareMethods", "ExtractVideoFeatures")
                 if name in getattr(tasks, s).get_param_names(include_significant=True))
    flag = f"--{stage}-{name.replace('_', '-')}"
    with pytest.raises(DataError) as e:
        parse("RunExperiment", "--pair", "SYNTHETIC", flag, VALUES[name])
    assert flag in str(e.value) and f"--{name.replace('_', '-')} {VALUES[name]}" in str(e.value)


def test_the_root_task_may_name_its_own_family():
    assert parse("TrainDIVAFN", "--pair", "SYNTHETIC", "--TrainDIVAFN-epochs", "4").epochs == 4


def test_a_flag_for_a_stage_outside_the_graph_is_refused():
    with pytest.raises(DataError, match="Sensitivity is not a stage of TrainDIVAFN's graph"):
        parse("TrainDIVAFN", "--pair", "SYNTHETIC", "--Sensitivity-c-values", "[8]")


@pytest.mark.parametrize("text, message", [
    ("[TrainDIVAFN]\nepoch = 5\n", "TrainDIVAFN has no setting 'epoch' (did you mean epochs?)"),
    ("[TrainDIVAFN]\nepochs = 5\n", "[TrainDIVAFN] epochs: epochs is shared by the whole graph: set it in [divafn]"),
    ("[ExtractKeyframes]\nkeyframes = 5\n", "[ExtractKeyframes] keyframes: keyframes is shared"),
    ("[TrainDIVAF]\nc = 5\n", "[TrainDIVAF] names no stage (did you mean TrainDIVAFN?)"),
    ("[pair:SYNTHETICS]\nc = 5\n", "no pair 'SYNTHETICS' (did you mean SYNTHETIC?)"),
    ("[pair:SYNTHETIC]\ncc = 5\n", "[pair:SYNTHETIC] cc: no stage has this setting"),
    ("[divafn]\nc = 5\n", "[divafn] c: [divafn] holds the settings shared by several stages"),
    ("[paths]\nartifact = x\n", "paths has no setting 'artifact' (did you mean artifacts?)"),
])
def test_a_config_setting_no_stage_would_use_is_refused(monkeypatch, text, message):
    cp = LuigiConfigParser()
    cp.read_string(text)
    monkeypatch.setattr(config, "get_config", lambda: cp)
    with pytest.raises(DataError) as e:
        base.check_settings(tasks.RunExperiment(pair="SYNTHETIC"))
    assert message in str(e.value)


def test_the_repository_config_passes_its_own_check():
    base.check_settings(tasks.RunExperiment(pair="SYNTHETIC"))


@pytest.mark.parametrize("argv, says", [
    (["RunExperiment"], "--pair is missing: RunExperiment needs it (image→video pair: one of SYNTHETIC, Stanford40_UCF101"),
    (["TrainDIVAFN", "--seed", "0"], "e.g. `luigi --module tasks TrainDIVAFN --pair SYNTHETIC`."),
    (["RunExperiment", "--pair", "SYNTHETIC", "--seed", "x"], "--seed: 'x' is not an integer; give e.g. --seed 0."),
    (["RunExperiment", "--pair", "SYNTHETIC", "--backbone", "vgg"], "--backbone: 'vgg' is not one of alexnet, cnnf, efficientnet_lite0, resnet18"),
    (["RunExperiment", "--pair", "SYNTHETIC", "--TrainDIVAFN-c", "x"], "--TrainDIVAFN-c: 'x' is not an integer; give e.g. --TrainDIVAFN-c 64."),
    (["RunExperiment", "--pair", "SYNTHETIC", "--TrainDIVAFN-augment", "maybe"], "'maybe' is not true or false"),
    (["RunExperiment", "--pair", "SYNTHETIC", "--ProjectSemantics-lambda-grid", "[1,"], "'[1,' is not a JSON list"),
])
def test_a_missing_or_malformed_value_is_one_line_naming_the_flag(argv, says):
    with pytest.raises(DataError) as e:
        parse(*argv)
    assert says in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("section, option, says", [
    ("pair:SYNTHETIC", "seed", ": [pair:SYNTHETIC] seed: 'x' is not an integer; give e.g. seed = 0."),   # read by config.resolve
    ("TrainDIVAFN", "c", ": [TrainDIVAFN] c: 'x' is not an integer; give e.g. c = 64."),                # read by Luigi
])
def test_a_malformed_value_in_luigi_cfg_names_its_section(section, option, says):
    cfg = luigi.configuration.get_config()
    before = cfg.get(section, option, None)
    cfg.set(section, option, "x")
    try:
        with pytest.raises(DataError) as e:
            parse("RunExperiment", "--pair", "SYNTHETIC")
    finally:
        if before is None:
            cfg.remove_option(section, option)
        else:
            cfg.set(section, option, before)
    assert says in str(e.value) and "luigi.cfg" in str(e.value)


@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_a_share_outside_0_to_1_is_refused_at_parse_time(value):
    with pytest.raises(DataError, match=f"--TrainDIVAFN-augment-p: '{value}' is not a number from 0 to 1; give e.g."):
        parse("TrainDIVAFN", "--pair", "SYNTHETIC", "--TrainDIVAFN-augment-p", value)


def test_a_share_reaches_the_training_stage():
    (train,) = [t for t in stages_of("DumpFeatures", "--pair", "SYNTHETIC", "--TrainDIVAFN-augment-p", "0.25")
                if t.get_task_family() == "TrainDIVAFN"]
    assert train.augment_p == 0.25


def test_the_video_input_scaling_reaches_the_training_stage():
    (train,) = [t for t in stages_of("DumpFeatures", "--pair", "SYNTHETIC", "--TrainDIVAFN-video-input", "uniform")
                if t.get_task_family() == "TrainDIVAFN"]
    assert train.video_input == "uniform"


def test_the_video_steps_reach_the_training_stage_and_an_unknown_one_is_refused():
    (train,) = [t for t in stages_of("DumpFeatures", "--pair", "SYNTHETIC", "--TrainDIVAFN-video-steps", "algorithm")
                if t.get_task_family() == "TrainDIVAFN"]
    assert train.video_steps == "algorithm"
    with pytest.raises(DataError, match="'twice' is not one of algorithm, one_pass; give e.g. --TrainDIVAFN-video-steps"):
        parse("TrainDIVAFN", "--pair", "SYNTHETIC", "--TrainDIVAFN-video-steps", "twice")


@pytest.mark.parametrize("argv, says", [
    (["RunExperiment", "--pair", "SYNTHETIC", "--data-root", "mydata/"],
     "--data-root mydata/: SYNTHETIC is generated (MakeSyntheticData), not read from a data root, so this setting "
     "would be ignored; drop it"),
    (["RunExperiment", "--pair", "SYNTHETIC", "--ExtractVideoFeatures-weights", "w.pt"],
     "--ExtractVideoFeatures-weights w.pt: only the extractors r3d_18, r2plus1d_18, mc3_18 read it, and this run's is "
     "default, so it would be ignored"),
    (["ExtractVideoFeatures", "--pair", "SYNTHETIC", "--extractor", "r3d_18", "--precomputed-path", "f.npz"],
     "--precomputed-path f.npz: only the extractor precomputed reads it"),
    (["TrainDIVAFN", "--pair", "SYNTHETIC", "--augment", "false", "--augment-p", "0.5"],
     "--augment-p 0.5: augment is false, so no still is augmented"),
    (["TrainDIVAFN", "--pair", "SYNTHETIC", "--backbone", "cnnf", "--lr-trunk", "0.5"],
     "--lr-trunk 0.5: cnnf is trained from scratch here (no pretrained file)"),
    (["RunExperiment", "--pair", "SYNTHETIC", "--EmbedClassNames-vectors-path", "v.txt"],
     "--EmbedClassNames-vectors-path v.txt: the provider glove reads no file"),
    (["EmbedClassNames", "--pair", "SYNTHETIC", "--provider", "word_vectors", "--vectors-path", "v.txt",
      "--embedding-dim", "50"], "--embedding-dim 50: the provider word_vectors takes d from its file"),
    (["RunExperiment", "--pair", "SYNTHETIC", "--backbone", "alexnet", "--image-size", "62"],
     "--image-size 62: the alexnet backbone takes images of at least 63 px"),
    (["TrainDIVAFN", "--pair", "SYNTHETIC", "--gamma", "2"],
     "--gamma 2: only objective divafn_plus has a supervised term, and this training's objective is divafn"),
    (["TrainDIVAFN", "--pair", "SYNTHETIC", "--objective", "divafn_plus", "--tau", "0.5"],
     "--tau 0.5: only supervision semantic has a softmax temperature"),
    (["TrainDIVAFN", "--pair", "SYNTHETIC", "--objective", "finetune", "--alpha-fg", "2"],
     "--alpha-fg 2: objective finetune trains by cross-entropy alone"),
    (["RunExperiment", "--pair", "SYNTHETIC", "--TrainDIVAFN-domain-weight", "0.5", "--TrainDIVAFN-gamma", "2",
      "--TrainDIVAFN-tau", "0.5"], "--TrainDIVAFN-tau 0.5: only supervision semantic has a softmax temperature"),
    (["RunExperiment", "--pair", "SYNTHETIC", "--TrainDIVAFN-objective", "dann"],
     "--TrainDIVAFN-objective dann: the comparison scores the configured chain as the paper's divafn"),
])
def test_a_setting_the_graph_would_ignore_or_cannot_use_is_refused_naming_where_it_was_given(argv, says):
    with pytest.raises(DataError) as e:
        parse(*argv)
    assert str(e.value).startswith(says) and "\n" not in str(e.value)


def with_option(section, option, value):
    """parse(...) with luigi.cfg's [section] option = value (restored after)."""
    cfg = luigi.configuration.get_config()
    before = cfg.get(section, option, None)
    cfg.set(section, option, value)

    def restore():
        if before is None:
            cfg.remove_option(section, option)
        else:
            cfg.set(section, option, before)
    return restore


def test_a_data_root_given_for_synthetic_in_luigi_cfg_is_refused_and_one_for_every_pair_is_not():
    restore = with_option("pair:SYNTHETIC", "data_root", "mydata/")
    try:
        with pytest.raises(DataError, match=r"luigi.cfg: \[pair:SYNTHETIC\] data_root = mydata/: SYNTHETIC is generated"):
            parse("RunExperiment", "--pair", "SYNTHETIC")
    finally:
        restore()
    restore = with_option("divafn", "data_root", "mydata/")      # the data root of every real pair
    try:
        assert parse("RunExperiment", "--pair", "SYNTHETIC").data_root == "mydata/"
    finally:
        restore()


def test_a_pair_section_option_another_stage_uses_is_not_taken_for_an_ignored_one():
    """[pair:SYNTHETIC] batch_size (luigi.cfg) is TrainDIVAFN's; ExtractVideoFeatures, whose default extractor reads
    no batch_size, takes it too, and it is not refused there."""
    stages = stages_of("RunExperiment", "--pair", "SYNTHETIC")
    assert {t.batch_size for t in stages if t.get_task_family() == "ExtractVideoFeatures"} == {32}


def test_a_setting_of_one_objective_given_for_the_whole_run_reaches_the_chain_that_reads_it():
    """CompareMethods trains every objective: [TrainDIVAFN] gamma and domain_weight serve divafn_plus's and dann's
    chains (the faithful divafn's ignores them), so they are taken, and only there."""
    stages = stages_of("RunExperiment", "--pair", "SYNTHETIC", "--TrainDIVAFN-gamma", "2",
                       "--TrainDIVAFN-domain-weight", "0.5")
    trained = {t.objective: t for t in stages if t.get_task_family() == "TrainDIVAFN" and t.use_keyframes}
    assert sorted(trained) == ["dann", "divafn", "divafn_plus", "finetune"]
    assert trained["divafn_plus"].gamma == 2.0
    assert trained["dann"].domain_weight == 0.5


def test_a_config_class_flag_is_taken_by_every_stage():
    """--paths-artifacts DIR is Luigi's flag for luigi.cfg's [paths] artifacts: not a stage, read by every one."""
    Register.clear_instance_cache()
    with CmdlineParser.global_instance(["TrainDIVAFN", "--pair", "SYNTHETIC", "--paths-artifacts", "/elsewhere"]) as cp:
        base.check_settings(cp.get_task_obj())
        assert config.paths().artifacts == "/elsewhere"
