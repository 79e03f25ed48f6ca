"""A dataset's values (pipeline/inspect/summary.py: dataset_values), as text and JSON, and unknown names."""
import json

import numpy as np

from tests.helpers.inspect_cli import KINDS, run_main, write_kind


def test_dataset_head_text_and_json(tmp_path, capsys):
    path = write_kind(tmp_path, "features")
    rc, out, _ = run_main(capsys, path, "--dataset", "video_ids", "--head", "2")
    assert rc == 0 and "v0" in out and "v1" in out and "v2" not in out
    rc, out, _ = run_main(capsys, path, "--dataset", "F", "--head", "3", "--json")
    doc = json.loads(out)
    assert np.allclose(doc["values"], KINDS["features"][2]["F"][:3])
    rc, out, _ = run_main(capsys, path, "--dataset", "video_split", "--head", "0", "--json")
    assert json.loads(out)["values"] == ["train", "test", "train", "test"]


def test_unknown_dataset_names_the_ones_there(tmp_path, capsys):
    rc, out, err = run_main(capsys, write_kind(tmp_path, "semantic"), "--dataset", "nope")
    assert rc == 1 and "no dataset 'nope'" in err and "W_E" in err and "Traceback" not in err
