"""Benchmark of prediction (pipeline.predict): per-video cost against keyframe extraction + one forward pass, and
the fixed start-up.

    python benchmarks/bench_predict.py --run artifacts/SYNTHETIC/RunExperiment-<hash>/          # the run's test videos
    python benchmarks/bench_predict.py --run RUN --clips 20 --frames 150                        # 320×240 clips instead

Times, each `--repeats` times and the median reported:
  start-up   importing what prediction needs (torch, torchvision, scikit-learn, PyAV) and loading the chain
             (model.pt, semantic.h5, classifier.h5): paid once per command, whatever the number of videos;
  predict    `Predictor(chain)(videos)` per video: everything prediction does to a video;
  extract    the run's keyframe extraction and video feature alone (pipeline.video.shards.keyframe_shard);
  forward    one forward pass of f on the keyframes and g on the feature (pipeline.method.features.dump);
after one untimed warm-up call, in wall and in CPU seconds (all threads of the process; less disturbed by other
load), and prints predict / (extract + forward): what prediction adds per video (the
semantic projection, the SVM, the rows) beyond the two steps it cannot avoid.
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

T0, C0 = time.perf_counter(), time.process_time()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _test_videos(run: Path) -> list:
    metrics = json.loads((run / "metrics.json").read_text())
    from pipeline.io.artifacts import in_pair_folder
    res = [p for p in metrics["artifacts"]["FitClassifier"] if p.endswith("results.json")][0]
    ids = json.loads(in_pair_folder(run.parent, res).read_text())["test_ids"]
    videos = json.loads(in_pair_folder(run.parent, metrics["artifacts"]["BuildManifest"][0]).read_text())["videos"]
    by_id = {v["id"]: v["path"] for v in videos}
    return [by_id[i] for i in ids]


def _clips(n: int, frames: int, folder: Path) -> list:
    import numpy as np
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_video import FPS, render
    from pipeline.video.encode import write_video
    rng, paths = np.random.default_rng(0), []
    for i in range(n):
        paths.append(folder / f"clip{i:03d}.avi")
        write_video(paths[-1], render(rng, frames), FPS)
    return [str(p) for p in paths]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", required=True, help="a RunExperiment folder")
    ap.add_argument("--clips", type=int, default=0, help="render this many 320×240 clips instead of the run's test videos")
    ap.add_argument("--frames", type=int, default=150, help="frames per rendered clip")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()

    t = time.perf_counter()
    import av  # noqa: F401
    import sklearn.svm  # noqa: F401
    import torch  # noqa: F401
    import torchvision  # noqa: F401

    from pipeline.method import checkpoint, features  # noqa: F401
    from pipeline.predict.chain import from_run
    from pipeline.predict.core import Predictor
    from pipeline.video import shards
    imports = time.perf_counter() - t
    t = time.perf_counter()
    chain = from_run(args.run)
    predictor = Predictor(chain, "cpu")
    load = time.perf_counter() - t
    startup_cpu = time.process_time() - C0      # CPU seconds of this process (all threads): less disturbed by load

    with tempfile.TemporaryDirectory() as tmp:
        videos = _clips(args.clips, args.frames, Path(tmp)) if args.clips else _test_videos(Path(args.run))
        s, n = chain.settings, len(videos)
        import numpy as np
        from types import SimpleNamespace
        items = [SimpleNamespace(id=str(i), path=p) for i, p in enumerate(videos)]
        times, cpu = dict(predict=[], extract=[], forward=[]), dict(predict=[], extract=[], forward=[])

        def timed(name, fn):
            t, c = time.perf_counter(), time.process_time()
            out = fn()
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
            return out

        predictor(videos[:2], batch=args.batch)                     # warm-up (first-call costs of the libraries)
        for _ in range(args.repeats):
            rows, _ = timed("predict", lambda: predictor(videos, batch=args.batch))
            arrays, _, _ = timed("extract", lambda: shards.keyframe_shard(
                items, s["keyframes"], s["image_size"], motion=(s["grid"], s["bins"]), appearance=predictor.appearance,
                pool_frames=s["pool_frames"]))
            Y = np.concatenate([arrays[name] for name in predictor.offline], 1)
            empty = np.empty((0, s["image_size"], s["image_size"], 3), np.uint8)
            timed("forward", lambda: features.dump(predictor.model, empty, arrays["K"], Y, "cpu"))
    med = {k: statistics.median(v) / n * 1000 for k, v in times.items()}
    cpu = {k: statistics.median(v) / n * 1000 for k, v in cpu.items()}
    print(f"{n} videos ({'rendered 320×240, %d frames' % args.frames if args.clips else 'the run’s test videos'}), "
          f"{torch.get_num_threads()} threads, median of {args.repeats}; {sum(not r['reason'] for r in rows)} classified")
    print(f"start-up: imports {imports:.2f} s + loading the chain {load:.2f} s = {imports + load:.2f} s wall, "
          f"{startup_cpu:.2f} s CPU")
    for what, m in (("wall", med), ("CPU", cpu)):
        print(f"per video, {what}: predict {m['predict']:.1f} ms; extract {m['extract']:.1f} ms + forward "
              f"{m['forward']:.1f} ms = {m['extract'] + m['forward']:.1f} ms; predict / (extract + forward) = "
              f"{m['predict'] / (m['extract'] + m['forward']):.2f}")


if __name__ == "__main__":
    main()
