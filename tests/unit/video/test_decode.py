"""Decoding (pipeline/video/decode.py) on clips encoded with PyAV (real codecs, B-frames, pixel formats), and bad videos."""
import av
import numpy as np
import pytest

from pipeline.video import decode, keyframes
from pipeline.video.decode import VideoError
from pipeline.video.encode import write_video
from tests.helpers import bad_files as B
from tests.helpers.bad_files import _header_states
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


@pytest.mark.parametrize("stated", [9, 444])
def test_a_wrong_header_is_used_with_a_warning_after_a_second_pass(tmp_path, monkeypatch, stated):
    """A container that states fewer or more frames than decode (a wrong AVI header): the second pass, planned with
    the true count, gives what the right count would have given, and the video is used with a warning."""
    frames, levels = _clip(n=12)
    path = tmp_path / "clip.avi"
    write_video(path, frames, fps=25)
    ref = decode.scan(path, keyframes=3, size=16, thumbs=True)
    assert ref.warnings == []
    _header_states(path, stated)
    calls = []
    real = decode._pass

    def counted(path, T, *a):
        calls.append(T)
        return real(path, T, *a)
    monkeypatch.setattr(decode, "_pass", counted)
    s = decode.scan(path, keyframes=3, size=16, thumbs=True)
    assert calls == [None, 12]
    assert np.array_equal(s.keyframes, ref.keyframes) and list(s.key_index) == list(ref.key_index)
    assert np.array_equal(s.thumbs, ref.thumbs)
    assert s.warnings == [f"its container states {stated} frames, 12 decode; the 12 are used"]


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
    with pytest.raises(VideoError, match="bad.avi: not a video file"):
        decode.scan(bad, keyframes=3)


def test_missing_file(tmp_path):
    with pytest.raises(VideoError, match="cannot be read"):
        decode.scan(tmp_path / "gone.avi", keyframes=3)


def test_no_video_stream_and_an_audio_stream_beside_the_video(tmp_path):
    frames, _ = _clip(n=12)
    B._write_with_audio(tmp_path / "audio.avi", frames, video=False)
    with pytest.raises(VideoError, match="has no video stream"):
        decode.scan(tmp_path / "audio.avi", keyframes=3)
    B._write_with_audio(tmp_path / "both.avi", frames)
    s = decode.scan(tmp_path / "both.avi", keyframes=3, size=16)
    assert s.n_frames == 12 and s.warnings == []


def test_truncated_avi_gives_the_frames_before_the_cut(tmp_path, good_avi):
    """Cut in half, a 40-frame AVI decodes its first frames: they are used, with a warning."""
    data = good_avi.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[:len(data) // 2])
    s = decode.scan(cut, keyframes=3, size=16)
    assert 3 <= s.n_frames < 40 and s.keyframes.shape == (3, 16, 16, 3)
    assert s.warnings == [f"its container states 40 frames, {s.n_frames} decode; the {s.n_frames} are used"]
    cut.write_bytes(data[:300])                                        # the header alone
    with pytest.raises(VideoError, match="cut.avi"):
        decode.scan(cut, keyframes=3)


def test_truncated_mp4(tmp_path):
    frames, _ = _clip(n=40, h=120, w=160)
    good = tmp_path / "good.mp4"
    write_h264(good, frames, preset="veryfast")
    data = good.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:len(data) // 2])            # MP4 keeps its sample table at the end: nothing to decode
    with pytest.raises(VideoError):
        decode.scan(cut, keyframes=3)


@pytest.mark.parametrize("packet, used", [(16, True), (2, False)])
def test_a_decoding_error_after_enough_frames_is_used_before_it_is_rejected(tmp_path, monkeypatch, packet, used):
    """A damaged frame (FFV1's checksums make it an error): the frames before it are used when there are enough,
    counted without threads, so that the result does not depend on the thread count."""
    frames, levels = _clip(n=24)
    path = tmp_path / "damaged.avi"
    B._damaged(packet)(path, frames)
    threads = []
    real = decode._pass
    monkeypatch.setattr(decode, "_pass", lambda path, T, threaded, *a: threads.append(threaded) or real(path, T, threaded, *a))
    if not used:
        with pytest.raises(VideoError, match=rf"decoding failed after {packet} frames \(InvalidDataError.*fewer than the 3"):
            decode.scan(path, keyframes=3, size=16)
        return
    s = decode.scan(path, keyframes=3, size=16, thumbs=True)
    assert s.n_frames == packet and threads == [True, False, False]
    assert s.warnings[0].startswith(f"decoding stopped after {packet} frames of the 24 its container states")
    for kf, i in zip(s.keyframes, s.key_index):
        assert i < packet and abs(float(kf.mean()) - float(levels[i])) < 6
    # the same as the same frames whole
    write_video(tmp_path / "whole.avi", frames[:packet], codec="ffv1", bit_rate=None)
    ref = decode.scan(tmp_path / "whole.avi", keyframes=3, size=16, thumbs=True)
    assert np.array_equal(s.keyframes, ref.keyframes) and np.array_equal(s.thumbs, ref.thumbs)


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
        assert av.video.frame.PictureType.B in types                       # B-frames really present
    positions = [int(np.argmax(decode.to_rgb(f, 64)[24, :, 0] > 128)) for f in d.frames]
    assert positions == sorted(positions) and positions[-1] > positions[0]


# ------------------------------------------------------------------ memory: bounded whatever the length or size

MEASURE = """
import re, sys
from pathlib import Path
from pipeline.video import decode
decode.MAX_HELD_BYTES = float(sys.argv[2])
Path("/proc/self/clear_refs").write_text("5")       # resets the peak resident size (VmHWM) to the current one
s = decode.scan(sys.argv[1], keyframes=3, size=64, thumbs=True)
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1])
print(peak // 1024, *s.key_index, int(s.keyframes.sum()))
"""


def test_held_frames_are_bounded_and_a_longer_segment_is_fetched_again(tmp_path):
    """120 frames of 640×480: a keyframe segment (40 frames, 18 MB decoded) held whole, or, over a 2 MB bound,
    not held: its keyframe is converted in a second pass. Same keyframes; the peak memory drops by what was held."""
    import subprocess
    import sys

    from tests.helpers.luigi_process import REPO
    y, x = np.mgrid[0:480, 0:640]
    base = np.stack([x % 256, y % 256, (x + y) % 256], -1).astype(np.uint8)
    write_video(tmp_path / "vga.avi", np.stack([np.roll(base, 5 * t, axis=1) for t in range(120)]), 25)
    peak = {}
    for bound in (2e6, 1e12):
        r = subprocess.run([sys.executable, "-c", MEASURE, str(tmp_path / "vga.avi"), str(bound)], cwd=REPO,
                           capture_output=True, text=True, check=True)
        mb, *result = r.stdout.split()
        peak[bound] = (int(mb), result)
    assert peak[2e6][1] == peak[1e12][1]                       # the same keyframes
    assert peak[2e6][0] < peak[1e12][0] - 10, peak             # without holding 40 frames (18 MB)


def test_a_4k_clip_over_the_bound_gives_the_same_keyframes(tmp_path, monkeypatch):
    frames = np.zeros((4, 2160, 3840, 3), np.uint8)
    for t in range(4):
        frames[t, :, 400 * t:400 * t + 300] = 60 * t + 20
    write_video(tmp_path / "4k.avi", frames, 25)
    whole = decode.scan(tmp_path / "4k.avi", keyframes=2, size=32, thumbs=True)
    monkeypatch.setattr(decode, "MAX_HELD_BYTES", 2 ** 20)      # less than one 4K frame: no segment is held
    bounded = decode.scan(tmp_path / "4k.avi", keyframes=2, size=32, thumbs=True)
    assert list(bounded.key_index) == list(whole.key_index) and np.array_equal(bounded.keyframes, whole.keyframes)
    assert bounded.keyframes.shape == (2, 32, 32, 3) and bounded.n_frames == 4


def test_tiny_frames_odd_formats_and_a_variable_frame_rate_are_used(tmp_path):
    frames, levels = _clip(n=24)
    for kind in ("tiny_16x12", "variable_rate", "gray", "yuv444p"):
        suffix, write = B.ODD_VIDEOS[kind]
        path = tmp_path / f"{kind}{suffix}"
        write(path, frames)
        s = decode.scan(path, keyframes=3, size=16, thumbs=True)
        assert s.n_frames == 24 and s.warnings == [], kind
        for kf, i in zip(s.keyframes, s.key_index):
            assert abs(float(kf.mean()) - float(levels[i])) < 8, kind


def test_one_thread_scaling_gives_the_pixels_of_pyav_default_threads(tmp_path):
    """libswscale runs on one thread (decode.SCALE_THREADS; far cheaper for thumbnails): thumbnails, keyframes and
    clip frames of a 320×240 clip equal PyAV's own conversions on its default thread per CPU."""
    rng = np.random.default_rng(1)
    small = rng.integers(0, 255, (6, 15, 20, 3), dtype=np.uint8)
    frames = np.repeat(np.repeat(small, 16, 1), 16, 2)                 # (6, 240, 320, 3) blocks: real scaling work
    path = tmp_path / "vga.avi"
    write_video(path, frames, fps=25)
    s = decode.scan(path, keyframes=2, size=224, clip_frames=3, clip_size=(171, 128), thumbs=True)
    with av.open(str(path)) as c:
        ref = list(c.decode(video=0))
    assert ref[0].width == 320 and decode.SCALE_THREADS == 1
    assert np.array_equal(s.thumbs, np.stack([f.to_ndarray(width=64, height=48, format="gray") for f in ref]))
    for kf, i in zip(s.keyframes, s.key_index):
        assert np.array_equal(kf, ref[i].to_ndarray(width=224, height=224, format="rgb24"))
    for x, i in zip(s.clip, s.clip_index):
        assert np.array_equal(x, ref[i].to_ndarray(width=171, height=128, format="rgb24"))
