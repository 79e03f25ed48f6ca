"""A user's mistake as a user meets it (issue 29): `luigi --module tasks ...` in a subprocess, its output read as a
terminal shows it (stderr and stdout together). It ends with one line naming the setting or the file and the fix,
said once, with no traceback and nothing written under artifacts/: a setting the run would ignore and a value no run
can mean, refused at parse time (exit code 40), and a missing dataset and a read-only artifacts folder, found when the
first stage runs (exit code 30), whose line no longer drowns in Luigi's scheduling lines and execution summary."""
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers.luigi_process import LUIGI, luigi_env

RUN = ["RunExperiment", "--pair", "SYNTHETIC"]


def luigi_as_seen(args, cwd):
    """(exit status, what the terminal shows) of `luigi --module tasks ARGS` in `cwd`."""
    r = subprocess.run([LUIGI, "--module", "tasks", *args], cwd=cwd, env=luigi_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    return r.returncode, r.stdout


def files_under(folder: Path) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")} if folder.exists() else set()


MISSING = ("ERROR: pair EAD_HMDB51: data root /nowhere does not exist. Put the EAD and HMDB51 datasets under it, or "
           "pass --data-root / set [paths] data_root in luigi.cfg.")


@pytest.mark.parametrize("args, code, last", [
    (RUN + ["--data-root", "mydata/"], 40,
     "ERROR: --data-root mydata/: SYNTHETIC is generated (MakeSyntheticData), not read from a data root, so this "
     "setting would be ignored; drop it, or give the --pair of the datasets under it (docs/datasets.md)."),
    (RUN + ["--epochs", "0"], 40, "ERROR: --epochs: '0' is not an integer ≥ 1; give e.g. --epochs 30."),
    (RUN + ["--epochs", "-1"], 40, "ERROR: --epochs: '-1' is not an integer ≥ 1; give e.g. --epochs 30."),
    (RUN + ["--image-size", "-5"], 40,
     "ERROR: --image-size: '-5' is not an integer from 1 to 1024; give e.g. --image-size 224."),
    (RUN + ["--device", "cuda"], 40,
     "ERROR: --device: 'cuda' names a CUDA device, but no CUDA device is visible here (torch.cuda.is_available() is "
     "False); give --device cpu or --device auto."),
    (["RunExperiment", "--pair", "EAD_HMDB51", "--data-root", "/nowhere"], 30, MISSING),
    (["RunExperiment", "--pair", "EAD_HMDB51", "--data-root", "/nowhere", "--workers", "2"], 30, MISSING),
], ids=["ignored-data-root", "epochs-0", "epochs-negative", "image-size-negative", "device-cuda", "missing-dataset",
        "missing-dataset-forked-worker"])
def test_a_mistake_ends_the_output_in_one_line_naming_it_and_the_fix(tmp_path, args, code, last):
    if "cuda" in args:
        from tasks.params import cuda_device_count
        if cuda_device_count():
            pytest.skip("a CUDA device is visible here: --device cuda is a valid setting")
    rc, out = luigi_as_seen(args, tmp_path)
    assert rc == code, out[-3000:]
    assert out.rstrip().splitlines()[-1] == last, out[-3000:]
    assert out.count(last.removeprefix("ERROR: ")) == 1, out[-3000:]
    assert "Traceback" not in out
    assert not (tmp_path / "artifacts").exists()


@pytest.fixture
def read_only_artifacts(tmp_path):
    """tmp_path, whose artifacts/ holds the tiny SYNTHETIC's data and manifest, then made read-only: for root (who
    writes through permissions) by a read-only bind mount, skipped where mounting is not allowed; otherwise by its
    permissions. Yields the reason the one line gives."""
    (tmp_path / "luigi.cfg").write_text("[MakeSyntheticData]\nsize = tiny\n")
    rc, out = luigi_as_seen(["BuildManifest", "--pair", "SYNTHETIC"], tmp_path)
    assert rc == 0, out[-3000:]
    art = tmp_path / "artifacts"
    if os.geteuid() == 0:
        mount = subprocess.run(f"mount --bind {art} {art} && mount -o remount,ro,bind {art}", shell=True,
                               capture_output=True, text=True)
        if mount.returncode != 0:
            subprocess.run(["umount", str(art)], capture_output=True)
            pytest.skip(f"cannot make a read-only folder as root here: {mount.stderr.strip()}")
        yield tmp_path, "read-only file system"
        subprocess.run(["umount", str(art)], check=True)
    else:
        folders = [art, *(p for p in art.rglob("*") if p.is_dir())]
        for p in folders:
            p.chmod(0o555)
        yield tmp_path, "permission denied"
        for p in folders:
            p.chmod(0o755)


def test_a_read_only_artifacts_folder_ends_the_output_in_one_line_said_once(read_only_artifacts):
    """Every stage that can run next (EmbedClassNames, PrepareImages, both keyframe shards) fails on it: one line."""
    cwd, why = read_only_artifacts
    before = files_under(cwd / "artifacts")
    rc, out = luigi_as_seen(RUN, cwd)
    assert rc == 30, out[-3000:]                               # [retcode] task_failed
    last = (f"ERROR: artifacts/SYNTHETIC: cannot write outputs there ({why}); set [paths] artifacts in luigi.cfg to a "
            f"folder you can write to (now 'artifacts'), or make it writable.")
    assert out.rstrip().splitlines()[-1] == last, out[-3000:]
    assert out.count("cannot write outputs there") == 1, out[-3000:]
    assert "Traceback" not in out and "This progress looks :(" not in out
    assert files_under(cwd / "artifacts") == before
