"""Summaries of folders (pipeline/inspect/folders.py): a stage, a pair, the artifacts root; unreadable files flagged."""
import re
from pathlib import Path

import torch

from pipeline import inspect
from tests.helpers.inspect_cli import KINDS, run_main, write_kind


def test_folders(tmp_path, capsys):
    for kind in KINDS:
        write_kind(tmp_path, kind)
    pair = tmp_path / "artifacts" / "SYNTHETIC"
    s = inspect.summarize(pair / "DumpFeatures-0123456789ab")
    assert s["kind"] == "stage" and s["made_by"] == "DumpFeatures"
    assert [(Path(e["path"]).name, e["made_by"], e["kind"]) for e in s["entries"]] == [("features.h5", "DumpFeatures", "features")]
    s = inspect.summarize(pair)
    assert s["kind"] == "pair" and sorted(st["task"] for st in s["stages"]) == sorted(t for t, _, _ in KINDS.values())
    rc, out, _ = run_main(capsys, pair)
    assert rc == 0 and "ProjectSemantics-0123456789ab/" in out
    assert inspect.summarize(tmp_path / "artifacts")["kind"] == "artifacts"
    (tmp_path / "plain").mkdir()
    rc, _, err = run_main(capsys, tmp_path / "plain")
    assert rc == 1 and "not an artifacts folder" in err


def test_unreadable_file_in_a_folder_is_flagged_and_the_exit_status_says_so(tmp_path, capsys):
    path = write_kind(tmp_path, "semantic")
    (path.parent / "broken.h5").write_bytes(b"nope")
    rc, out, err = run_main(capsys, path.parent)
    assert "UNREADABLE" in out and "broken.h5" in out and "semantic.h5" in out     # the whole listing
    assert rc == 1 and err.count("\n") == 1 and "broken.h5" in err


def test_a_truncated_model_in_a_folder_is_unreadable_with_the_fix(tmp_path, capsys):
    path = tmp_path / "artifacts" / "SYNTHETIC" / "TrainDIVAFN-0123456789ab" / "model.pt"
    path.parent.mkdir(parents=True)
    torch.save(dict(state_dict={"W_F": torch.zeros(64, 16)}, history=[]), path)
    whole = path.read_bytes()
    rc, out, err = run_main(capsys, path.parent)
    assert rc == 0 and re.search(r"model\.pt\s+model\s+TrainDIVAFN", out) and not err
    for cut in (len(whole) // 2, len(whole) - 10):           # a killed copy, a few bytes short
        path.write_bytes(whole[:cut])
        for folder in (path.parent, path.parent.parent):      # the stage folder, the pair folder
            rc, out, err = run_main(capsys, folder)
            assert re.search(r"model\.pt\s+UNREADABLE", out), out
            assert rc == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
            assert f"{path}: not a readable torch checkpoint" in err and "delete it and re-run TrainDIVAFN" in err


def test_a_truncated_model_is_one_whole_line_saying_what_it_is_and_the_fix(tmp_path, capsys):
    """torch's own message is quoted by whole sentences, never cut in the middle of one."""
    path = tmp_path / "artifacts" / "SYNTHETIC" / "TrainDIVAFN-0123456789ab" / "model.pt"
    path.parent.mkdir(parents=True)
    torch.save(dict(state_dict={"W_F": torch.zeros(64, 16)}, history=[]), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])                # a killed copy
    rc, out, err = run_main(capsys, path)
    assert rc == 1 and out == "" and len(err.splitlines()) == 1
    assert err == (f"divafn-inspect: error: {path}: not a readable torch checkpoint: truncated, or not a model.pt "
                   f"(RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory); "
                   f"delete it and re-run TrainDIVAFN (the stage in its folder name).\n")
