"""Where task parameters get their values, and the package's luigi.cfg.

Precedence, highest first:
  1. given explicitly: on the command line (`--epochs 5`, `--TrainDIVAFN-epochs 5`) or by a parent task;
  2. the pair's section `[pair:<PAIR>]` (e.g. `[pair:SYNTHETIC] image_size = 64`): per-dataset settings;
  3. the stage's section `[<TaskName>]` (Luigi's own rule);
  4. `[divafn]`: shared defaults for every stage that takes the parameter (image_size, seed, device…);
  5. the default in the code.
Config files are read in Luigi's order, the repository's luigi.cfg first (so that the package works
from any directory), then /etc/luigi/luigi.cfg, ./luigi.cfg and $LUIGI_CONFIG_PATH, later ones winning.
"""
from pathlib import Path

import luigi
from luigi.cmdline_parser import CmdlineParser
from luigi.configuration import LuigiConfigParser, get_config

PACKAGE_CFG = Path(__file__).resolve().parent.parent / "luigi.cfg"


def load_package_config() -> None:
    """Put the repository's luigi.cfg first in Luigi's search path (lowest priority) and re-read."""
    if PACKAGE_CFG.is_file() and str(PACKAGE_CFG) not in LuigiConfigParser._config_paths:
        LuigiConfigParser._config_paths.insert(0, str(PACKAGE_CFG))
        LuigiConfigParser.reload()


def _given_on_cli(task_family: str, name: str) -> bool:
    parser = CmdlineParser.get_instance()
    return parser is not None and getattr(parser.known_args, f"{task_family}_{name}", None) is not None


def resolve(task_cls, params, values: dict, explicit: set) -> dict:
    """Apply layers 2 and 4 to the values Luigi resolved (layers 1, 3, 5)."""
    cfg, family = get_config(), task_cls.get_task_family()
    pair_section = f"pair:{values.get('pair')}"
    for name, p in params:
        if name in explicit or _given_on_cli(family, name):
            continue
        for section, wins_over_stage in ((pair_section, True), ("divafn", False)):
            if not cfg.has_option(section, name):
                continue
            if not wins_over_stage and cfg.has_option(family, name):
                break
            values[name] = p.normalize(p.parse(cfg.get(section, name)))
            break
    return values


class paths(luigi.Config):
    """[paths]: where datasets are read from and artifacts are written to."""
    data_root = luigi.Parameter(default="data", description="folder holding one folder per dataset (DESIGN §4)")
    artifacts = luigi.Parameter(default="artifacts", description="root of every output")
