"""One source per default (docs/configuration.md): a setting's default is declared once, in its task's parameter
(Algorithm 1's in TrainConfig, which TrainDIVAFN's parameters read), and luigi.cfg holds only what differs."""
import configparser
import dataclasses

from luigi.task_register import Register

import tasks
from pipeline.method.train_config import TrainConfig
from tasks.params import SHARED
from tests.helpers.luigi_process import REPO

MODEL_AND_DATA = {"c", "fc_dim", "video_hidden", "pretrained", "use_keyframes"}   # TrainDIVAFN's, not TrainConfig's


def code_default(p, name):
    """The value parameter `p` takes where no command line and no config section sets it: its declared default
    (asked for a section that no config file has)."""
    return p.task_value("no section has this name", name)


def ours(family: str) -> bool:
    """Whether a config section is a task (or config class) of this package, not one of Luigi's own."""
    return family in Register.task_names() and Register.get_task_cls(family).__module__.startswith("tasks")


def test_luigi_cfg_sets_nothing_to_its_code_default():
    """An option of [divafn], [pair:<PAIR>] or a stage's section that equals the default of every parameter it
    reaches only repeats the code (and would hide a change of that default): it is refused."""
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(REPO / "luigi.cfg")
    params = [(family, name, p) for family in Register.task_names() if ours(family)
              for name, p in Register.get_task_cls(family).get_params()]
    restated, checked = [], 0
    for section in cfg.sections():
        every_stage = section == "divafn" or section.startswith("pair:")     # reaches every stage taking it
        if not every_stage and not ours(section):
            continue
        for option, raw in cfg.items(section):
            targets = [p for f, n, p in params if n == option and (every_stage or f == section)]
            assert targets, f"[{section}] {option}: no parameter has this name"
            checked += 1
            if all(p.normalize(p.parse(raw)) == code_default(p, option) for p in targets):
                restated.append(f"[{section}] {option} = {raw}")
    assert checked                                              # [pair:SYNTHETIC]'s sizes at least
    assert restated == [], "luigi.cfg repeats these code defaults; remove them"


def test_every_TrainConfig_field_is_a_TrainDIVAFN_parameter_with_its_default():
    params = dict(tasks.TrainDIVAFN.get_params())
    for field in dataclasses.fields(TrainConfig):
        assert field.name in params, field.name
        assert code_default(params[field.name], field.name) == field.default, field.name


def test_every_TrainDIVAFN_parameter_is_a_shared_setting_a_model_or_data_setting_or_a_TrainConfig_field():
    """So that a new training setting goes into TrainConfig, where train.train and the tests read it."""
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert set(tasks.TrainDIVAFN.get_param_names(include_significant=True)) == \
        set(SHARED) - {"chains"} | {"pair"} | MODEL_AND_DATA | fields      # chains: the comparison's, not a training's
