"""A pair file's datasets: the class-folder tree, its media files, and the split of its videos.

The layout "tree" (the default of both sides): `<root>/<class folder>/…/<file>`, one folder per class, files at
any depth below it. A file is an item when its extension, in any case, is one of its side's media kinds
(`media_suffixes`: for images every format Pillow reads, for videos the containers PyAV reads). Hidden files and
folders (a name starting with ".") and every other file (Thumbs.db, notes.txt) are not items: the reader returns
them as `Listing.ignored`, which the manifest records, and they never reach a decoder as bad media.

The videos of a tree are split by `SplitRule`: the videos named by `test_list` are the test split, or
`test_fraction` of each class is drawn (`draw_split`). Videos of one group (`group`) stay on one side either way.
A layout the pipeline already reads ("stanford40", "ucf101", …) is read by its own reader, with its own splits.
"""
import hashlib
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from pipeline.data import layouts
from pipeline.data.pairs import Dataset, normalise
from pipeline.errors import DataError

TREE = "tree"
VIDEO_SUFFIXES = frozenset({".avi", ".mp4", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp",
                            ".ogv"})
# Pillow lists these, but they are no photos it can decode here: save-only (PDF, Palm), stubs that need a handler
# registered (BUFR, GRIB, HDF5, WMF/EMF outside Windows), PostScript (needs Ghostscript); MPEG is a video.
NOT_IMAGES = frozenset({".pdf", ".palm", ".bufr", ".grib", ".h5", ".hdf", ".wmf", ".emf", ".eps", ".ps"})


@lru_cache(maxsize=None)
def media_suffixes(side: str) -> frozenset:
    """The extensions (lower case, with the dot) of the files a tree's `side` ("images", "videos") uses."""
    if side == "videos":
        return VIDEO_SUFFIXES
    from PIL import Image
    return frozenset(Image.registered_extensions()) - NOT_IMAGES - VIDEO_SUFFIXES


def hidden(parts) -> bool:
    return any(part.startswith(".") for part in parts)


def read_tree(root: Path, wanted, suffixes) -> layouts.Listing:
    """Every media file below each wanted class's folder (matched after `normalise`), as "train" entries sorted by
    path; the other files below those folders, and the loose files beside them, as `ignored`."""
    out = layouts.Listing()
    folders = {}
    for p in sorted(root.iterdir(), key=Path.as_posix):
        if p.is_dir():
            folders.setdefault(normalise(p.name), p)
        else:
            out.ignored.append(p.name)
    for w in wanted:
        folder = folders.get(normalise(w))
        if folder is None:
            out.problems.append(f"class {w}: no folder {root / w} (or spelt with other case / separators)")
            continue
        for p in sorted(folder.rglob("*"), key=Path.as_posix):
            if not p.is_file():
                continue
            if p.suffix.lower() in suffixes and not hidden(p.relative_to(folder).parts):
                out.entries.append(layouts.Entry(p.relative_to(root).as_posix(), w, "train"))
            else:
                out.ignored.append(p.relative_to(root).as_posix())
    return out


@dataclass(frozen=True)
class SplitRule:
    """How a tree's videos are split into train and test: the test videos listed in a file, or drawn."""
    test_list: str = ""            # absolute path of the list ("": draw test_fraction of each class)
    test_fraction: float = 0.3
    group: str = ""                # a regex: its first (…) in a clip's path below its class folder names the
                                   # clip's group ("" or no match: the clip is a group of its own)
    seed: int = 0                  # of the drawn split


@dataclass(frozen=True)
class Source(Dataset):
    """One side of a pair file: a Dataset that knows its folder and reads itself (pipeline.data.manifest asks it)."""
    root: str = ""                 # absolute path of the folder the TOML's root names
    side: str = ""                 # "images" / "videos"
    pair_file: str = ""            # the TOML file, named in every refusal
    rule: SplitRule | None = None  # the videos of a tree only

    def read(self, root, split: int, wanted) -> layouts.Listing:
        """The side's entries, as pipeline.data.layouts' readers return them: a tree's, split by the rule; another
        layout's, by its reader. A class too small to use is refused in one line (DataError)."""
        self.check_split(split)
        root = Path(root)
        if self.kind != TREE:
            listing = layouts.READERS[self.kind](root, split, wanted)
        else:
            listing = read_tree(root, wanted, media_suffixes(self.side))
        if listing.problems:
            return listing                 # the manifest reports them, with any of the other side
        if self.side == "images":
            self._check_counts(listing, wanted, root)
        elif self.rule is not None:
            self._check_counts(listing, wanted, root)
            listing.entries = split_videos(listing, self.rule, root, self.pair_file)
        return listing

    def check_split(self, split: int) -> None:
        """The videos of a tree have one split, drawn by the rule: --split picks an official split of UCF101 or
        HMDB51 and cannot apply (refused rather than ignored)."""
        if self.side == "videos" and self.kind == TREE and split != 1:
            raise DataError(f"--split {split}: the videos of {self.pair_file} are class folders with one split "
                            f"([videos] test_list or test_fraction, seed); drop --split (or split in luigi.cfg).")

    def _check_counts(self, listing, wanted, root: Path) -> None:
        """At least 2 images of each class (or a video, before the split asks for more)."""
        least = 2 if self.side == "images" else 1
        for w in wanted:
            n = sum(e.cls == w for e in listing.entries)
            if n < least:
                others = [p for p in listing.ignored if normalise(p.split("/")[0]) == normalise(w) and "/" in p]
                also = f" ({len(others)} other file(s) there are not {self.side}, e.g. {others[0]!r})" if others else ""
                raise DataError(f"{self.pair_file}: {self.side[:-1]} class {w!r} has {n} {self.side[:-1]} file(s) "
                                f"under {root}{also}; a class needs at least {least}: add {self.side} to its folder, "
                                f"or leave the class out (map only the others in [classes]).")


def split_videos(listing, rule: SplitRule, root: Path, pair_file: str) -> list:
    """The listing's entries with their split set by `rule`; every class keeps a training and a test video, and
    no group has videos on both sides (else one line, DataError)."""
    entries = listing.entries
    group_of = _groups(entries, rule, pair_file)
    if rule.test_list:
        test = read_test_list(Path(rule.test_list), root, {e.path for e in entries}, set(listing.ignored), pair_file)
    else:
        test = draw_split(entries, group_of, rule.test_fraction, rule.seed, pair_file)
    out = [replace(e, split="test" if e.path in test else "train") for e in entries]
    kinds, sides = {}, {}                 # class → its splits; group → {split: a path there}
    for e in out:
        kinds.setdefault(e.cls, set()).add(e.split)
        if group_of[e.path][0] == "group":
            sides.setdefault(group_of[e.path][1], {}).setdefault(e.split, e.path)
    for cls, found in kinds.items():
        if found != {"train", "test"}:
            lacking = ({"train", "test"} - found).pop()
            raise DataError(f"{rule.test_list}: video class {cls!r} has no {lacking.replace('train', 'training')} "
                            f"video (the list names "
                            f"{'all' if lacking == 'train' else 'none'} of its {sum(e.cls == cls for e in out)}); "
                            f"list at least one of its videos and leave at least one out, or leave the class out.")
    for group, where in sides.items():
        if len(where) == 2:
            raise DataError(f"{rule.test_list}: group {group!r} ([videos] group in {pair_file}) is on both sides of "
                            f"the split ({where['test']!r} listed, {where['train']!r} not); list all of its videos "
                            f"or none.")
    return out


def _groups(entries, rule: SplitRule, pair_file: str) -> dict:
    """{entry path: ("group", name) for a clip whose path below its class folder matches `group`, else ("clip",
    path)}; a pattern that matches no clip at all is refused (a typo would silently split every group)."""
    pattern = re.compile(rule.group) if rule.group else None
    out = {}
    for e in entries:
        m = pattern.search(e.path.split("/", 1)[1]) if pattern else None
        out[e.path] = ("group", m.group(1)) if m and m.group(1) is not None else ("clip", e.path)
    if pattern and entries and all(kind == "clip" for kind, _ in out.values()):
        raise DataError(f"{pair_file}: [videos] group = {rule.group!r} matches no video's path below its class "
                        f"folder (e.g. {entries[0].path.split('/', 1)[1]!r}); fix the pattern (its first (…) names "
                        f"a clip's group) or remove the key.")
    return out


def draw_split(entries, group_of: dict, fraction: float, seed: int, pair_file: str) -> set:
    """The paths of the test videos. A class of n videos aims at ⌊fraction·n + ½⌋ test videos (at least 1, at most
    n − 1). The groups (without `group`, each clip is one) are ranked by sha256(seed, group), the same on every
    machine, and go to the test split in that order while no class of theirs passes its aim; then a class left
    without a test video takes its first group that leaves every class a training video. A group is on one side
    only, across the classes too (as UCF101's splits keep a group number on one side in every class)."""
    members, size = {}, {}
    for e in sorted(entries, key=lambda e: e.path):
        members.setdefault(group_of[e.path], {}).setdefault(e.cls, []).append(e.path)
        size[e.cls] = size.get(e.cls, 0) + 1
    for cls in sorted(size):
        groups = [g for g in members if cls in members[g]]
        if len(groups) < 2:
            what = f"1 group ({size[cls]} video(s))" if groups[0][0] == "group" else "1 video"
            raise DataError(f"{pair_file}: video class {cls!r} has {what}; a class needs at least 2 (one to train on, "
                            f"one to test on): add videos to its folder, or leave the class out (map only the others "
                            f"in [classes]).")
    aim = {cls: min(n - 1, max(1, math.floor(fraction * n + 0.5))) for cls, n in size.items()}
    ranked = sorted(members, key=lambda g: hashlib.sha256("\0".join([str(seed), *g]).encode()).hexdigest())
    taken, in_test = [], dict.fromkeys(size, 0)

    def fits(g, most) -> bool:
        return all(in_test[cls] + len(paths) <= most[cls] for cls, paths in members[g].items())

    def take(g) -> None:
        taken.append(g)
        for cls, paths in members[g].items():
            in_test[cls] += len(paths)

    for g in ranked:
        if fits(g, aim):
            take(g)
    for cls in sorted(size):
        if in_test[cls] == 0:
            g = next((g for g in ranked if cls in members[g] and g not in taken
                      and fits(g, {c: n - 1 for c, n in size.items()})), None)
            if g is None:
                raise DataError(f"{pair_file}: video class {cls!r}: each of its groups ([videos] group) holds the "
                                f"last training videos of a class; add videos of other groups, or remove group.")
            take(g)
    return {p for g in taken for paths in members[g].values() for p in paths}


def read_test_list(path: Path, root: Path, videos: set, ignored: set, pair_file: str) -> set:
    """The video paths (relative to `root`) a test list names, one a line (blank lines and "# …" skipped). A line
    that leaves root, names no file, or names a file that is not a video is refused naming the line; a video of a
    class the pair does not use is skipped (as the built-in split lists name classes no pair uses)."""
    fix = f"fix or remove the line ([videos] test_list in {pair_file}; paths are relative to {root})"
    test = set()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:            # a list saved in a legacy code page: its paths are still ASCII mostly
        text = path.read_text(encoding="latin-1")
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        rel = layouts.inside(line)
        if rel is None:
            raise DataError(f"{path}: line {n} ({line!r}) names a path outside the videos root {root}; {fix}.")
        if not (root / rel).is_file():
            raise DataError(f"{path}: line {n} names {rel!r}, which is not a file under {root}; {fix}.")
        if rel in ignored:
            raise DataError(f"{path}: line {n} names {rel!r}, which is not a video the pipeline reads "
                            f"({', '.join(sorted(VIDEO_SUFFIXES))}); {fix}.")
        if rel in videos:
            test.add(rel)
    return test
