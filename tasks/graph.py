"""The stages of a task's graph with their parameters and outputs: the report's Parameters and Artifacts tables
(tasks/experiment.py) and the trained chain prediction reads (tasks/predict.py). Graph introspection: it walks
requires() and reads no input."""
from luigi.task import flatten

from .base import memo


def stage_graph(task) -> dict:
    """family → (significant parameters, output paths) of `task` and everything upstream, in data-flow order.

    Shard tasks of one stage collapse into one entry (their parameters minus `shard`, every shard's path).
    """
    out, seen = {}, set()

    def walk(t):
        if t.task_id in seen:
            return
        seen.add(t.task_id)
        for dep in flatten(t.requires()):
            walk(dep)
        params = t.digest_params()
        family = t.get_task_family()
        out.setdefault(family, (params, []))[1].extend(o.path for o in flatten(t.output()))

    with memo():        # one walk: every stage's digest computed once
        walk(task)
    return out
