import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LUIGI = str(Path(sys.executable).with_name("luigi"))


def run_luigi(args, cwd, extra_cfg: str = "", timeout=600):
    """Run `luigi --module tasks ARGS` in `cwd` as a user would; returns the CompletedProcess.

    `extra_cfg` is written to cwd/luigi.cfg (read after the repository's own luigi.cfg).
    """
    cwd = Path(cwd)
    if extra_cfg:
        (cwd / "luigi.cfg").write_text(extra_cfg)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("LUIGI_CONFIG_PATH", None)
    return subprocess.run([LUIGI, "--module", "tasks", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


# The smallest SYNTHETIC configuration: every stage runs, in well under a minute on 2 cores.
TINY_CFG = """
[MakeSyntheticData]
size = tiny
[pair:SYNTHETIC]
image_size = 64
fc_dim = 128
video_hidden = 128
epochs = 3
batch_size = 64
n_shards = 2
c = 16
"""


@pytest.fixture
def tiny_cfg():
    return TINY_CFG
