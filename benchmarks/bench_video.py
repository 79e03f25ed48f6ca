"""Benchmark of the video stages against PyAV's own decoding speed, on real encoded clips.

    python benchmarks/bench_video.py                       # 20 clips × 150 frames, both codecs
    python benchmarks/bench_video.py --videos 20 --scale   # also 2× the videos (is the per-video cost constant?)

Writes its clips to a temporary folder (320×240, 25 fps, textured panning background with moving shapes):
MPEG-4 Part 2 in AVI (as UCF101/HMDB51 ship) and H.264 in MP4 with B-frames. On the same clips, each timed
`--repeats` times, interleaved, median reported:
  (1) raw      PyAV decode of every frame, threaded, no conversion (pipeline.video.decode.raw_decode)
  (2) keyfr    keyframe extraction: the decoding pass with thumbnails, selection and RGB keyframes
  (3) feature  the offline default video feature alone: decoding pass + thumbnails + motion descriptor
  (2+3)        keyframes and the feature from one decoding pass
  (4)          what ExtractKeyframes runs: (2+3) on all the clips as one shard, then its shard file
  (4) before   the same as before issue 16 (libswscale on a thread per CPU, K written as LZF), with --before
  (old)        the previous code (per-frame `to_ndarray`, every frame kept), for comparison (--old)
and prints videos/s, ms/video, frames/s and each time / raw decode time; with --scale also the time on twice as
many videos (another 20 clips of the same kind, timed in the same rounds) and the median per-round ratio 2×/1×.
Small clips, where a per-video cost shows: `--width 160 --height 120 --frames 40 --before`.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.data.manifest import Item  # noqa: E402
from pipeline.io import h5io  # noqa: E402
from pipeline.io.rejects import rejects_array, warnings_array  # noqa: E402
from pipeline.video import decode, keyframes, motion, shards  # noqa: E402
from pipeline.video.encode import write_video  # noqa: E402

W, H, FPS = 320, 240, 25          # the clips' size (--width, --height)


def render(rng, n, W=W, H=H):
    """(n, H, W, 3) uint8: a smooth random texture panning, two moving shapes, light noise."""
    small = rng.integers(0, 255, (H // 16 + 1, (W + 2 * n) // 16 + 2, 3)).astype(np.uint8)
    bg = np.repeat(np.repeat(small, 16, 0), 16, 1)[:H].astype(np.int16)         # blocky texture, pans 2 px/frame
    yy, xx = np.mgrid[:H, :W]
    out = np.empty((n, H, W, 3), np.uint8)
    for t in range(n):
        f = bg[:, 2 * t:2 * t + W].copy()
        cx, cy = 60 + 3 * t % (W - 120), 120 + 60 * np.sin(t / 8)
        f[(xx - cx) ** 2 + (yy - cy) ** 2 < 900] = (230, 40, 40)
        f[(abs(xx - (W - 40 - 2 * t % (W - 80))) < 20) & (abs(yy - 60 - t % 100) < 30)] = (40, 200, 60)
        f += rng.integers(-6, 7, f.shape, dtype=np.int16)
        out[t] = np.clip(f, 0, 255)
    return out


def write(path, frames, codec):
    """MPEG-4 Part 2 at 1.5 Mbit/s, or H.264 with B-frames at CRF 23 (x264's own rate control)."""
    if codec == "mpeg4":
        write_video(path, frames, FPS, bit_rate=1_500_000)
    else:
        write_video(path, frames, FPS, codec="libx264", bit_rate=None, bf=2, preset="veryfast", crf=23)


def old_keyframes(path, k, size):
    """The previous implementation: per-frame frame.to_ndarray thumbnails, every frame kept."""
    frames, thumbs = [], []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            frames.append(frame)
            thumbs.append(frame.to_ndarray(width=64, height=48, format="gray"))
    idx = keyframes.select(np.stack(thumbs), k)
    return np.stack([frames[i].to_ndarray(width=size, height=size, format="rgb24") for i in idx])


def shard_file(paths, k, size, folder, scale_threads=decode.SCALE_THREADS, **write):
    """What ExtractKeyframes runs on a shard of `paths`: the one pass, then its shard file, written as the task does
    (tasks/extract.py: K uncompressed, one video per chunk), or with `write` options (none: K as LZF, as before)."""
    decode.SCALE_THREADS, before = scale_threads, decode.SCALE_THREADS
    try:
        arrays, rejects, warnings = shards.keyframe_shard([Item(str(p), str(p), 0, "train") for p in paths], k, size, (4, 8))
    finally:
        decode.SCALE_THREADS = before
    arrays.update(rejects=rejects_array(rejects, "shard"), warnings=warnings_array(warnings))
    h5io.write(folder / "shard.h5", "keyframes", arrays, {"task": "bench_video"}, **write)


def stages(k, size, old, before, folder):
    each = lambda fn: lambda paths: [fn(p) for p in paths]          # noqa: E731
    s = {
        "(1) raw": each(decode.raw_decode),
        "(2) keyfr": each(lambda p: decode.scan(p, keyframes=k, size=size)),
        "(3) feature": each(lambda p: motion.motion_descriptor(decode.scan(p, thumbs=True, min_frames=2).thumbs)),
        "(2+3) one pass": each(lambda p: shards.keyframe_shard([Item(str(p), str(p), 0, "train")], k, size, (4, 8))),
        "(4) shard file": lambda paths: shard_file(paths, k, size, folder, uncompressed=("K",)),
    }
    if before:
        s["(4) before"] = lambda paths: shard_file(paths, k, size, folder, scale_threads=None)
    if old:
        s["(old) keyfr"] = each(lambda p: old_keyframes(p, k, size))
    return s


def bench(sets, k, size, repeats, old, before, folder):
    """{stage: [median seconds of set 0, of set 1, ...]} and {stage: median over rounds of t(set i) / t(set 0)}.

    Every round times every stage on every set of paths, interleaved, so that load from other processes
    falls on all of them alike.
    """
    fns = stages(k, size, old, before, folder)
    times = {name: [[] for _ in sets] for name in fns}
    for name, fn in fns.items():            # warm-up (imports, page cache)
        fn(sets[0][:1])
    for _ in range(repeats):
        for name, fn in fns.items():
            for j, paths in enumerate(sets):
                t = time.perf_counter()
                fn(paths)
                times[name][j].append(time.perf_counter() - t)
    med = {name: [statistics.median(ts) for ts in per_set] for name, per_set in times.items()}
    ratio = {name: [statistics.median(a / b for a, b in zip(ts, per_set[0])) for ts in per_set]
             for name, per_set in times.items()}
    return med, ratio


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=20)
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--keyframes", type=int, default=3)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--codecs", default="mpeg4,h264")
    ap.add_argument("--width", type=int, default=W)
    ap.add_argument("--height", type=int, default=H)
    ap.add_argument("--scale", action="store_true", help="also time 2× the videos (per-video cost constant?)")
    ap.add_argument("--old", action="store_true", help="also time the previous keyframe code")
    ap.add_argument("--before", action="store_true", help="also time (4) as before issue 16: libswscale on a "
                                                            "thread per CPU, K written as LZF")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    n_total = args.videos * (2 if args.scale else 1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        clips = {c: [] for c in args.codecs.split(",")}
        for i in range(n_total):
            frames = render(rng, args.frames, args.width, args.height)
            for codec in clips:
                p = tmp / f"clip{i:03d}.{'avi' if codec == 'mpeg4' else 'mp4'}"
                write(p, frames, codec)
                clips[codec].append(p)
        print(f"wrote {n_total} clips × {args.frames} frames {args.width}×{args.height} per codec in {time.perf_counter() - t0:.0f} s "
              f"(k={args.keyframes}, S={args.size}, median of {args.repeats}, PyAV {av.__version__})")
        for codec, paths in clips.items():
            size_mb = sum(p.stat().st_size for p in paths[:args.videos]) / 1e6
            label = "MPEG-4 AVI" if codec == "mpeg4" else "H.264 MP4 (B-frames)"
            sets = [paths[:args.videos]] + ([paths] if args.scale else [])
            med, ratio = bench(sets, args.keyframes, args.size, args.repeats, args.old, args.before, tmp)
            print(f"\n{label}: {args.videos} videos, {size_mb:.1f} MB")
            print(f"  {'stage':<16}{'seconds':>9}{'videos/s':>10}{'ms/video':>10}{'frames/s':>10}{'÷ raw':>8}"
                  + (f"{'2× videos: s':>15}{'2×/1×':>8}" if args.scale else ""))
            raw = med["(1) raw"][0]
            for name, ts in med.items():
                t = ts[0]
                line = (f"  {name:<16}{t:>9.3f}{args.videos / t:>10.1f}{1e3 * t / args.videos:>10.2f}"
                        f"{args.videos * args.frames / t:>10.0f}{t / raw:>8.2f}")
                if args.scale:
                    line += f"{ts[1]:>15.3f}{ratio[name][1]:>8.2f}"
                print(line)

if __name__ == "__main__":
    main()
