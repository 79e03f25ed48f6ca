"""The video shard stages' work (pipeline/video/shards.py): keyframes and clips of good videos, a reason for each bad one."""
import numpy as np
import pytest

from pipeline.data.manifest import Item
from pipeline.errors import DataError
from pipeline.io import h5io
from pipeline.io.rejects import read_rejects, rejects_array, warnings_array
from pipeline.video import shards
from pipeline.video.encode import write_video


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
    arrays, rejects, warnings = shards.keyframe_shard(videos, 3, 32, motion=(4, 8))
    assert list(arrays["ids"]) == ["C/good1.avi", "C/truncated.avi", "C/good2.avi"]     # the cut clip decodes 3+ frames
    assert arrays["K"].shape == (3, 3, 32, 32, 3) and arrays["Y"].shape == (3, 191) and arrays["frame_index"].shape == (3, 3)
    reasons = dict(rejects)
    assert list(reasons) == ["C/empty.avi", "C/text.avi", "C/short.avi"]
    assert "empty file" in reasons["C/empty.avi"]
    assert "not a video file" in reasons["C/text.avi"]
    assert "fewer than the 3" in reasons["C/short.avi"]
    assert [i for i, _ in warnings] == ["C/truncated.avi"] and "its container states 60 frames" in warnings[0][1]
    # written as the shard does, and read back as divafn-inspect reads it
    path = tmp_path / "shard-000.h5"
    arrays.update(rejects=rejects_array(rejects, str(path)), warnings=warnings_array(warnings))
    h5io.write(path, "keyframes", arrays, {"task_id": "t"})
    got = read_rejects(path)
    assert [r["path"] for r in got] == list(reasons) and got[0]["reason"] == reasons["C/empty.avi"]
    assert rejects_array([], str(path)).shape == (0, 3) and warnings_array([]).shape == (0, 2)


def test_clip_shard_samples_uniform_clips_and_rejects(videos):
    out = list(shards.clip_shard(videos, 4, (24, 16)))
    used = [i for i, c, _ in out if not isinstance(c, Exception)]
    assert used == ["C/good1.avi", "C/truncated.avi", "C/good2.avi", "C/short.avi"]
    assert out[0][1].shape == (4, 16, 24, 3)
    assert [i for i, c, _ in out if isinstance(c, Exception)] == ["C/empty.avi", "C/text.avi"]
    assert [i for i, _, w in out if w] == ["C/truncated.avi"]


def test_appearance_feature_pools_the_imagenet_trunk_over_frames_of_the_same_pass(videos):
    from pipeline.video.appearance import DIM, PooledAppearance
    from pipeline.video.decode import scan
    appearance = PooledAppearance(32)
    arrays, _, _ = shards.keyframe_shard(videos, 3, 32, motion=(4, 8), appearance=appearance, pool_frames=4)
    n = len(arrays["ids"])
    assert n >= 2 and arrays["A"].shape == (n, DIM) and arrays["Y"].shape == (n, 191)
    good = [v for v in videos if v.id == arrays["ids"][0]][0]
    clip = scan(good.path, clip_frames=4, clip_size=(32, 32)).clip            # 4 frames spread over the video
    np.testing.assert_allclose(arrays["A"][0], appearance(clip), rtol=1e-5, atol=1e-6)
    one = np.stack([appearance(fr[None]) for fr in clip]).mean(0)               # the mean over frames
    np.testing.assert_allclose(arrays["A"][0], one, rtol=1e-4, atol=1e-5)


def test_feature_shard_takes_an_offline_feature_from_the_keyframe_pass(videos):
    arrays, _, _ = shards.keyframe_shard(videos, 3, 32, motion=(4, 8))
    y, rejects, warnings = shards.feature_shard("default", videos, arrays)          # default = motion: Y
    assert list(y["ids"]) == list(arrays["ids"]) and np.array_equal(y["Y"], arrays["Y"])
    assert (rejects, warnings) == ([], [])          # the keyframe pass's own are its caller's (prediction)
    shard_file = dict(arrays, rejects=np.array([["C/empty.avi", "empty file", "s"]]), warnings=np.empty((0, 2), str))
    _, rejects, warnings = shards.feature_shard("motion", videos, shard_file)      # a shard file's are passed on
    assert rejects is shard_file["rejects"] and warnings is shard_file["warnings"]


def test_feature_shard_runs_a_3d_cnn_on_the_usable_videos_a_batch_at_a_time(videos, monkeypatch):
    import torch

    from pipeline.video import cnn3d
    torch.manual_seed(0)
    cnn = cnn3d.build("mc3_18", "", allow_random=True)
    batches, forward = [], cnn3d.features

    def counted(model, clips, *args):
        batches.append(len(clips))
        return forward(model, clips, *args)

    monkeypatch.setattr(cnn3d, "features", counted)
    y, rejects, warnings = shards.feature_shard("mc3_18", videos, cnn=cnn, clip_frames=4, batch_size=3)
    monkeypatch.undo()
    assert batches == [3, 1]                        # never more than batch_size decoded clips held
    clips = [c for _, c, _ in shards.clip_shard(videos, 4, cnn3d.RESIZE) if not isinstance(c, Exception)]
    assert list(y["ids"]) == ["C/good1.avi", "C/truncated.avi", "C/good2.avi", "C/short.avi"]
    np.testing.assert_allclose(y["Y"], cnn3d.features(cnn, clips, "cpu", 3), rtol=1e-5, atol=1e-6)
    assert [i for i, _ in rejects] == ["C/empty.avi", "C/text.avi"] and [i for i, _ in warnings] == ["C/truncated.avi"]


def test_feature_shard_needs_the_precomputed_file():
    with pytest.raises(DataError, match="extractor precomputed needs a file: --ExtractVideoFeatures-precomputed-path"):
        shards.feature_shard("precomputed", [])
