"""The retry policy (tasks/retry.py, tasks/luigi_compat.py): a bad input is not retried, and the flag crosses luigi's fork."""
import multiprocessing

from pipeline.errors import DataError
from tasks.extract import ExtractKeyframes


def test_bad_input_flag_crosses_the_fork():
    """luigi runs a task in a fork (--workers > 1) and reads its retry policy in the parent."""
    task = ExtractKeyframes(pair="SYNTHETIC", shard=7, n_shards=2)
    assert task.retry_count is None                         # the scheduler's [scheduler] retry_count
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=task.on_failure, args=(DataError("bad"),))
    child.start()
    child.join()
    assert task.retry_count == 1
    assert "not retried" in ExtractKeyframes(pair="SYNTHETIC", shard=8, n_shards=2).on_failure(DataError("bad"))
