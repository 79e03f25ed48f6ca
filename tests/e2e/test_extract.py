"""The video shard stages through the Luigi CLI: sharding, rejects, the 3D CNN and precomputed extractors."""
from pathlib import Path

import numpy as np
import torch

from pipeline.io import h5io
from pipeline.io.rejects import read_rejects
from tests.helpers.luigi_process import TINY_CFG, run_luigi


def _shards(cwd, stage, n):
    """Shard paths and their combined datasets of the `stage` folder holding `n` shards."""
    kind = "keyframes" if stage == "ExtractKeyframes" else "video_features"
    for folder in (Path(cwd) / "artifacts" / "SYNTHETIC").glob(f"{stage}-*"):
        paths = sorted(folder.glob("shard-*.h5"))
        if len(paths) == n:
            return paths, h5io.read_shards(paths, kind)
    raise AssertionError(f"no {stage} folder with {n} shards")


def test_four_shards_on_two_workers_equal_one_shard(tmp_path):
    r = run_luigi(["ExtractVideos", "--pair", "SYNTHETIC", "--n-shards", "1", "--no-lock"], tmp_path, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    r = run_luigi(["ExtractVideos", "--pair", "SYNTHETIC", "--n-shards", "4", "--workers", "2", "--no-lock"], tmp_path, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    _, k1 = _shards(tmp_path, "ExtractKeyframes", 1)
    _, k4 = _shards(tmp_path, "ExtractKeyframes", 4)
    assert k1["K"].dtype == np.uint8 and np.array_equal(k1["K"], k4["K"])                  # bitwise
    assert np.array_equal(k1["frame_index"], k4["frame_index"]) and np.array_equal(k1["ids"], k4["ids"])
    _, y1 = _shards(tmp_path, "ExtractVideoFeatures", 1)
    _, y4 = _shards(tmp_path, "ExtractVideoFeatures", 4)
    np.testing.assert_allclose(y1["Y"], y4["Y"], rtol=1e-6, atol=1e-7)
    assert np.array_equal(y1["ids"], k1["ids"]) and len(k1["ids"]) == 40

    # a broken video: the shards go on and list it (the budget is CheckRejects', over the whole collection), and
    # the default extractor's shard lists it as the keyframe shard does
    (data,) = (tmp_path / "artifacts" / "SYNTHETIC").glob("MakeSyntheticData-*/data")
    victim = sorted((data / "UCF101" / "UCF-101").rglob("*.avi"))[0]
    victim.write_bytes(victim.read_bytes()[:300])
    r = run_luigi(["ExtractVideos", "--pair", "SYNTHETIC", "--n-shards", "3", "--no-lock"], tmp_path, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    paths, k3 = _shards(tmp_path, "ExtractKeyframes", 3)
    rejects = [x for p in paths for x in read_rejects(p)]
    assert [Path(x["path"]).name for x in rejects] == [victim.name] and "not a video file" in rejects[0]["reason"]
    assert len(k3["ids"]) == 39 and victim.name not in " ".join(k3["ids"])
    _, y3 = _shards(tmp_path, "ExtractVideoFeatures", 3)
    assert np.array_equal(y3["ids"], k3["ids"]) and np.array_equal(y3["rejects"], k3["rejects"])


def test_cnn_and_precomputed_extractors_through_luigi(tmp_path):
    """ExtractVideoFeatures with a 3D CNN (weights from a file the test writes) and with imported features."""
    import torchvision
    wpath = tmp_path / "r3d_18.pth"
    torch.save(torchvision.models.video.r3d_18(weights=None).state_dict(), wpath)
    common = ["--pair", "SYNTHETIC", "--n-shards", "4", "--shard", "1", "--no-lock"]
    r = run_luigi(["ExtractVideoFeatures", *common, "--extractor", "r3d_18", "--weights", str(wpath),
                   "--clip-frames", "8"], tmp_path, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    (folder,) = (tmp_path / "artifacts" / "SYNTHETIC").glob("ExtractVideoFeatures-*")
    cnn = h5io.read(folder / "shard-001.h5", "video_features")
    assert cnn["Y"].shape == (10, 512) and np.isfinite(cnn["Y"]).all() and cnn["rejects"].shape == (0, 3)
    assert cnn["warnings"].shape == (0, 2)

    r = run_luigi(["ExtractVideoFeatures", *common, "--extractor", "r3d_18", "--weights", str(tmp_path / "nope.pth")],
                  tmp_path, TINY_CFG)
    assert r.returncode != 0 and "[ExtractVideoFeatures] weights" in r.stderr

    ids = [Path(i).name for i in cnn["ids"]]                     # by file name, in another order, plus extras
    feats = np.random.default_rng(0).normal(size=(len(ids) + 1, 7)).astype(np.float32)
    np.savez(tmp_path / "c3d.npz", ids=np.array(ids[::-1] + ["v_Extra_g01_c01.avi"]), features=feats)
    made = set((tmp_path / "artifacts" / "SYNTHETIC").glob("ExtractVideoFeatures-*"))
    r = run_luigi(["ExtractVideoFeatures", *common, "--extractor", "precomputed", "--precomputed-path",
                   str(tmp_path / "c3d.npz")], tmp_path, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    (folder,) = set((tmp_path / "artifacts" / "SYNTHETIC").glob("ExtractVideoFeatures-*")) - made
    pre = h5io.read(folder / "shard-001.h5", "video_features")
    np.testing.assert_array_equal(pre["Y"], feats[:len(ids)][::-1])
