"""Broken and odd media files of the kinds real collections hold, and a tree of them in official layouts.

Every file is written with a real codec (pipeline.video.encode.write_video, PyAV's muxers for audio and variable
frame rate, PIL for images), then truncated, patched or corrupted byte-wise where its kind says so. The kinds and
what the pipeline does with them (docs/video.md, "Bad videos"):

  ODD_VIDEOS   used (the `warned` ones with a warning in the shard, the report and the run log)
  BAD_VIDEOS   rejected, with a reason that contains REASONS[kind] (for k ≤ 2 keyframes, as the e2e tests run: the
               default feature needs 2 frames)
  ODD_IMAGES   used
  BAD_IMAGES   rejected, with a reason that contains REASONS[kind]

`make_tree(data_root)` writes an ASD_UCF101 tree: per class 10 images and 10 videos (7 train, 3 test) of
tests.helpers.official_layouts, plus one file of every kind above, spread over the classes, so that the rejects
stay within the default budget (5 %) and no class loses all of its items of one kind.
"""
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from pipeline.data.pairs import PAIRS
from pipeline.video.encode import write_video
from tests.helpers import official_layouts as L

PAIR = "ASD_UCF101"
FRAMES = 24                       # frames of the odd and bad clips (two runs of official_layouts.video's 12)


def _frames(k: int, i: int) -> np.ndarray:
    return np.concatenate([L.video(k, i), L.video(k, i + 50)])


def _corrupt_packet(path: Path, packet: int, seed: int = 0) -> None:
    """Overwrite the inside of the video stream's packet number `packet` with random bytes (a damaged frame)."""
    with av.open(str(path)) as c:
        pkts = [p for p in c.demux(video=0) if p.size]
        pos, size = int(pkts[packet].pos), int(pkts[packet].size)
    data = bytearray(path.read_bytes())
    data[pos + 8:pos + size - 8] = np.random.default_rng(seed).integers(0, 256, size - 16, np.uint8).tobytes()
    path.write_bytes(bytes(data))


def _header_states(path: Path, n: int) -> None:
    """Patch an AVI's frame counts (avih dwTotalFrames, the video strh dwLength) to `n`, as a wrong header does."""
    data = bytearray(path.read_bytes())
    avih, strh = data.find(b"avih"), data.find(b"strh")
    assert data[strh + 8:strh + 12] == b"vids", "the first stream of the AVI is not its video"
    data[avih + 24:avih + 28] = struct.pack("<I", n)
    data[strh + 40:strh + 44] = struct.pack("<I", n)
    path.write_bytes(bytes(data))


def _write_vfr(path: Path, frames: np.ndarray) -> None:
    """MPEG-4 in Matroska with irregular frame durations (20, 40, 120, 33 ms, …): a variable frame rate."""
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=25)
        s.width, s.height, s.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
        s.codec_context.time_base = s.time_base = Fraction(1, 1000)
        s.thread_count = 1
        t = 0
        for i, x in enumerate(frames):
            f = av.VideoFrame.from_ndarray(x, format="rgb24")
            f.pts, f.time_base = t, Fraction(1, 1000)
            t += (20, 40, 120, 33)[i % 4]
            c.mux(s.encode(f))
        c.mux(s.encode())


def _write_with_audio(path: Path, frames, video: bool = True) -> None:
    """MPEG-4 video beside an MP2 audio stream in one AVI, or (video=False) the audio stream alone."""
    with av.open(str(path), "w") as c:
        if video:
            v = c.add_stream("mpeg4", rate=25)
            v.width, v.height, v.pix_fmt, v.thread_count = frames.shape[2], frames.shape[1], "yuv420p", 1
        a = c.add_stream("mp2", rate=44100)
        for x in frames:
            if video:
                c.mux(v.encode(av.VideoFrame.from_ndarray(x, format="rgb24")))
            af = av.AudioFrame.from_ndarray(np.zeros((1, 2 * 1764), np.int16), format="s16", layout="stereo")
            af.sample_rate = 44100
            c.mux(a.encode(af))
        if video:
            c.mux(v.encode())
        c.mux(a.encode())


def _odd_header(p, f):
    write_video(p, f, 25)
    _header_states(p, 444)


def _truncated_tail(p, f):
    write_video(p, f, 25, codec="xvid", bit_rate=1_000_000)
    data = p.read_bytes()
    p.write_bytes(data[:int(len(data) * 0.6)])


def _damaged(packet):
    def write(p, f):
        write_video(p, f, 25, codec="ffv1", bit_rate=None)     # lossless, with slice checksums: damage is an error
        _corrupt_packet(p, packet)
    return write


def _damaged_header_jpeg(p, px):
    Image.fromarray(px).save(p, "JPEG", quality=90)
    data = bytearray(p.read_bytes())
    data[30:94] = np.random.default_rng(0).integers(0, 256, 64, np.uint8).tobytes()   # its quantisation tables
    p.write_bytes(bytes(data))


def _damaged_scan_jpeg(p, px):
    Image.fromarray(px).save(p, "JPEG", quality=90)
    data = bytearray(p.read_bytes())
    start = data.find(b"\xff\xda") + 40                          # inside the entropy-coded data
    data[start:start + 64] = np.random.default_rng(0).integers(0, 256, 64, np.uint8).tobytes()
    p.write_bytes(bytes(data))


def _truncated(save):
    def write(p, px):
        save(p, px)
        data = p.read_bytes()
        p.write_bytes(data[:len(data) // 2])
    return write


def _animated_gif(p, px):
    frames = [Image.fromarray(np.roll(px, 8 * i, axis=1)).convert("P", palette=Image.ADAPTIVE) for i in range(4)]
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=80, loop=0)


def _palette_png(p, px):
    im = Image.fromarray(px).convert("P", palette=Image.ADAPTIVE, colors=16)
    im.save(p, transparency=0)


# kind → (file suffix, writer(path, frames (T, H, W, 3) uint8))
ODD_VIDEOS = {
    "header_444": (".avi", _odd_header),                      # its header states 444 frames; 24 decode
    "truncated_tail": (".avi", _truncated_tail),              # the last 40 % of its bytes cut off
    "damaged_tail": (".avi", _damaged(16)),                   # a decoding error at frame 16 of 24
    "variable_rate": (".mkv", _write_vfr),
    "yuv444p": (".mp4", lambda p, f: write_video(p, f, 25, codec="libx264", pix_fmt="yuv444p", bit_rate=None)),
    "gray": (".avi", lambda p, f: write_video(p, f, 25, codec="ffv1", pix_fmt="gray", bit_rate=None)),
    "with_audio": (".avi", _write_with_audio),
    "tiny_16x12": (".avi", lambda p, f: write_video(p, np.ascontiguousarray(f[:, ::4, ::4]), 25, codec="xvid")),
}
WARNED = {"header_444": "its container states 444 frames, 24 decode",
          "truncated_tail": "its container states 24 frames",
          "damaged_tail": "decoding stopped after 16 frames of the 24 its container states"}
BAD_VIDEOS = {
    "empty": (".avi", lambda p, f: p.write_bytes(b"")),
    "not_a_video": (".avi", lambda p, f: p.write_text("this is not a video\n" * 100)),
    "audio_only": (".avi", lambda p, f: _write_with_audio(p, f, video=False)),
    "one_frame": (".avi", lambda p, f: write_video(p, f[:1], 25, codec="xvid")),
    "damaged_early": (".avi", _damaged(1)),                   # a decoding error at frame 1: fewer than 2
}
ODD_IMAGES = {
    "one_pixel": (".png", lambda p, px: Image.fromarray(px[:1, :1]).save(p)),
    "cmyk": (".jpg", lambda p, px: Image.fromarray(px).convert("CMYK").save(p, quality=90)),
    "grey_16bit": (".png", lambda p, px: Image.fromarray((px[..., 0].astype(np.uint16) * 257)).save(p)),
    "palette": (".png", _palette_png),
    "animated": (".gif", _animated_gif),
    "damaged_scan": (".jpg", _damaged_scan_jpeg),             # corrupt entropy-coded data: libjpeg conceals it
}
BAD_IMAGES = {
    "empty": (".jpg", lambda p, px: p.write_bytes(b"")),
    "not_an_image": (".jpg", lambda p, px: p.write_bytes(np.random.default_rng(1).integers(0, 256, 3000, np.uint8).tobytes())),
    "truncated_jpeg": (".jpg", _truncated(lambda p, px: Image.fromarray(px).save(p, "JPEG", quality=90))),
    "truncated_png": (".png", _truncated(lambda p, px: Image.fromarray(px).save(p, "PNG"))),
    "damaged_header": (".jpg", _damaged_header_jpeg),
}
REASONS = {"empty": "empty file (0 bytes)", "not_a_video": "not a video file", "audio_only": "has no video stream",
           "one_frame": "has 1 frame, fewer than the 2 needed", "damaged_early": "decoding failed after 1 frame (",
           "not_an_image": "not an image file", "truncated_jpeg": "truncated", "truncated_png": "truncated",
           "damaged_header": "cannot be decoded"}


def make_tree(data_root, per_class: int = 10, n_test: int = 3, videos=None, images=None) -> dict:
    """The ASD_UCF101 tree described in the module docstring under `data_root`; `videos` / `images`: the odd and
    bad kinds to add (default: all of them). Returns {(modality, kind): item id} of the odd and bad files
    ("image"/"video"; ids as in the manifest)."""
    pair = PAIRS[PAIR]
    image_classes, video_classes = list(pair.class_map), pair.classes
    video_kinds = {**ODD_VIDEOS, **BAD_VIDEOS} if videos is None else {k: {**ODD_VIDEOS, **BAD_VIDEOS}[k] for k in videos}
    image_kinds = {**ODD_IMAGES, **BAD_IMAGES} if images is None else {k: {**ODD_IMAGES, **BAD_IMAGES}[k] for k in images}
    L.make_imagefolder(data_root, "ASD", image_classes, n=per_class, unused=(), respell=False)
    root = L.make_ucf101(data_root, video_classes, n_train=per_class - n_test, n_test=n_test, unused=(), splits=(1,))
    placed = {}
    for j, (kind, (suffix, write)) in enumerate(image_kinds.items()):
        cls = image_classes[j % len(image_classes)]
        path = Path(data_root) / "ASD" / cls / f"odd_{kind}{suffix}"
        write(path, L.image(j, 90))
        placed[("image", kind)] = path.relative_to(Path(data_root) / "ASD").as_posix()
    lists = {"train": [], "test": []}
    for j, (kind, (suffix, write)) in enumerate(video_kinds.items()):
        label = j % len(video_classes)
        cls = video_classes[label]
        name = f"{cls}/v_{cls}_g{90 + j:02d}_c01{suffix}"
        write(root / "UCF-101" / name, _frames(label, 90 + j))
        split = "test" if j % 4 == 3 else "train"
        lists[split].append(f"{name} {label + 1}" if split == "train" else name)
        placed[("video", kind)] = f"UCF-101/{name}"
    for split, lines in lists.items():
        listed = root / "ucfTrainTestlist" / f"{split}list01.txt"
        listed.write_bytes(listed.read_bytes() + "".join(ln + "\r\n" for ln in lines).encode())
    return placed
