"""The manifest: every item of a pair (path, class, split, modality), the one input of every later stage.

Items are ordered (images, then videos, each sorted by id) and their order is the row order of every
HDF5 artifact, so artifacts join by position and carry the ids to check it.
"""
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.data import layouts
from pipeline.data.pairs import Pair
from pipeline.errors import DataError


@dataclass(frozen=True)
class Item:
    id: str          # unique within its modality: the path relative to the dataset root
    path: str        # absolute path of the file
    label: int       # index into Manifest.classes
    split: str       # "train" / "test"


@dataclass
class Manifest:
    pair: str
    classes: list        # the pair's classes (video-dataset names), label order
    images: list         # [Item]
    videos: list         # [Item]
    ignored: dict = field(default_factory=dict)   # {side: [path]}: files of a pair file's tree that are not items

    def to_json(self, path) -> None:
        d = asdict(self)
        if not d["ignored"]:                  # a built-in pair's manifest.json stays as it was
            del d["ignored"]
        Path(path).write_text(json.dumps(d, indent=1))

    @classmethod
    def from_json(cls, path) -> "Manifest":
        d = json.loads(Path(path).read_text())
        return cls(d["pair"], d["classes"], [Item(**i) for i in d["images"]], [Item(**i) for i in d["videos"]],
                   d.get("ignored", {}))

    def videos_in(self, split: str) -> list:
        return [v for v in self.videos if v.split == split]

    def shard(self, index: int, count: int) -> list:
        """Videos of shard `index` of `count`: a contiguous run, so shards concatenate in manifest order."""
        lo, hi = shard_bounds(len(self.videos), index, count)
        return self.videos[lo:hi]


def shard_bounds(n: int, index: int, count: int) -> tuple:
    """(first, end) of shard `index` of `count` over n items: contiguous runs that concatenate in order."""
    return index * n // count, (index + 1) * n // count


def dataset_roots(pair: Pair, data_root, overrides=None) -> dict:
    """{"images": Path, "videos": Path}: `<data_root>/<usual folder>`, unless `overrides` (keyed by the
    dataset's folder name, case-insensitive: luigi.cfg's [datasets]) names another folder."""
    overrides = {k.lower(): v for k, v in (overrides or {}).items() if v}
    return {side: Path(getattr(ds, "root", "") or overrides.get(ds.folder.lower()) or Path(data_root) / ds.folder)
            for side, ds in (("images", pair.images), ("videos", pair.videos))}


def build(pair: Pair, data_root, split: int = 1, overrides=None) -> Manifest:
    """Read both datasets of `pair` in their official layouts and keep the classes in the pair's table.

    Everything is checked before any work, and every problem is reported, one sentence each, in one
    DataError: a dataset folder or split list missing, a mapped class absent from a dataset, a split
    list naming a path outside the dataset folder or a file that does not exist, a mapped class with no
    images, or no training or no test videos. `overrides`: see `dataset_roots`.
    """
    if split not in (1, 2, 3):
        raise DataError(f"pair {pair.name}: split {split} does not exist; use --split 1, 2 or 3.")
    roots = dataset_roots(pair, data_root, overrides)
    if not Path(data_root).is_dir() and not all(r.is_dir() for r in roots.values()):
        raise DataError(f"pair {pair.name}: data root {data_root} does not exist. Put the {pair.images.folder} and "
                        f"{pair.videos.folder} datasets under it, or pass --data-root / set [paths] data_root in "
                        f"luigi.cfg.")
    classes = pair.classes
    wanted = {"images": list(pair.class_map), "videos": classes}
    datasets = {"images": pair.images, "videos": pair.videos}
    problems, found, ignored = [], {}, {}
    for side, ds in datasets.items():
        if not roots[side].is_dir():
            problems.append(f"{ds.folder} (the {side} of {pair.name}) is not at {roots[side]}. Get it from "
                            f"{ds.source}, put it there or point --data-root (its parent) or [datasets] "
                            f"{ds.folder.lower()} in luigi.cfg at it")
            continue
        found[side], side_problems, ignored[side] = _read_side(ds, roots[side], split, wanted[side], side)
        problems += [f"{ds.folder}: {p}. {ds.folder} comes from {ds.source}." for p in side_problems]
    if problems:
        head = f"pair {pair.name}, data root {data_root}: "
        raise DataError(head + problems[0] if len(problems) == 1 else
                        head + f"{len(problems)} problems with the data:\n" + "\n".join(f"  - {p}" for p in problems))

    label_of = {"images": {w: classes.index(pair.class_map[w]) for w in wanted["images"]},
                "videos": {c: i for i, c in enumerate(classes)}}
    items = {side: sorted((Item(e.path, str((roots[side] / e.path).absolute()), label_of[side][e.cls], e.split)
                           for e in found[side]), key=lambda it: it.id) for side in datasets}
    return Manifest(pair.name, classes, items["images"], items["videos"], {s: v for s, v in ignored.items() if v})


def _read_side(ds, root: Path, split: int, wanted: list, side: str):
    """(entries whose file exists, problems, ignored files) of one dataset: its reader's problems, then per class
    the files its lists name that do not exist, then the classes left without items (videos: per split)."""
    listing = _reader(ds)(root, split, wanted)
    problems = list(listing.problems)
    entries, missing, ids = [], {}, set()
    for e in listing.entries:
        if e.path in ids:
            continue                          # listed twice: the first listing wins
        ids.add(e.path)
        if (root / e.path).is_file():
            entries.append(e)
        else:
            missing.setdefault((e.cls, e.listed_in), []).append(str(root / e.path))
    for (cls, listed_in), paths in missing.items():
        where = f"{listed_in} names {len(paths)} file(s)" if listed_in else f"{len(paths)} file(s)"
        problems.append(f"class {cls}: {where} that do not exist, e.g. {paths[0]}; the dataset is incomplete, "
                        f"re-extract it")
    if listing.lists_missing:                 # items of some classes are unknown, not known to be absent
        return entries, problems, listing.ignored
    reported = {p.split(":")[0] for p in problems}
    have = {(e.cls, e.split) for e in entries} | {(e.cls, "") for e in entries}
    for cls in wanted:
        for kind in (("train", "test") if side == "videos" else ("",)):
            if (cls, kind) not in have and f"class {cls}" not in reported:
                problems.append(f"class {cls}: no {kind + ' ' if kind else ''}{side} found under {root}")
    return entries, problems, listing.ignored


def _reader(ds):
    """A pair file's dataset (pipeline.data.custom.Source) reads itself (its tree, its split rule); a built-in
    pair's dataset is read by its layout's reader."""
    return getattr(ds, "read", None) or layouts.READERS[ds.kind]
