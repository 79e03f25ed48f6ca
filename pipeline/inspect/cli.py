"""The command line: `python -m pipeline.inspect PATH [--dataset NAME --head N] [--json]` (also `divafn-inspect`)."""
import argparse
import json
import sys

import numpy as np

from pipeline.errors import DataError
from pipeline.inspect.summary import dataset_values, summarize
from pipeline.inspect.text import format_summary, jsonable, table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="divafn-inspect", description=(
        "Summarise a DIVAFN artifact (HDF5, manifest.json, model.pt, results.json, metrics.json) or an artifacts "
        "folder: datasets, shapes, dtypes, attrs, per-class counts, and the task that made it."))
    ap.add_argument("path",
                    help="an artifact file, a stage folder artifacts/<pair>/<Task>-<hash>/, or artifacts/<pair>/")
    ap.add_argument("--dataset", metavar="NAME", help="print the values of this dataset (names as in the summary)")
    ap.add_argument("--head", metavar="N", type=int, default=None,
                    help="with --dataset: the first N rows (default 10; 0 for all)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = ap.parse_args(argv)
    if args.head is not None and args.dataset is None:
        ap.error("--head needs --dataset NAME")
    try:
        if args.dataset is not None:
            head = 10 if args.head is None else (None if args.head == 0 else args.head)
            values = dataset_values(args.path, args.dataset, head)
            if args.json:
                print(json.dumps(dict(path=args.path, dataset=args.dataset, head=head, values=jsonable(values))))
            else:
                with np.printoptions(threshold=200, edgeitems=3, linewidth=120):
                    if isinstance(values, list) and values and isinstance(values[0], dict):
                        keys = list(values[0])
                        print("\n".join(table([[r.get(k, "") for k in keys] for r in values], keys)))
                    else:
                        print(values)
        else:
            s = summarize(args.path)
            print(json.dumps(jsonable(s), indent=1, default=str) if args.json else format_summary(s))
            broken = _unreadable(s)
            if broken:        # the listing is whole; its exit status says that a file in it is not
                many = f"{len(broken)} files listed cannot be read (UNREADABLE); the first: " if len(broken) > 1 else ""
                print(f"divafn-inspect: error: {many}{broken[0]}", file=sys.stderr)
                return 1
    except DataError as e:
        print(f"divafn-inspect: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:       # `... | head`
        return 0
    return 0


def _unreadable(s: dict) -> list:
    """The errors of the files a folder listing marked UNREADABLE (a truncated model.pt or HDF5 file, …)."""
    entries = s.get("entries", []) + [e for stage in s.get("stages", []) for e in stage["entries"]]
    return [e["error"] for e in entries if e.get("error")]
