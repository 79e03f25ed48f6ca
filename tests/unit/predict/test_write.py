"""predictions.csv and predictions.json hold the same rows, in the documented columns (pipeline.predict.write)."""
import csv
import json

import numpy as np

from pipeline.predict import COLUMNS
from pipeline.predict import shard_file, write
from pipeline.io import h5io

ROWS = [dict(path="a dir/x, y.avi", predicted="Rowing", score=1.234567, reason="",
             top_k=[{"class": "Rowing", "score": 1.234567}, {"class": "Archery", "score": -0.5}]),
        dict(path="b.avi", predicted="", score=None, top_k=[], reason="empty file (0 bytes)")]


def test_csv_and_json_hold_the_same_rows_in_the_documented_columns(tmp_path):
    kf = {0: np.zeros((3, 16, 16, 3), np.uint8)}
    write.write_all(tmp_path, ROWS, kf, dict(pair="SYNTHETIC", chain="run"))
    with open(tmp_path / "predictions.csv", newline="") as f:
        assert next(csv.reader(f)) == list(COLUMNS) == ["path", "predicted", "score", "top_k", "reason"]
    doc = json.loads((tmp_path / "predictions.json").read_text())
    assert doc["predictions"] == ROWS == write.read_csv(tmp_path / "predictions.csv")
    assert doc["pair"] == "SYNTHETIC"
    md = (tmp_path / "predictions.md").read_text()
    assert "![contact sheet](contact_sheet.png)" in md and "empty file (0 bytes)" in md
    assert (tmp_path / "contact_sheet.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_shard_files_join_into_the_rows_they_were_made_from(tmp_path):
    paths = []
    for i, (rows, first) in enumerate([(ROWS[:1], 0), (ROWS[1:], 1)]):
        paths.append(tmp_path / f"shard-{i:03d}.h5")
        kept = {0: np.ones((3, 8, 8, 3), np.uint8)} if first == 0 else {}
        h5io.write(paths[-1], "predictions", shard_file.to_arrays(rows, kept, first, 3), dict(task="PredictShard"))
    paths.append(tmp_path / "shard-002.h5")                         # more shards than videos: an empty shard
    h5io.write(paths[-1], "predictions", shard_file.to_arrays([], {}, 2, 3), dict(task="PredictShard"))
    rows, kept = shard_file.join(paths)
    assert rows == ROWS and list(kept) == [0] and kept[0].shape == (3, 8, 8, 3)
