"""The video shard stages: rejects, the 3D CNN and precomputed extractors, sharding through the Luigi CLI."""
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.io
import torch
from conftest import TINY_CFG, run_luigi

from pipeline.data.manifest import Item
from pipeline.data.synthetic import write_video
from pipeline.errors import DataError
from pipeline.io.rejects import read_rejects
from pipeline.io import assemble, h5io
from pipeline.video import cnn3d, precomputed, shards


def _frames(n, h=64, w=80, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    return np.stack([np.roll(base, 2 * t, axis=1) for t in range(n)])


@pytest.fixture
def videos(tmp_path):
    """Two good clips and one of each bad kind, as manifest items."""
    d = tmp_path / "v"
    d.mkdir()
    write_video(d / "good1.avi", _frames(12), 25)
    write_video(d / "good2.avi", _frames(10, seed=1), 25)
    write_video(d / "long.avi", _frames(60, seed=2), 25)
    (d / "empty.avi").write_bytes(b"")
    data = (d / "long.avi").read_bytes()
    (d / "truncated.avi").write_bytes(data[:len(data) // 2])
    (d / "text.avi").write_text("not a video\n" * 50)
    write_video(d / "short.avi", _frames(2), 25)
    names = ["good1", "empty", "truncated", "good2", "text", "short"]
    return [Item(id=f"C/{n}.avi", path=str(d / f"{n}.avi"), label=0, split="train") for n in names]


def test_keyframe_shard_rejects_each_bad_video_and_keeps_the_rest(videos, tmp_path):
    arrays, rejects = shards.keyframe_shard(videos, 3, 32, motion=(4, 8))
    assert list(arrays["ids"]) == ["C/good1.avi", "C/good2.avi"]
    assert arrays["K"].shape == (2, 3, 32, 32, 3) and arrays["Y"].shape == (2, 191) and arrays["frame_index"].shape == (2, 3)
    reasons = dict(rejects)
    assert list(reasons) == ["C/empty.avi", "C/truncated.avi", "C/text.avi", "C/short.avi"]
    assert "empty file" in reasons["C/empty.avi"]
    assert "truncated" in reasons["C/truncated.avi"]
    assert "not a decodable video" in reasons["C/text.avi"]
    assert "fewer than the 3" in reasons["C/short.avi"]
    # written as the shard does, and read back as the report reads it
    path = tmp_path / "shard-000.h5"
    arrays["rejects"] = shards.rejects_array(rejects, str(path))
    h5io.write(path, "keyframes", arrays, {"task_id": "t"})
    got = read_rejects(path)
    assert [r["path"] for r in got] == list(reasons) and got[0]["reason"] == reasons["C/empty.avi"]
    with pytest.raises(DataError, match=r"4 of 6 videos.*max_reject_fraction=0.5.*--ExtractKeyframes-max-reject-fraction"):
        shards.check_rejects(rejects, 6, 0.5, str(path), "ExtractKeyframes")
    shards.check_rejects(rejects, 6, 0.7, str(path), "ExtractKeyframes")
    empty = shards.rejects_array([], str(path))
    assert empty.shape == (0, 3)


def test_rejected_videos_leave_every_later_stage():
    class M:
        videos = [Item(id=f"v{i}", path="", label=i % 2, split="train" if i < 3 else "test") for i in range(5)]
    kf = dict(ids=np.array(["v0", "v2", "v3", "v4"]), K=np.arange(4)[:, None] * np.ones((4, 2)),
              rejects=np.array([["v1", "empty file", "s0"]]))
    vf = dict(ids=np.array(["v0", "v1", "v2", "v4"]), Y=np.arange(4)[:, None] * np.ones((4, 3)),
              rejects=np.array([["v3", "truncated", "s1"]]))
    out = assemble.video_arrays(M, kf, vf)
    assert list(out["ids"]) == ["v0", "v2", "v4"]
    assert out["K"][:, 0].tolist() == [0, 1, 3] and out["Y"][:, 0].tolist() == [0, 2, 3]
    assert out["labels"].tolist() == [0, 0, 0] and out["split"].tolist() == ["train", "train", "test"]
    with pytest.raises(DataError, match="another run"):          # a video neither accepted nor rejected
        assemble.video_arrays(M, dict(kf, rejects=np.empty((0, 3), str)), vf)


# ------------------------------------------------------------------------------------------ 3D CNN

def test_backbone_loads_a_local_state_dict_and_gives_512d_features(tmp_path):
    import torchvision
    torch.manual_seed(1)
    src = torchvision.models.video.r3d_18(weights=None, num_classes=400)
    wpath = tmp_path / "r3d_18.pth"
    torch.save(src.state_dict(), wpath)
    model = cnn3d.build("r3d_18", str(wpath))
    assert torch.equal(model.state_dict()["layer1.0.conv1.0.weight"], src.state_dict()["layer1.0.conv1.0.weight"])
    clip = np.random.default_rng(0).integers(0, 255, (8, 128, 171, 3), dtype=np.uint8)
    Y = cnn3d.features(model, [clip, clip[::-1].copy()], "cpu", batch=2)
    assert Y.shape == (2, 512) and np.isfinite(Y).all()
    src.fc = torch.nn.Identity()
    with torch.no_grad():
        ref = src.eval()(cnn3d.clip_tensor(clip)[None]).numpy()
    np.testing.assert_allclose(Y[:1], ref, rtol=1e-4, atol=1e-5)


def test_backbone_weights_errors(tmp_path):
    with pytest.raises(DataError, match=r"not found \(luigi.cfg \[ExtractVideoFeatures\] weights\)"):
        cnn3d.build("r3d_18", str(tmp_path / "missing.pth"))
    with pytest.raises(DataError, match="needs pretrained weights"):
        cnn3d.build("mc3_18", "")
    assert cnn3d.build("mc3_18", "", allow_random=True) is not None
    import torchvision
    wrong = tmp_path / "r2plus1d.pth"
    torch.save(torchvision.models.video.r2plus1d_18(weights=None).state_dict(), wrong)
    with pytest.raises(DataError, match="does not fit"):
        cnn3d.build("r3d_18", str(wrong))
    junk = tmp_path / "junk.pth"
    junk.write_text("nope")
    with pytest.raises(DataError, match="not a torch state dict"):
        cnn3d.build("r3d_18", str(junk))


def test_clip_shard_samples_uniform_clips_and_rejects(videos):
    out = list(shards.clip_shard(videos, 4, (24, 16)))
    assert [i for i, c in out if not isinstance(c, Exception)] == ["C/good1.avi", "C/good2.avi", "C/short.avi"]
    assert out[0][1].shape == (4, 16, 24, 3)
    assert [i for i, c in out if isinstance(c, Exception)] == ["C/empty.avi", "C/truncated.avi", "C/text.avi"]


# ------------------------------------------------------------------------------------------ precomputed

WANTED = ["UCF-101/Archery/v_Archery_g01_c01.avi", "UCF-101/Biking/v_Biking_g02_c03.avi"]


@pytest.fixture
def feats():
    return np.arange(3 * 5, dtype=np.float32).reshape(3, 5)


def test_precomputed_npz_by_id(tmp_path, feats):
    p = tmp_path / "c3d.npz"
    np.savez(p, ids=np.array([WANTED[1], "other.avi", WANTED[0]]), features=feats)
    ids, X = precomputed.load(p)
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[[2, 0]])


def test_precomputed_npy_with_ids_file_by_stem(tmp_path, feats):
    p = tmp_path / "c3d.npy"
    np.save(p, feats)
    (tmp_path / "c3d.txt").write_text("v_Biking_g02_c03\nv_Other\nv_Archery_g01_c01\n")
    ids, X = precomputed.load(p)
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[[2, 0]])


def test_precomputed_mat_v73_hdf5_layout(tmp_path, feats):
    """MATLAB v7.3 = HDF5, column-major: an (n, D) matrix is stored (D, n); a cellstr is a dataset of
    references to uint16 character arrays."""
    p = tmp_path / "c3d_fc6.mat"
    names = ["v_Biking_g02_c03.avi", "v_Other.avi", "v_Archery_g01_c01.avi"]
    with h5py.File(p, "w") as f:
        f.create_dataset("features", data=feats.T)
        refs = []
        for i, n in enumerate(names):
            d = f.create_dataset(f"#refs#/{i}", data=np.array([[ord(c)] for c in n], np.uint16))
            refs.append(d.ref)
        f.create_dataset("ids", data=np.array([refs], dtype=h5py.ref_dtype))
    ids, X = precomputed.load(p)
    assert list(ids) == names
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[[2, 0]])


def test_precomputed_h5_named_dataset_and_mat_v5(tmp_path, feats):
    p = tmp_path / "f.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("ids", data=np.array(WANTED + ["x"], dtype=object), dtype=h5py.string_dtype())
        f.create_dataset("fc6", data=feats)
    ids, X = precomputed.load(p, "fc6")
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[:2])
    m = tmp_path / "f5.mat"
    scipy.io.savemat(m, {"ids": np.array(["v_Archery_g01_c01", "v_Biking_g02_c03", "zz"], dtype=object), "features": feats})
    ids, X = precomputed.load(m)
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[:2])


def test_precomputed_missing_ids_is_a_clear_error(tmp_path, feats):
    p = tmp_path / "c3d.npz"
    np.savez(p, ids=np.array(["a.avi", "b.avi", WANTED[0]]), features=feats)
    ids, X = precomputed.load(p)
    with pytest.raises(DataError, match=r"no features for 1 of 2 videos \(e.g. UCF-101/Biking/v_Biking_g02_c03.avi\)"):
        precomputed.match(ids, X, WANTED, str(p))
    np.savez(p, names=np.array(["a"]), features=feats)
    with pytest.raises(DataError, match=r"missing \['ids'\]"):
        precomputed.load(p)


# ------------------------------------------------------------------------------------------ Luigi CLI

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

    # a broken video: too many rejects for one shard stops with a clear error; a higher limit skips it
    (data,) = (tmp_path / "artifacts" / "SYNTHETIC").glob("MakeSyntheticData-*/data")
    victim = sorted((data / "UCF101" / "UCF-101").rglob("*.avi"))[0]
    victim.write_bytes(victim.read_bytes()[:300])
    r = run_luigi(["ExtractVideos", "--pair", "SYNTHETIC", "--n-shards", "3", "--no-lock"], tmp_path, TINY_CFG)
    assert r.returncode != 0
    assert "max_reject_fraction=0.05" in r.stderr and victim.name in r.stderr
    r = run_luigi(["ExtractVideos", "--pair", "SYNTHETIC", "--n-shards", "3", "--no-lock",
                   "--ExtractKeyframes-max-reject-fraction", "0.2"], tmp_path, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    paths, k3 = _shards(tmp_path, "ExtractKeyframes", 3)
    rejects = [x for p in paths for x in read_rejects(p)]
    assert [Path(x["path"]).name for x in rejects] == [victim.name] and "decodable" in rejects[0]["reason"]
    assert len(k3["ids"]) == 39 and victim.name not in " ".join(k3["ids"])
    _, y3 = _shards(tmp_path, "ExtractVideoFeatures", 3)
    assert np.array_equal(y3["ids"], k3["ids"])


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

    r = run_luigi(["ExtractVideoFeatures", *common, "--extractor", "r3d_18", "--weights", str(tmp_path / "nope.pth")],
                  tmp_path, TINY_CFG)
    assert r.returncode != 0 and "[ExtractVideoFeatures] weights" in r.stderr

    ids = [Path(i).name for i in cnn["ids"]]                     # by file name, in another order, plus extras
    feats = np.random.default_rng(0).normal(size=(len(ids) + 1, 7)).astype(np.float32)
    np.savez(tmp_path / "c3d.npz", ids=np.array(ids[::-1] + ["v_Extra_g01_c01.avi"]), features=feats)
    r = run_luigi(["ExtractVideoFeatures", *common, "--extractor", "precomputed", "--precomputed-path",
                   str(tmp_path / "c3d.npz")], tmp_path, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    folder = max((tmp_path / "artifacts" / "SYNTHETIC").glob("ExtractVideoFeatures-*"), key=lambda p: p.stat().st_mtime)
    pre = h5io.read(folder / "shard-001.h5", "video_features")
    np.testing.assert_array_equal(pre["Y"], feats[:len(ids)][::-1])
