"""Prediction with the tiny run's trained chain: the Python function, the command without Luigi, the Luigi stage.

The run's own test videos, copied into a folder (in subfolders, with a zero-byte file and a video of a class the
run never saw), must come out exactly as results.json's `divafn` predictions.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tomllib

import numpy as np
import pytest

from pipeline.predict import predict
from pipeline.predict.cli import main
from tests.helpers.luigi_process import REPO, TINY_CFG, metrics_of, run_folder, run_luigi
from tests.helpers.media import write_clip


@pytest.fixture(scope="module")
def test_videos(tiny_run, tmp_path_factory):
    """(folder, {file name: results.json's divafn class}, classes): the run's test videos copied in, plus
    broken/empty.avi (0 bytes), broken/text.mp4 (a text file) and unseen/noise.avi (no class of the run)."""
    metrics = metrics_of(tiny_run)
    (results,) = [p for p in metrics["artifacts"]["FitClassifier"] if p.endswith("results.json")]
    (manifest,) = metrics["artifacts"]["BuildManifest"]
    res = json.loads((tiny_run / results).read_text())
    paths = {v["id"]: v["path"] for v in json.loads((tiny_run / manifest).read_text())["videos"]}
    folder = tmp_path_factory.mktemp("videos")
    want = {}
    for vid, label in zip(res["test_ids"], res["methods"]["divafn"]["predicted"]):
        dst = folder / vid.split("/")[0] / os.path.basename(vid)
        dst.parent.mkdir(exist_ok=True)
        shutil.copy(paths[vid], dst)
        want[dst.name] = res["classes"][label]
    (folder / "broken").mkdir()
    (folder / "broken" / "empty.avi").write_bytes(b"")
    (folder / "broken" / "text.mp4").write_text("not a video, whatever its name says\n")
    (folder / "unseen").mkdir()
    rng = np.random.default_rng(0)
    write_clip(folder / "unseen" / "noise.avi", rng.integers(0, 255, (20, 64, 64, 3), dtype=np.uint8), "mpeg4")
    return folder, want, res["classes"]


@pytest.fixture(scope="module")
def few_videos(test_videos, tmp_path_factory):
    """test_videos with 4 of the run's test videos only: the command's and the stage's tests need no more."""
    folder, want, classes = test_videos
    few = tmp_path_factory.mktemp("few")
    keep = sorted(want)[:4]
    for p in folder.rglob("*"):
        if p.is_file() and (p.name in keep or p.parent.name in ("broken", "unseen")):
            (few / p.relative_to(folder)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, few / p.relative_to(folder))
    return few, {n: want[n] for n in keep}, classes


def _check(rows, test_videos):
    folder, want, classes = test_videos
    by_name = {os.path.basename(r["path"]): r for r in rows}
    assert len(rows) == len(want) + 3 and len(want) > 0
    assert {n: by_name[n]["predicted"] for n in want} == want              # exactly the pipeline's predictions
    assert all(not by_name[n]["reason"] and by_name[n]["top_k"][0]["class"] == want[n] for n in want)
    assert by_name["empty.avi"]["reason"] == "empty file (0 bytes)" and by_name["empty.avi"]["predicted"] == ""
    assert by_name["text.mp4"]["reason"].startswith("not a video file") and by_name["text.mp4"]["score"] is None
    assert by_name["noise.avi"]["predicted"] in classes and not by_name["noise.avi"]["reason"]


def test_the_python_function_reproduces_the_runs_predictions(tiny_run, test_videos):
    rows = predict(run_folder(tiny_run), [test_videos[0]], top_k=3, batch=7)      # several chunks
    _check(rows, test_videos)
    assert all(len(r["top_k"]) == 3 for r in rows if not r["reason"])


def test_the_command_runs_without_luigi_and_writes_the_four_files(tiny_run, few_videos, tmp_path):
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["divafn-predict"] == "pipeline.predict.cli:main"
    code = ("import sys; from pipeline.predict.cli import main; rc = main(sys.argv[1:]); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'luigi'], 'luigi imported'; sys.exit(rc)")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-c", code, "--run", str(run_folder(tiny_run)), str(few_videos[0]),
                        "--out", str(tmp_path / "out")], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"predictions.csv", "predictions.json", "predictions.md",
                                                              "contact_sheet.png"}
    rows = json.loads((tmp_path / "out" / "predictions.json").read_text())["predictions"]
    _check(rows, few_videos)
    with open(tmp_path / "out" / "predictions.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [(t["path"], t["predicted"], t["reason"]) for t in table] == [(r["path"], r["predicted"], r["reason"]) for r in rows]
    n = len(few_videos[1]) + 3
    assert r.stderr.splitlines()[-1] == (f"divafn-predict: {n - 2} of {n} videos classified; 2 could not be used "
                                         f"(empty file: 1, not a video file: 1; the reason column says why for each).")


def test_a_folder_of_broken_files_only_is_an_error_saying_none_was_classified(tiny_run, test_videos):
    """Scripts rely on the exit status: nothing classified is a failure, in one last line, without a traceback."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "pipeline.predict.cli", "--run", str(run_folder(tiny_run)),
                        str(test_videos[0] / "broken")], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == ("divafn-predict: error: 0 of 2 videos classified: none could be used (empty "
                                         "file: 1, not a video file: 1; the reason column says why for each); give "
                                         "video files that PyAV can decode.")
    assert "Traceback" not in r.stdout + r.stderr
    assert len(r.stdout.splitlines()) == 3                      # the header and both rows, with their reasons


def test_bad_input_is_one_line_naming_it(tiny_run, test_videos, tmp_path, capsys):
    run = run_folder(tiny_run)
    (tmp_path / "no_videos").mkdir()
    (tmp_path / "no_videos" / "notes.txt").write_text("x")
    (tmp_path / "list.txt").write_text(f"{next(test_videos[0].rglob('*.avi'))}\nmissing.avi\n")
    old = tmp_path / "artifacts" / "SYNTHETIC" / run.name             # a run folder of code without classifier.h5
    old.mkdir(parents=True)
    metrics = json.loads((run / "metrics.json").read_text())
    metrics["artifacts"]["FitClassifier"] = [p for p in metrics["artifacts"]["FitClassifier"] if p.endswith(".json")]
    (old / "metrics.json").write_text(json.dumps(metrics))
    cases = [([str(run), str(tmp_path / "nowhere")], ["nowhere: no such file or folder"]),
             ([str(run), str(tmp_path / "no_videos")], ["no_videos: a folder with no video files"]),
             ([str(run), str(tmp_path / "list.txt")], ["list.txt: names 1 file that do not exist", "missing.avi"]),
             ([str(old), str(test_videos[0])], [str(old), "wrote no classifier.h5", "RunExperiment --pair SYNTHETIC"]),
             ([str(tmp_path), str(test_videos[0])], ["not a run folder"])]
    for (run_arg, video), says in cases:
        assert main(["--run", run_arg, video]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("divafn-predict: error: "), err
        assert all(s in err for s in says), err


def test_the_luigi_stage_uses_the_trained_chain_and_retrains_nothing(tiny_run, few_videos, tmp_path):
    shutil.copytree(tiny_run / "artifacts", tmp_path / "artifacts")       # copy2: the times that make it complete
    r = run_luigi(["Predict", "--pair", "SYNTHETIC", "--videos", str(few_videos[0]), "--shards", "2", "--no-lock"],
                  tmp_path, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    ran = {line.split("running   ")[1].split("(")[0] for line in r.stderr.splitlines() if "running   " in line}
    assert ran == {"PredictShard", "Predict"}, ran
    assert len(list((tmp_path / "artifacts" / "SYNTHETIC").glob("PredictShard-*/shard-*.h5"))) == 2
    (folder,) = (tmp_path / "artifacts" / "SYNTHETIC").glob("Predict-*")
    _check(json.loads((folder / "predictions.json").read_text())["predictions"], few_videos)
    assert "![contact sheet](contact_sheet.png)" in (folder / "predictions.md").read_text()
    assert r.stderr.rstrip().splitlines()[-1] == f"Predict SYNTHETIC: artifacts/SYNTHETIC/{folder.name}/"
    bad = run_luigi(["Predict", "--pair", "SYNTHETIC", "--videos", str(tmp_path / "nowhere"), "--no-lock"], tmp_path)
    assert bad.returncode != 0 and f"{tmp_path / 'nowhere'}: no such file or folder" in bad.stderr
    assert "Traceback" not in bad.stderr
