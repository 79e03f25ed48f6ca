"""An input left out of the digest (ArtifactTask.implied_inputs) is one whose path another input's path already holds,
so leaving it out can never let a changed input keep an old output folder."""
from luigi.task import flatten

from tasks.base import ArtifactTask
from tests.unit.tasks.test_settings import graph, stages_of


def _with_upstream(tasks) -> set:
    """task_ids of `tasks` and of everything upstream of them."""
    return {t.task_id for root in tasks for t in graph(root)}


def _why_implied(task, key) -> list:
    """For each task of input `key` of `task`: why its path is held by the other inputs' paths (None: it is not)."""
    declared = task.requires()
    others = [t for k, v in declared.items() if k not in task.implied_inputs for t in flatten(v)]
    upstream_of_others = _with_upstream([r for t in others for r in flatten(t.requires())])
    settings = set(task.digest_params().items())
    reasons = []
    for t in flatten(declared[key]):
        if t.task_id in upstream_of_others:          # its path is in theirs (each digest hashes its inputs' paths)
            reasons.append("upstream of another input")
        elif ({r.task_id for r in flatten(t.requires())} <= _with_upstream(others)
              and set(t.digest_params().items()) <= settings):
            reasons.append("made from the other inputs by settings in this digest")
        else:
            reasons.append(None)
    return reasons


def _subclasses(cls) -> set:
    return {c for s in cls.__subclasses__() for c in {s, *_subclasses(s)}}


def test_every_implied_input_is_upstream_of_another_input_or_made_from_them():
    checked = set()
    for task in stages_of("RunExperiment", "--pair", "SYNTHETIC"):
        for key in task.implied_inputs:
            reasons = _why_implied(task, key)
            assert reasons and None not in reasons, (task.get_task_family(), key, reasons)
            implied_paths = {o.path for o in flatten(task.input()[key])}
            assert implied_paths and not implied_paths & set(task.upstream_paths()), (task.get_task_family(), key)
            checked.add(task.get_task_family())
    declaring = {c.get_task_family() for c in _subclasses(ArtifactTask) if c.implied_inputs}
    assert checked == declaring == {"DumpFeatures", "FitClassifier", "CompareMethods", "RunExperiment"}
