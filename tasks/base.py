"""ArtifactTask: hashed output folders, freshness, provenance and progress for every stage.

Every output lives in `artifacts/<pair>/<Task>-<digest>/` (an AtomicTarget, tasks/targets.py). The digest hashes
the task's own significant parameters and its inputs' paths (which hold the upstream digests), so a change
anywhere upstream moves every downstream output, and an unchanged stage is found complete and never recomputed.
A stage is complete when its outputs exist, everything it requires is complete, and its outputs are not older
than its inputs: after a stage is recomputed (its folder deleted, say, after a code edit), everything after it
is recomputed too, as `make` does.
"""
import atexit
import contextlib
import hashlib
import json
import os
import sys
import threading
from pathlib import Path

import luigi
from luigi.configuration import get_config
from luigi.parameter import MissingParameterException
from luigi.task import flatten
from luigi.task_register import Register, TaskClassException

from pipeline.data import custom
from pipeline.data.pairs import PAIRS
from pipeline.errors import DataError
from pipeline.io import provenance

from . import config, luigi_compat, progress
from .params import SHARED, PairParameter, Refused
from .retry import RetryPolicy
from .targets import AtomicTarget


def mtime(path: str) -> int:
    """Modification time in nanoseconds (the freshness rule compares these)."""
    return os.stat(path).st_mtime_ns


class ArtifactTask(RetryPolicy, luigi.Task):
    """A stage whose outputs live in `artifacts/<pair>/<Task>-<digest>/`.

    The digest hashes the task's significant parameters and the paths of its inputs (which hold the
    upstream digests), so a change anywhere upstream moves every downstream output, and an unchanged
    stage is found complete and never recomputed.
    """
    pair = PairParameter(description=f"image→video pair: one of {', '.join(PAIRS)}, or a pair file (my_pair.toml: "
                                     f"your own data, docs/datasets.md)")
    digest_excludes = ()        # parameters that name a part of one output folder (e.g. "shard")
    passes_on = ()              # shared settings only passed on to the inputs (tasks/params.py, Chain)
    # settings added after outputs existed → the value that reproduces those outputs: at that value a setting is
    # left out of the digest, so the outputs made before it existed stay complete (never recomputed for nothing)
    digest_added = {}
    # keys of requires() (a dict) whose paths another input's path already holds: an input upstream of another
    # (DumpFeatures' features.h5, whose folder hash is inside ProjectSemantics' semantic.h5 path), or one made from
    # the other inputs by settings already in this digest (FitClassifier for CompareMethods). They are declared so
    # that run() reads only what requires() declares, and left out of the digest, so declaring them moved no output
    # folder; tests/unit/tasks/test_implied_inputs.py checks that each is so.
    implied_inputs = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if _is_root(self):      # the task named on the command line: check the settings once, before any work
            check_settings(self)
            if Path(sys.argv[0]).name.startswith("luigi") and flatten(self.output()):
                # the paths now, while the command line is in force (its --Stage-setting flags shape them)
                atexit.register(_name_the_output, self, [o.path for o in flatten(self.output())], os.getpid())

    @classmethod
    def get_param_values(cls, params, args, kwargs):
        try:
            values = dict(super().get_param_values(params, args, kwargs))
        except MissingParameterException:             # Luigi's traceback: one line naming the flag instead
            raise config.missing_setting(cls, params, kwargs) from None
        except DataError:
            raise
        except ValueError as e:                       # a value from a --Stage-setting flag or luigi.cfg that
            bad = config.bad_value(cls)               # Luigi could not parse, or a checked parameter refused
            if bad is not None:
                raise bad from None
            if isinstance(e, Refused):                # passed on by a parent task: name the stage that took it
                raise DataError(f"{cls.get_task_family()}: {e}.") from None
            raise
        explicit = set(kwargs) | {n for (n, p), _ in zip([q for q in params if q[1].positional], args)}
        values = config.resolve(cls, params, values, explicit)
        return [(name, values[name]) for name, _ in params]

    FLOWS = ("pair", "shard", "train_overrides", *SHARED)   # what a parent passes on to what it requires

    def clone(self, cls=None, **kwargs):
        """`cls` with this task's pair, shared settings and chain overrides (and `kwargs`). Unlike Luigi's clone,
        a stage setting that two stages happen to share a name for (batch_size) is not
        passed on: each stage takes its own from the command line or luigi.cfg."""
        cls = cls or self.__class__
        names = cls.get_param_names(include_significant=True)
        return cls(**{**{k: getattr(self, k) for k in self.FLOWS if k in names and hasattr(self, k)}, **kwargs})

    def unused_settings(self) -> dict:
        """setting → why this task, with its other settings, would ignore it (a sentence, with the fix): refused when
        it was given for this task (`check_settings`, before anything runs), e.g. --data-root for the generated
        SYNTHETIC."""
        return {}

    def conflicting_settings(self) -> dict:
        """setting → why its value cannot work with this task's other settings (a sentence, with the fix): refused
        wherever the value came from (`check_settings`), e.g. an image size below what the backbone takes. A value
        may be (task, why) for a setting of another task of its graph (CompareMethods: TrainDIVAFN's objective)."""
        return {}

    def digest_params(self) -> dict:
        """The significant parameters that shape this task's own output (its digest, the report's Parameters)."""
        params = {k: v for k, v in self.to_str_params(only_significant=True).items()
                  if k not in self.digest_excludes and k not in self.passes_on}
        if "pair" in params:      # a pair file's name, not its path: what it describes enters BuildManifest's digest
            params["pair"] = self.pair_name
        return params

    def upstream_paths(self) -> list:
        inputs = self.input()
        if self.implied_inputs:
            inputs = {k: v for k, v in inputs.items() if k not in self.implied_inputs}
        return sorted(t.path for t in flatten(inputs))

    def digest(self) -> str:
        with memo() as seen:
            if ("digest", self.task_id) not in seen:
                params = {k: v for k, v in self.digest_params().items() if self.digest_added.get(k) != v}
                upstream = self.upstream_paths()
                key = json.dumps([self.get_task_family(), params, upstream], sort_keys=True)
                seen["digest", self.task_id] = hashlib.sha256(key.encode()).hexdigest()[:12]
            return seen["digest", self.task_id]

    def complete(self) -> bool:
        """Outputs exist, every requirement is complete, and no input is newer than an output."""
        with memo() as seen:
            if ("complete", self.task_id) not in seen:
                outputs = flatten(self.output())
                seen["complete", self.task_id] = bool(outputs) and all(o.exists() for o in outputs) and all(
                    r.complete() for r in flatten(self.requires())) and not self.stale_outputs()
            return seen["complete", self.task_id]

    def stale_outputs(self) -> list:
        """The outputs that exist but are older than an input (an input was recomputed since): the run removes
        them first, so that its new outputs replace them (AtomicTarget never replaces an existing output)."""
        outputs = [o.path for o in flatten(self.output()) if o.exists()]
        inputs = [t.path for t in flatten(self.input()) if t.exists()]
        if not outputs or not inputs:
            return []
        newest = max(mtime(p) for p in inputs)
        return [p for p in outputs if mtime(p) < newest]

    def folder(self) -> Path:
        return Path(config.paths().artifacts) / self.pair_name / f"{self.get_task_family()}-{self.digest()}"

    def artifact(self, filename: str) -> AtomicTarget:
        """A file (or folder) in the task's folder, written with `with self.output().temporary_path() as tmp:`."""
        return AtomicTarget(str(self.folder() / filename))

    def folder_target(self) -> AtomicTarget:
        """The task's folder itself as one atomic output (write a folder at the temporary path)."""
        return AtomicTarget(str(self.folder()))

    def provenance(self, **extra) -> dict:
        """What made an artifact: stored as HDF5 attrs / JSON next to the data."""
        return dict(task_id=self.task_id, task=self.get_task_family(), params=self.to_str_params(only_significant=True),
                    inputs=sorted(t.path for t in flatten(self.input())), code_version=provenance.code_version(),
                    created_utc=provenance.utc_now(), **extra)

    def progress(self, fraction: float, message: str) -> None:
        """Progress in the luigid visualiser (percentage, status message), the run log and a terminal bar."""
        if self.set_progress_percentage is not None:          # None outside a worker's run()
            self.set_progress_percentage(round(100 * fraction, 1))
            self.set_status_message(message)
        progress.report_progress(self.display_name(), fraction, message)

    def display_name(self) -> str:
        """Short name for the terminal: the task family, plus the values that name a part (shard)."""
        parts = [f"{k}={getattr(self, k)}" for k in self.digest_excludes]
        return f"{self.get_task_family()}({', '.join([self.pair_name, *parts])})"

    @property
    def pair_name(self) -> str:
        """The pair's name: `pair` itself, or a pair file's `name` (the folder artifacts/<name>/)."""
        return custom.pair_name(self.pair)

    @property
    def pair_spec(self):
        """The pair (pipeline.data.pairs.Pair): a built-in one, or the one a pair file describes (a PairFile)."""
        return custom.pair_of(self.pair)


_checked = set()               # the command lines (their parsed arguments) whose root task was checked
_scope = threading.local()


@contextlib.contextmanager
def memo():
    """A dict shared by the digest() and complete() calls nested in one outermost call (or `with memo():` block),
    and dropped after it: the graph is a DAG whose shared stages (BuildManifest, the shards) would otherwise be
    walked once per path to them."""
    outer = getattr(_scope, "memo", None)
    if outer is None:
        _scope.memo = {}
    try:
        yield _scope.memo
    finally:
        if outer is None:
            _scope.memo = None


def _is_root(task) -> bool:
    """Is `task` the one named on the command line being parsed (first time seen for that command line)?"""
    args = luigi_compat.command_line()
    if args is None or args.root_task != task.get_task_family() or id(args) in _checked:
        return False
    _checked.add(id(args))
    return True


def check_settings(root) -> None:
    """Every setting given reaches a stage and serves it, or is refused (tasks/config.py): luigi.cfg's, the command
    line's `--Stage-setting` flags against the graph of `root`, and what a stage of that graph would ignore or
    cannot use (`ArtifactTask.unused_settings`, `conflicting_settings`)."""
    families = _families()
    stages = {f for f in families if issubclass(Register.get_task_cls(f), ArtifactTask)}
    spec = root.pair_spec
    if isinstance(spec, custom.PairFile):      # a tree's one split: --split 2 is refused, not ignored
        spec.videos.check_split(getattr(root, "split", 1))
    # a pair file's name is in no table: its [pair:<name>] section is known while it is run, and the sections of
    # other pair files are told from misspelt ones by their names (docs/datasets.md, "Your own data")
    own = (spec.name,) if isinstance(spec, custom.PairFile) else ()
    sections = [s[len("pair:"):] for s in get_config().sections() if s.startswith("pair:")]
    others = custom.other_pair_sections(sections, "".join(own))
    config.check_config(families, stages, SHARED, tuple(PAIRS) + own + others)
    graph = _graph(root)
    in_graph = {t.get_task_family() for t in graph}
    config.check_command_line(root.get_task_family(), families, in_graph, SHARED, set(families) - stages)
    for task in graph:
        for name, why in task.conflicting_settings().items():
            owner, why = why if isinstance(why, tuple) else (task, why)     # (the task whose setting it is, why)
            raise DataError(f"{config.given_at(owner, name)}: {why}")
    # a setting serves the run if one instance of its stage reads it: CompareMethods' chains share [TrainDIVAFN]'s
    # settings, and divafn_plus's gamma serves its chain while the faithful divafn's ignores it
    unused = {t.task_id: t.unused_settings() for t in graph}
    served = {(t.get_task_family(), n) for t in graph for n in t.get_param_names() if n not in unused[t.task_id]}
    for task in graph:
        for name, why in unused[task.task_id].items():
            if (task.get_task_family(), name) in served:
                continue
            # a [pair:<PAIR>] option reaches every stage taking it: it was given for this one if no other stage takes
            # it (ExtractVideoFeatures' batch_size is TrainDIVAFN's too, also when only ExtractVideoFeatures runs),
            # or if it is shared
            alone = name in SHARED or {f for f in stages if name in families[f]} == {task.get_task_family()}
            where = config.given_at(task, name, pair_section=alone, divafn=False, default=False)
            if where is not None:
                raise DataError(f"{where}: {why}")


def _families() -> dict:
    """family → parameter names, for every stage and for the [paths] / [datasets] config classes."""
    out = {}
    for family in Register.task_names():
        try:
            cls = Register.get_task_cls(family)
        except TaskClassException:            # two classes by that name (e.g. defined by two tests): none runs
            continue
        if issubclass(cls, ArtifactTask) or cls.__module__.startswith("tasks."):
            out[family] = set(cls.get_param_names(include_significant=True))
    return out


def _graph(root) -> list:
    """`root` and every task upstream of it, each once."""
    seen, todo = {}, [root]
    while todo:
        t = todo.pop()
        if t.task_id not in seen:
            seen[t.task_id] = t
            todo += flatten(t.requires())
    return list(seen.values())


def _name_the_output(task, paths, pid) -> None:
    """At exit of the command that ran `task`: one last line naming its output, when it is there."""
    if os.getpid() == pid and all(os.path.exists(p) for p in paths):
        more = f" (+{len(paths) - 1} more)" if len(paths) > 1 else ""
        shown = paths[0] + ("/" if os.path.isdir(paths[0]) else "") + more
        print(f"{task.get_task_family()} {task.pair_name}: {shown}", file=sys.stderr)
