"""Look inside any artifact of a run: what it holds, who made it, per-class counts, values.

    python -m pipeline.inspect PATH                      # readable summary
    python -m pipeline.inspect PATH --json               # the same, as JSON for machines
    python -m pipeline.inspect PATH --dataset F --head 5 # the first 5 rows of one dataset
    divafn-inspect PATH ...                              # the same command, installed by `pip install -e .`

PATH is any artifact (an HDF5 file written by pipeline.io.h5io, manifest.json, model.pt, results.json,
metrics.json, report.md, a PNG), a stage folder `artifacts/<pair>/<Task>-<hash>/` (its files and the
task that made each; for a RunExperiment folder also every upstream artifact of the run), or a pair
folder `artifacts/<pair>/` (every stage folder in it). The schema of each artifact is documented in
artifacts/README.md; `MEANINGS` below is the same table, in code.

A file that cannot be read (truncated by a killed run, not an artifact) gives one line on stderr naming
the file and the fix, and exit status 1; in a folder listing it is marked UNREADABLE (model.pt by its zip index,
without reading its arrays), and the listing exits 1 with the same line. No luigi here: this works without the
pipeline's scheduler.
"""
from pipeline.inspect.cli import main
from pipeline.inspect.summary import dataset_values, summarize
from pipeline.inspect.text import format_summary

__all__ = ["main", "summarize", "dataset_values", "format_summary"]
