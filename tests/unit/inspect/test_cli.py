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
    rerun, unknown = "delete it and re-run FitClassifier", "not an artifact this command knows"
    cases = {"notes.h5": (b"just text, not HDF5\n", rerun), "results.json": (b'{"classes": [', rerun),
             "model.pt": (b"\x00garbage" * 10, rerun), "figure.png": (b"GIF89a", rerun),
             "data.bin": (b"\x01\x02\x03", unknown)}                       # a kind it does not read: check the path
    for name, (content, says) in cases.items():
        (folder / name).write_bytes(content)
        err = _one_line_error(cli(folder / name), folder / name)
        assert says in err, err
    err = _one_line_error(cli(tmp_path / "missing.h5"), tmp_path / "missing.h5")
    assert "no such file" in err
