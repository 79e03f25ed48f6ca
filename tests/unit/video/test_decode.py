"""Decoding (pipeline/video/decode.py) on clips encoded with PyAV (real codecs, B-frames, pixel formats), and bad videos."""
import av
import numpy as np
import pytest

from pipeline.video import decode, keyframes
from pipeline.video.decode import VideoError
from pipeline.video.encode import write_video
from tests.helpers.media import write_clip, write_h264


def _clip(n=20, h=48, w=64):
    """Frames whose brightness encodes their index, so a decoded frame tells where it came from."""
    levels = np.linspace(20, 235, n).astype(np.uint8)
    return np.stack([np.full((h, w, 3), v, np.uint8) for v in levels]), levels


@pytest.mark.parametrize("codec", ["mpeg4", "h264"])
def test_keyframes_are_frames_of_the_clip(tmp_path, codec):
    frames, levels = _clip()
    path = tmp_path / ("clip.avi" if codec == "mpeg4" else "clip.mp4")
    if codec == "mpeg4":
        write_video(path, frames, fps=25)
    else:
        write_h264(path, frames, fps=25, preset="veryfast")
    s = decode.scan(path, keyframes=3, size=32)
    assert s.n_frames == len(frames) and s.sel.shape == (len(frames), 48, 64) and s.thumbs is None
    K, idx = s.keyframes, s.key_index
    assert K.shape == (3, 32, 32, 3) and K.dtype == np.uint8
    assert list(idx) == sorted(idx) and len(set(idx)) == 3
    for kf, i in zip(K, idx):                      # each keyframe is the decoded frame it claims to be
        assert abs(float(kf.mean()) - float(levels[i])) < 6
    # presentation order: thumbnails brighten frame by frame (B-frames reordered by the decoder)
    assert (np.diff(s.sel.mean((1, 2))) > 0).all()
    # the streamed selection equals the reference selection on all thumbnails
    assert list(idx) == list(keyframes.select(s.sel, 3))


def test_scan_matches_pyav_conversions_and_is_deterministic(tmp_path):
    """Thumbnails (the motion descriptor's input) and keyframes equal PyAV's own per-frame conversions."""
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (15, 48, 64, 3), dtype=np.uint8)
    path = tmp_path / "noise.avi"
    write_video(path, frames, fps=25)
    with av.open(str(path)) as c:
        ref = list(c.decode(video=0))
        thumbs = np.stack([f.to_ndarray(width=64, height=48, format="gray") for f in ref])
        s = decode.scan(path, keyframes=3, size=40, clip_frames=4, clip_size=(24, 16), thumbs=True)
        assert np.array_equal(s.thumbs, thumbs)
        # selection thumbnails: the decoded luma plane at the cell centres of a 64×48 grid
        luma = np.stack([np.frombuffer(f.planes[0], np.uint8).reshape(48, -1)[:, :64] for f in ref])
        assert np.array_equal(s.sel, luma)
        for kf, i in zip(s.keyframes, s.key_index):
            assert np.array_equal(kf, ref[i].to_ndarray(width=40, height=40, format="rgb24"))
        assert list(s.clip_index) == [0, 5, 9, 14]
        assert np.array_equal(s.clip[1], ref[5].to_ndarray(width=24, height=16, format="rgb24"))
    again = decode.scan(path, keyframes=3, size=40, thumbs=True)
    assert np.array_equal(again.keyframes, s.keyframes) and np.array_equal(again.thumbs, s.thumbs)


def test_wrong_stated_frame_count_takes_a_second_pass(tmp_path, monkeypatch):
    frames, levels = _clip(n=12)
    path = tmp_path / "clip.avi"
    write_video(path, frames, fps=25)
    ref = decode.scan(path, keyframes=3, size=16)
    calls = []
    real = decode._pass

    def lying_pass(path, T, *a):                   # first pass plans with a wrong count (as a bad header would)
        calls.append(T)
        return real(path, 9 if T is None else T, *a)
    monkeypatch.setattr(decode, "_pass", lying_pass)
    s = decode.scan(path, keyframes=3, size=16)
    assert calls == [None, 12]
    assert np.array_equal(s.keyframes, ref.keyframes) and list(s.key_index) == list(ref.key_index)


# ------------------------------------------------------------------ bad videos: each gives a VideoError reason

@pytest.fixture
def good_avi(tmp_path):
    frames, _ = _clip(n=40, h=120, w=160)
    path = tmp_path / "good.avi"
    write_video(path, frames, fps=25)
    return path


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.avi"
    p.write_bytes(b"")
    with pytest.raises(VideoError, match="empty file") as e:
        decode.scan(p, keyframes=3)
    assert e.value.reason == "empty file (0 bytes)" and "empty.avi" in str(e.value)


def test_not_a_video(tmp_path):
    bad = tmp_path / "bad.avi"
    bad.write_bytes(b"this is not a video" * 100)
    with pytest.raises(VideoError, match="bad.avi.*not a decodable video"):
        decode.scan(bad, keyframes=3)


def test_missing_file(tmp_path):
    with pytest.raises(VideoError, match="cannot be read"):
        decode.scan(tmp_path / "gone.avi", keyframes=3)


def test_truncated_avi(tmp_path, good_avi):
    data = good_avi.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(VideoError, match="truncated|damaged") as e:
        decode.scan(cut, keyframes=3)
    assert "cut.avi" in str(e.value)


def test_truncated_mp4(tmp_path):
    frames, _ = _clip(n=40, h=120, w=160)
    good = tmp_path / "good.mp4"
    write_h264(good, frames, preset="veryfast")
    data = good.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(VideoError):
        decode.scan(cut, keyframes=3)


def test_video_shorter_than_keyframe_count(tmp_path):
    frames, _ = _clip(n=2)
    p = tmp_path / "short.avi"
    write_video(p, frames, fps=25)
    with pytest.raises(VideoError, match="2 frames, fewer than the 3 needed"):
        decode.scan(p, keyframes=3)
    assert decode.scan(p, keyframes=2).keyframes.shape[0] == 2


@pytest.mark.parametrize("codec, fmt", [("ffv1", "bgr0"), ("ffv1", "yuv420p10le"), ("mjpeg", "yuvj420p"), ("ffv1", "yuv444p")])
def test_other_pixel_formats(tmp_path, codec, fmt):
    """Selection reads the luma plane in place for 8-bit YUV/grey, and goes through libswscale otherwise."""
    frames, levels = _clip(n=12)
    p = tmp_path / "v.mkv"
    write_video(p, frames, codec=codec, pix_fmt=fmt, bit_rate=None)     # 64×48, converted by the encoder
    r = decode.scan(p, keyframes=3, size=16)
    assert r.n_frames == 12 and (np.diff(r.sel.mean((1, 2))) > 0).all()
    for kf, i in zip(r.keyframes, r.key_index):
        assert abs(float(kf.mean()) - float(levels[i])) < 6


def _moving_bar(n=16, w=64, h=48):
    frames = np.zeros((n, h, w, 3), np.uint8)
    for t in range(n):
        frames[t, :, 3 * t:3 * t + 6] = 255
    return frames


@pytest.mark.parametrize("codec, suffix", [("xvid", ".avi"), ("mpeg4", ".avi"), ("h264", ".mp4"), ("h264", ".avi")])
def test_videos_decode_in_presentation_order(tmp_path, codec, suffix):
    path = tmp_path / f"v{suffix}"
    write_clip(path, _moving_bar(), codec)
    d = decode.decode(path)
    assert len(d.frames) == 16 and d.thumbs.shape == (16, 48, 64)
    if codec == "h264":
        with av.open(str(path)) as c:
            types = [f.pict_type for f in c.decode(video=0)]
        assert any(str(t).endswith("B") or int(t) == 3 for t in types)   # B-frames really present
    positions = [int(np.argmax(decode.to_rgb(f, 64)[24, :, 0] > 128)) for f in d.frames]
    assert positions == sorted(positions) and positions[-1] > positions[0]
