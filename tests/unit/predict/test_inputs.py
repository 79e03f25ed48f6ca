"""Which files a prediction reads (pipeline.predict.inputs): folders searched recursively, .txt lists, bad input."""
import numpy as np
import pytest

from pipeline.errors import DataError
from pipeline.predict.inputs import find_videos, fingerprint, video_extensions
from tests.helpers.media import write_clip


def _clip(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(path, np.full((4, 32, 32, 3), 90, np.uint8), "mpeg4")
    return path


def test_a_folder_is_searched_recursively_for_video_extensions_only(tmp_path):
    a, b = _clip(tmp_path / "b.avi"), _clip(tmp_path / "deep" / "er" / "A.MP4")
    (tmp_path / "notes.txt").write_text("not a list of videos to follow: a folder's .txt files are not lists")
    (tmp_path / "frame.jpg").write_bytes(b"\xff\xd8")
    assert find_videos([tmp_path]) == sorted([str(a), str(b)])
    assert {".avi", ".mp4", ".mkv", ".mov", ".webm"} <= set(video_extensions())


def test_a_list_names_files_relative_to_its_folder_and_each_file_comes_once(tmp_path):
    a = _clip(tmp_path / "v" / "a.avi")
    (tmp_path / "list.txt").write_text(f"# my videos\nv/a.avi\n\n{a}\n")
    b = _clip(tmp_path / "b.avi")
    assert find_videos([tmp_path / "list.txt", a, b]) == [str(a), str(b)]


def test_a_missing_folder_is_one_line_naming_it(tmp_path):
    with pytest.raises(DataError, match="no such file or folder") as e:
        find_videos([tmp_path / "nowhere"])
    assert str(tmp_path / "nowhere") in str(e.value) and "\n" not in str(e.value)


def test_a_folder_without_videos_is_one_line_naming_it(tmp_path):
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(DataError, match="a folder with no video files") as e:
        find_videos([tmp_path])
    assert str(tmp_path) in str(e.value)


def test_a_list_naming_missing_files_names_them(tmp_path):
    _clip(tmp_path / "ok.avi")
    (tmp_path / "list.txt").write_text("ok.avi\ngone.avi\n")
    with pytest.raises(DataError, match="names 1 file that do") as e:
        find_videos([tmp_path / "list.txt"])
    assert "gone.avi" in str(e.value) and "ok.avi" not in str(e.value).split("(")[1]


def test_the_fingerprint_changes_when_a_file_changes(tmp_path):
    a = _clip(tmp_path / "a.avi")
    before = fingerprint([a])
    assert fingerprint([a]) == before
    a.write_bytes(a.read_bytes() + b"\0")
    assert fingerprint([a]) != before
