"""Decoding, keyframes and the motion feature on clips encoded with PyAV (real codecs), and bad videos."""
import av
import numpy as np
import pytest

from pipeline.data.synthetic import write_video
from pipeline.errors import DataError
from pipeline.video import decode, keyframes, motion
from pipeline.video.decode import VideoError


def _clip(n=20, h=48, w=64):
    """Frames whose brightness encodes their index, so a decoded frame tells where it came from."""
    levels = np.linspace(20, 235, n).astype(np.uint8)
    return np.stack([np.full((h, w, 3), v, np.uint8) for v in levels]), levels


def write_h264(path, frames, fps=25):
    """H.264 in MP4 with B-frames (decode order ≠ presentation order)."""
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=fps, options={"bf": "2", "preset": "veryfast"})
        s.width, s.height, s.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
        s.thread_count = 1
        for f in frames:
            c.mux(s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        c.mux(s.encode())


@pytest.mark.parametrize("codec", ["mpeg4", "h264"])
def test_keyframes_are_frames_of_the_clip(tmp_path, codec):
    frames, levels = _clip()
    path = tmp_path / ("clip.avi" if codec == "mpeg4" else "clip.mp4")
    (write_video if codec == "mpeg4" else write_h264)(path, frames, fps=25)
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


def test_keyframe_selection_covers_the_clip_in_order():
    thumbs = np.random.default_rng(0).integers(0, 255, (30, 8, 8), dtype=np.uint8)
    idx = keyframes.select(thumbs, 3)
    assert idx[0] < 10 <= idx[1] < 20 <= idx[2] < 30


def test_keyframe_is_the_segment_frame_nearest_its_mean():
    """A flash (outlier) frame is never chosen; the frame nearest the segment mean is."""
    thumbs = np.full((9, 4, 4), 100, np.uint8)
    thumbs[0] = 255                                # flash
    thumbs[1:9] = np.arange(96, 104)[:, None, None]
    assert keyframes.pick_in_segment(thumbs) != 0


def test_short_video_is_a_clear_error():
    with pytest.raises(DataError, match="fewer than the 3 keyframes"):
        keyframes.select(np.zeros((2, 4, 4), np.uint8), 3)


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
    write_h264(good, frames)
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


def test_motion_descriptor_sees_motion_not_appearance():
    """A bright square moving right vs the same square moving down: descriptors differ; a static
    square of two different brightnesses: descriptors (nearly) equal and nearly zero in the flow part."""
    def square_video(dx, dy, value=200):
        T, h, w = 16, 48, 64
        v = np.zeros((T, h, w), np.uint8)
        for t in range(T):
            x, y = 10 + dx * t, 10 + dy * t
            v[t, y:y + 12, x:x + 12] = value
        return v
    right, down = motion.motion_descriptor(square_video(2, 0)), motion.motion_descriptor(square_video(0, 2))
    still_a, still_b = motion.motion_descriptor(square_video(0, 0, 120)), motion.motion_descriptor(square_video(0, 0, 240))
    assert right.shape == (motion.dim(),)
    assert np.linalg.norm(right - down) > 10 * np.linalg.norm(still_a - still_b)
    assert np.abs(still_a).max() < 1e-3


@pytest.mark.parametrize("codec, fmt", [("ffv1", "bgr0"), ("ffv1", "yuv420p10le"), ("mjpeg", "yuvj420p"), ("ffv1", "yuv444p")])
def test_other_pixel_formats(tmp_path, codec, fmt):
    """Selection reads the luma plane in place for 8-bit YUV/grey, and goes through libswscale otherwise."""
    frames, levels = _clip(n=12)
    p = tmp_path / "v.mkv"
    with av.open(str(p), "w") as c:
        s = c.add_stream(codec, rate=25)
        s.width, s.height, s.pix_fmt = 64, 48, fmt
        for f in frames:
            c.mux(s.encode(av.VideoFrame.from_ndarray(f, format="rgb24").reformat(format=fmt)))
        c.mux(s.encode())
    r = decode.scan(p, keyframes=3, size=16)
    assert r.n_frames == 12 and (np.diff(r.sel.mean((1, 2))) > 0).all()
    for kf, i in zip(r.keyframes, r.key_index):
        assert abs(float(kf.mean()) - float(levels[i])) < 6
