"""What tasks/luigi_compat.py patches into Luigi, each checked through the behaviour it gives (so that a Luigi that
renamed an internal fails here), and the version check that stops an untested Luigi with one line."""
import re
import subprocess
import sys

import luigi
import pytest
from luigi.cmdline_parser import CmdlineParser

import tasks  # noqa: F401  (registers the tasks, installs the parser hooks)
from pipeline.errors import DataError
from tasks import luigi_compat
from tasks.base import ArtifactTask
from tests.helpers.luigi_process import REPO, luigi_env


def test_the_tested_version_is_the_pin_in_requirements():
    (pin,) = re.findall(r"^luigi==(\S+)$", (REPO / "requirements.txt").read_text(), re.M)
    assert luigi_compat.TESTED_LUIGI == pin


def test_another_luigi_version_is_one_line_naming_both_and_the_fix():
    assert luigi_compat.check_version("3.8.1", "3.8.1", None) is None
    assert luigi_compat.check_version("3.9.0", "3.8.1", "3.9.0") is None          # DIVAFN_ALLOW_LUIGI=3.9.0
    line = luigi_compat.check_version("3.9.0", "3.8.1", "3.8.2")                   # allowed for another version
    assert line == ("ERROR: luigi 3.9.0 is installed, but this pipeline is tested with luigi 3.8.1 and relies on its "
                    "internals (tasks/luigi_compat.py): `pip install luigi==3.8.1` (requirements.txt), or set "
                    "DIVAFN_ALLOW_LUIGI=3.9.0 to try luigi 3.9.0 at your own risk.")


# The `luigi` command (luigi.cmdline.luigi_run), in an interpreter whose importlib.metadata says luigi 9.9.9.
OTHER_LUIGI = """
import importlib.metadata, sys
version = importlib.metadata.version
importlib.metadata.version = lambda name: "9.9.9" if name == "luigi" else version(name)
from luigi.cmdline import luigi_run
luigi_run(["--module", "tasks", "RunExperiment", "--help"])
"""


@pytest.mark.parametrize("allow, code", [(None, 1), ("9.9.9", 0)])
def test_the_luigi_command_under_another_version_stops_with_one_line(tmp_path, allow, code):
    env = luigi_env()
    env.pop(luigi_compat.ALLOW_VARIABLE, None)
    if allow:
        env[luigi_compat.ALLOW_VARIABLE] = allow
    r = subprocess.run([sys.executable, "-c", OTHER_LUIGI], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == code, r.stderr[-3000:]
    if allow:
        assert "--pair" in r.stdout                              # RunExperiment's help: it went on
    else:
        assert r.stderr == luigi_compat.check_version("9.9.9", luigi_compat.TESTED_LUIGI, None) + "\n"


@pytest.mark.parametrize("flag, meant", [("--n-shardz", "--n-shards"), ("--epoch", "--epochs")])
def test_a_flag_luigi_does_not_know_is_one_line_suggesting_the_one_meant(capsys, flag, meant):
    """No abbreviations: argparse would take `--epoch` for `--epochs`."""
    with pytest.raises(SystemExit) as e:
        CmdlineParser(["RunExperiment", "--pair", "SYNTHETIC", flag, "2"])
    assert e.value.code == 2
    assert capsys.readouterr().err == (f"luigi: error: unrecognized arguments: {flag} 2 (did you mean {meant}?); "
                                       f"`luigi --module tasks RunExperiment --help` lists its settings\n")


def test_the_repository_config_is_read_first_so_every_other_file_wins(tmp_path):
    (tmp_path / "luigi.cfg").write_text("[retcode]\nunhandled_exception = 41\n")
    code = ("import tasks, luigi.configuration as c; cfg = c.get_config()\n"
            "print(cfg.get('retcode', 'unhandled_exception'), cfg.get('retcode', 'task_failed'))\n"
            "print(tasks.config.config_files())")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=luigi_env(), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    values, files = r.stdout.splitlines()
    assert values.split() == ["41", "30"]          # ./luigi.cfg over the repository's, which sets task_failed 30
    files = files.split(", ")                      # as the one-line errors name them (/etc/luigi/ may be between)
    assert (files[0], files[-1]) == (str(REPO / "luigi.cfg"), "luigi.cfg")


class BadInputStage(ArtifactTask):
    """A stage whose run() finds its input bad."""

    def output(self):
        return self.artifact("out.txt")

    def run(self):
        raise DataError("bad input")


def test_bad_input_is_disabled_by_the_scheduler_at_its_first_failure(tmp_path, monkeypatch):
    """The scheduler counts a failure before it applies the retry policy the failure's report carries: only the
    policy sent from run() (luigi_compat.BadInputRetryPolicy.no_retry) disables the task at once."""
    monkeypatch.chdir(tmp_path)
    scheduler = luigi.scheduler.Scheduler(retry_count=3, retry_delay=3600)
    task = BadInputStage(pair="SYNTHETIC")
    with luigi.worker.Worker(scheduler=scheduler, worker_processes=1) as worker:
        assert worker.add(task)
        assert not worker.run()
    assert list(scheduler.task_list("DISABLED", "")) == [task.task_id]
