"""conf/cluster.cfg, the configuration of a run under luigid (README, "Running on several machines")."""
import configparser
import json

from tests.helpers.luigi_process import REPO


def test_cluster_cfg_turns_the_local_scheduler_off():
    cp = configparser.ConfigParser()
    cp.read(REPO / "conf" / "cluster.cfg")
    assert cp.getboolean("core", "local_scheduler") is False
    assert cp.get("core", "default-scheduler-host")
    assert cp.getboolean("worker", "keep_alive") is True
    assert cp.getint("resources", "gpu") == 1
    assert json.loads(json.dumps(dict(cp["scheduler"])))["retry_count"]
