"""`python -m pipeline.inspect` on bad input (pipeline/inspect/cli.py): one clear line, exit 1."""
from tests.helpers.inspect_cli import cli, write_kind


def _one_line_error(r, path):
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert str(path) in r.stderr
    return r.stderr


def test_corrupt_hdf5_is_one_clear_line(tmp_path):
    good = write_kind(tmp_path, "features")
    bad = good.with_name("features.h5")
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])          # a truncated artifact
    err = _one_line_error(cli(bad), bad)
    assert "not a readable HDF5 file" in err and "re-run DumpFeatures" in err


def test_non_hdf5_files_are_one_clear_line(tmp_path):
    folder = tmp_path / "artifacts" / "SYNTHETIC" / "FitClassifier-0123456789ab"
    folder.mkdir(parents=True)
    cases = {"notes.h5": b"just text, not HDF5\n", "results.json": b'{"classes": [', "model.pt": b"\x00garbage" * 10,
             "data.bin": b"\x01\x02\x03", "figure.png": b"GIF89a"}
    for name, content in cases.items():
        (folder / name).write_bytes(content)
        err = _one_line_error(cli(folder / name), folder / name)
        assert ("re-run FitClassifier" in err or "check the path" in err), err
    err = _one_line_error(cli(tmp_path / "missing.h5"), tmp_path / "missing.h5")
    assert "no such file" in err
