"""Summaries of folders (pipeline/inspect/folders.py): a stage, a pair, the artifacts root; unreadable files flagged."""
from pathlib import Path

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


def test_unreadable_file_in_a_folder_is_flagged_not_fatal(tmp_path, capsys):
    path = write_kind(tmp_path, "semantic")
    (path.parent / "broken.h5").write_bytes(b"nope")
    rc, out, _ = run_main(capsys, path.parent)
    assert rc == 0 and "UNREADABLE" in out and "broken.h5" in out
