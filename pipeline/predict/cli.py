"""`divafn-predict --run RUN_FOLDER VIDEO… [--top-k 5] [--out DIR]`: classify video files with a trained experiment.

VIDEO is a video file, a folder (searched recursively for the video extensions PyAV reads) or a .txt list of
paths. Without --out the predictions are printed as predictions.csv; with --out DIR, predictions.csv,
predictions.json, predictions.md and contact_sheet.png are written into DIR. Progress goes to stderr. A bad input
(a missing file or folder, a folder without videos, a list naming missing files, a run folder of other code) is one
line on stderr and exit status 1; a file that is not a usable video is a row with its reason, and the rest go on.
The last line on stderr says how many videos were classified: when none was, it is an error and the exit status 1.
No Luigi: the run folder's metrics.json says where every trained piece lies (pipeline.predict.chain).
"""
import argparse
import csv
import sys
import time
from pathlib import Path

from pipeline.errors import DataError
from pipeline.text import count


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="divafn-predict", description=(
        "Classify videos with a trained DIVAFN experiment: the run's keyframe extraction and video feature, its "
        "trained networks, semantic projections and SVM."))
    ap.add_argument("--run", required=True, metavar="RUN_FOLDER",
                    help="the experiment's folder artifacts/<pair>/RunExperiment-<hash>/")
    ap.add_argument("videos", nargs="+", metavar="VIDEO", help="video files, folders of videos, or .txt lists of paths")
    ap.add_argument("--top-k", type=int, default=5, help="classes listed per video with their scores (default 5)")
    ap.add_argument("--out", metavar="DIR", help="write predictions.csv/.json/.md and contact_sheet.png into DIR")
    ap.add_argument("--contact-sheet", type=int, default=8, metavar="N",
                    help="videos on the contact sheet (with --out)")
    ap.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:N")
    ap.add_argument("--batch", type=int, default=32, help="videos decoded and classified at once (bounds memory)")
    args = ap.parse_args(argv)
    if args.top_k < 1:
        ap.error("--top-k must be at least 1")
    try:
        from pipeline.predict.chain import from_run
        from pipeline.predict.core import Predictor
        from pipeline.predict.inputs import find_videos
        chain = from_run(args.run)
        videos = find_videos(args.videos)
        t0 = time.perf_counter()
        predictor = Predictor(chain, args.device)
        print(f"divafn-predict: {count(len(videos), 'file')}; chain of {chain.source} loaded in "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
        keep = args.contact_sheet if args.out else 0
        rows, kept = predictor(videos, args.top_k, args.batch, _progress, keep)
        if args.out:
            import os
            import tempfile

            from pipeline.predict.write import describe, write_all
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=out, prefix=".partial-"))   # a killed run leaves no half-written file
            write_all(tmp, rows, kept, describe(chain, args.top_k))
            for f in tmp.iterdir():
                os.replace(f, out / f.name)
            tmp.rmdir()
            print(f"divafn-predict: {out}/predictions.csv", file=sys.stderr)
        else:
            from pipeline.predict.core import COLUMNS
            from pipeline.predict.write import csv_row
            w = csv.writer(sys.stdout)
            w.writerow(COLUMNS)
            w.writerows(csv_row(r) for r in rows)
            sys.stdout.flush()                      # the rows before the last line on stderr, in a terminal
        from pipeline.predict.core import outcome
        used, line = outcome(rows)
        if not used:
            raise DataError(line)
        print(f"divafn-predict: {line}", file=sys.stderr)
    except DataError as e:
        print(f"divafn-predict: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


def _progress(i: int, n: int) -> None:
    print(f"divafn-predict: {i}/{n} videos", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
