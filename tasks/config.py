"""Where task parameters get their values, the package's luigi.cfg, and the checks that refuse ignored settings.

The order in which settings win (command line, [pair:<PAIR>], [<Stage>], [divafn], the code) is explained once,
in docs/configuration.md, "Precedence"; `resolve` applies the two layers Luigi does not know.
A shared setting flows down the graph from the task that is run, so it is given once: on that task's command line
or in [divafn] / [pair:<PAIR>]; given for one stage (a flag or a stage section) it is refused (`check_config`,
`check_command_line`), as is anything no stage of the graph would read. A missing `--pair`, or a value a setting
cannot take (`--seed x`), is one line naming the flag or the luigi.cfg option and the fix (`missing_setting`,
`bad_value`), not Luigi's traceback.
Config files are read in Luigi's order, the repository's luigi.cfg first (so that the package works
from any directory), then /etc/luigi/luigi.cfg, ./luigi.cfg and $LUIGI_CONFIG_PATH, later ones winning.
"""
import difflib
import shlex
from pathlib import Path

import luigi
from luigi.configuration import get_config

from pipeline.data import custom
from pipeline.errors import DataError

from . import luigi_compat
from .params import SHARED, Refused, kind_of

PACKAGE_CFG = Path(__file__).resolve().parent.parent / "luigi.cfg"


def load_package_config() -> None:
    """Put the repository's luigi.cfg first in Luigi's search path (lowest priority) and re-read."""
    if PACKAGE_CFG.is_file():
        luigi_compat.prepend_config_path(PACKAGE_CFG)


def _given_on_cli(task_family: str, name: str) -> bool:
    args = luigi_compat.command_line()
    return args is not None and getattr(args, f"{task_family}_{name}", None) is not None


def resolve(task_cls, params, values: dict, explicit: set) -> dict:
    """Apply layers 2 and 4 to the values Luigi resolved (layers 1, 3, 5)."""
    cfg, family = get_config(), task_cls.get_task_family()
    pair_section = f"pair:{custom.pair_name(values.get('pair'))}"      # a pair file's: [pair:<its name>]
    for name, p in params:
        if name in explicit or _given_on_cli(family, name):
            continue
        for section, wins_over_stage in ((pair_section, True), ("divafn", False)):
            if not cfg.has_option(section, name):
                continue
            if not wins_over_stage and cfg.has_option(family, name):
                break
            raw = cfg.get(section, name)
            values[name] = _parsed(p, raw, f"{config_files()}: [{section}] {name}", f"{name} = ")
            break
    return values


# ---- a missing or malformed value: one line naming where it was given -----------------------------------------

def _parsed(p, raw, where: str, example: str):
    """`raw` (a string given at `where`) as `p`'s value, or a DataError: "--seed: 'x' is not an integer; give e.g.
    --seed 0.", "--epochs: '0' is not an integer ≥ 1; give e.g. --epochs 30." (a checked parameter's Refused,
    tasks/params.py). `example` prefixes the example value ("--seed ", or "seed = " for luigi.cfg)."""
    try:
        return p.normalize(p.parse(raw))
    except DataError:
        raise
    except Refused as e:
        if e.examples:
            raise DataError(f"{where}: {raw!r} {e.why}; give "
                            f"{' or '.join(example + _quoted(v, example) for v in e.examples)}.") from None
        why = e.why
    except (ValueError, TypeError):
        why = f"is not {kind_of(p, checked=False)}"
    default = luigi_compat.default_of(p)
    shown = "" if default is None else p.serialize(default)
    shown = shown.lower() if isinstance(default, bool) else shown
    fix = f"; give e.g. {example}{_quoted(shown, example)}" if shown not in ("", "{}", "[]") else f"; give {kind_of(p)}"
    raise DataError(f"{where}: {raw!r} {why}{fix}.") from None


def _quoted(value: str, example: str) -> str:
    return shlex.quote(value) if example.startswith("--") else value


def bad_value(task_cls) -> DataError | None:
    """The first value given for `task_cls` that its parameter cannot take, as one line naming where it was given (a
    flag of the task run, a `--Stage-setting` flag, its luigi.cfg section) and what it must be; None if all parse.
    Luigi's own parsing of these raises a bare ValueError (a traceback naming no flag); this finds which value it
    was."""
    cli, cfg, family = luigi_compat.command_line(), get_config(), task_cls.get_task_family()
    args = vars(cli) if cli is not None else {}
    is_root = args.get("root_task") == family
    for name, p in task_cls.get_params():
        given = [(args.get(name) if is_root else None, _flag(name), _flag(name) + " "),
                 (args.get(f"{family}_{name}"), f"--{family}-{name.replace('_', '-')}",
                  f"--{family}-{name.replace('_', '-')} "),
                 (cfg.get(family, name, None), f"{config_files()}: [{family}] {name}", f"{name} = ")]
        for raw, where, example in given:
            if isinstance(raw, str):            # a flag not given is None (an implicit bool flag: True/False)
                try:
                    _parsed(p, raw, where, example)
                except DataError as e:
                    return e
    return None


def given_at(task, name: str, pair_section=True, divafn=True, default=True) -> str | None:
    """Where the value of setting `name` that `task` has was given, as the user wrote it, for a refusal's line:
    "--data-root mydata/", "--ExtractVideoFeatures-weights w.pt", "luigi.cfg: [pair:SYNTHETIC] data_root = mydata/"
    (the first that gives it, in the order they win: docs/configuration.md, "Precedence"). [pair:<PAIR>] and
    [divafn] count only if asked; given nowhere: its flag and value (`default`), else None."""
    cli, cfg, family = luigi_compat.command_line(), get_config(), task.get_task_family()
    args = vars(cli) if cli is not None else {}
    flows = family == args.get("root_task") or name in SHARED         # the run task's flag reaches this task
    for value, flag in ((args.get(name) if flows else None, _flag(name)),
                        (args.get(f"{family}_{name}"), f"--{family}-{name.replace('_', '-')}")):
        if value is not None and value is not False:                  # an implicit bool flag not given reads False
            return f"{flag} {shlex.quote(str(value))}"
    for section, counts in ((f"pair:{task.pair}", pair_section), (family, True), ("divafn", divafn)):
        if counts and cfg.has_option(section, name):
            return f"{config_files()}: [{section}] {name} = {cfg.get(section, name)}"
    return f"{_flag(name)} {shlex.quote(task.to_str_params()[name])}" if default else None


def missing_setting(task_cls, params, kwargs) -> DataError:
    """The setting `task_cls` needs that was given nowhere (only `--pair` has no default), as one line with an
    example."""
    family = task_cls.get_task_family()
    name, p = next(((n, p) for n, p in params if n not in kwargs and not p.has_task_value(family, n)), params[0])
    value = "SYNTHETIC" if name == "pair" else "VALUE"
    return DataError(f"{_flag(name)} is missing: {family} needs it ({p.description}); e.g. "
                     f"`luigi --module tasks {family} {_flag(name)} {value}`.")


class paths(luigi.Config):
    """[paths]: where datasets are read from and artifacts are written to."""
    data_root = luigi.Parameter(default="data", description="folder holding one folder per dataset (DESIGN §4)")
    artifacts = luigi.Parameter(default="artifacts", description="root of every output")


# ---- every setting given is used or refused --------------------------------------------------------------------

# Sections of Luigi itself and of its config classes, which these checks leave to Luigi.
LUIGI_SECTIONS = {"core", "worker", "scheduler", "retcode", "resources", "email", "smtp", "execution_summary",
                  "logging", "task_history", "hdfs", "spark"}


def _suggest(name, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def config_files() -> str:
    return ", ".join(p for p in luigi_compat.config_paths() if Path(p).is_file()) or "luigi.cfg"


def check_config(families: dict, stages: set, shared, pairs) -> None:
    """Refuse what luigi.cfg sets but no stage would use: an unknown option or section, or a shared setting in a
    stage's section (where a parent's value would override it). families: task family (stages and config
    classes such as [paths]) → its parameter names; stages: the families that are stages."""
    cfg, where = get_config(), config_files()
    every = set().union(*families.values())
    for section in cfg.sections():
        options = cfg.options(section)
        if section == "divafn":
            bad = [(o, f"[divafn] holds the settings shared by several stages ({', '.join(shared)})") for o in options
                   if o not in shared]
        elif section.startswith("pair:"):
            if section[5:] not in pairs:
                raise DataError(f"{where}: [{section}]: no pair {section[5:]!r}{_suggest(section[5:], pairs)}; "
                                f"the pairs are {', '.join(pairs)}.")
            bad = [(o, "no stage has this setting") for o in options if o not in every]
        elif section in families:
            own = families[section]
            bad = [(o, f"{o} is shared by the whole graph: set it in [divafn] or [pair:<PAIR>], or give {_flag(o)} "
                       f"on the command line") if o in shared and o in own and section in stages else
                   (o, f"{section} has no setting {o!r}{_suggest(o, own)}") for o in options
                   if o not in own or (o in shared and section in stages)]
        elif section in LUIGI_SECTIONS or not section[:1].isupper():
            continue
        else:
            raise DataError(f"{where}: [{section}] names no stage{_suggest(section, families)}; the stages are "
                            f"{', '.join(sorted(families))}.")
        if bad:
            o, why = bad[0]
            raise DataError(f"{where}: [{section}] {o}: {why}.")


def check_command_line(root: str, families: dict, graph: set, shared, configs=()) -> None:
    """Refuse a `--Stage-setting` flag that would not reach its stage: a shared setting given for one stage
    other than the one run (its parent passes its own value on), or a flag for a stage outside the graph.
    configs: the config classes' families ([paths], [datasets]), whose flags (--paths-artifacts DIR) every stage
    reads."""
    args = luigi_compat.command_line()
    if args is None:
        return
    for dest, value in sorted(vars(args).items()):   # an implicit bool flag not given reads False
        family, _, name = dest.partition("_")
        if value is None or value is False or family not in families or name not in families[family] or family == root:
            continue
        flag = f"--{family}-{name.replace('_', '-')}"
        if family in configs:
            continue
        if family not in graph:
            raise DataError(f"{flag}: {family} is not a stage of {root}'s graph, so the setting would be ignored; "
                            f"drop it, or run `luigi --module tasks {family} ...`.")
        if name in shared:
            raise DataError(f"{flag}: {name} is shared by every stage of the graph; give it as {_flag(name)} {value} "
                            f"(or in luigi.cfg [divafn] / [pair:<PAIR>]).")
