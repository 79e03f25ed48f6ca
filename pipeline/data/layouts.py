"""Readers of the datasets' official folder layouts (DESIGN §4), as their publishers ship them.

Every reader has one signature, `read(root, split, wanted) -> Listing`:
  root    the dataset's own folder (e.g. `<data root>/UCF101`);
  split   the official split, 1..3 (UCF101, HMDB51; the image sets have one split);
  wanted  the pair's class names on this side (its class table); other classes are skipped unread.
It returns `Entry`s (a path relative to `root`, the *wanted* class name it belongs to, "train"/"test")
and the problems it found, one sentence each naming the path that was looked at and what is missing.
Names on disk are matched to the wanted names after `pairs.normalise` (case, separators). Split lists
are read with `splitlines()`, which treats the CRLF line ends of the UCF101 lists like LF, and every
path they name is normalised and must stay inside `root`. Whether the named files exist is checked by
the caller (pipeline.data.manifest), for all readers at once.
"""
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipeline.data.pairs import normalise

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


@dataclass(frozen=True)
class Entry:
    path: str        # relative to the dataset root, "/"-separated, normalised
    cls: str         # the wanted (class-table) name
    split: str       # "train" or "test"
    listed_in: str = ""   # the split list that names it ("" for class folders)


@dataclass
class Listing:
    entries: list = field(default_factory=list)     # [Entry]
    problems: list = field(default_factory=list)    # [str], one per problem
    lists_missing: bool = False                      # a split list is missing: items are unknown, not absent
    ignored: list = field(default_factory=list)     # [str] files under root that are not items (a pair file's tree)


def _lines(path: Path, listing: Listing, what: str):
    """The non-empty lines of a text file, or None (and a problem) when it is missing or unreadable."""
    if not path.is_file():
        listing.problems.append(f"{path} is missing ({what})")
        listing.lists_missing = True
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def inside(rel: str):
    """A split-list path normalised ("a/./b" → "a/b"), or None when it leaves the root (`..`, absolute)."""
    rel = rel.replace("\\", "/")
    norm = PurePosixPath(posixpath.normpath(rel)) if rel else None
    if norm is None or rel.startswith("/") or re.match(r"^[A-Za-z]:", rel) or norm.parts[:1] == ("..",) \
            or str(norm) == ".":
        return None
    return str(norm)


def _escape(listing: Listing, listed_in: Path, rel: str, base: Path) -> None:
    listing.problems.append(f"{listed_in} names {rel!r}, a path that leaves {base}; "
                            f"fix the line or re-download the split files")


def _match(found, wanted) -> dict:
    """{wanted name: the name found on disk} for the wanted names that are found (after normalising)."""
    by_key = {}
    for name in found:
        by_key.setdefault(normalise(name), name)
    return {w: by_key[normalise(w)] for w in wanted if normalise(w) in by_key}


def read_ucf101(root: Path, split: int, wanted) -> Listing:
    """UCF101: `UCF-101/<Class>/v_<Class>_gGG_cCC.avi`, `ucfTrainTestlist/{classInd,trainlistNN,testlistNN}.txt`.

    classInd lines: "1 ApplyEyeMakeup"; trainlist lines: "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1";
    testlist lines: "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi". Paths are relative to `UCF-101/`.
    """
    out = Listing()
    lists = root / "ucfTrainTestlist"
    class_ind = _lines(lists / "classInd.txt", out, "UCF101's class list, from the train/test splits archive")
    if class_ind is None:
        return out
    names = _match([ln.split()[-1] for ln in class_ind], wanted)
    for w in wanted:
        if w not in names:
            out.problems.append(f"class {w}: {lists / 'classInd.txt'} does not list it")
    for filename, kind in ((f"trainlist{split:02d}.txt", "train"), (f"testlist{split:02d}.txt", "test")):
        listed_in = lists / filename
        lines = _lines(listed_in, out, f"split {split}'s {kind} list, from the train/test splits archive")
        if lines is None:
            continue
        key_to_wanted = {normalise(v): w for w, v in names.items()}
        seen = set()
        for ln in lines:
            rel = ln.split()[0]
            norm = inside(rel)
            if norm is None:                  # checked for every line, whichever class it names
                _escape(out, listed_in, rel, root / "UCF-101")
                continue
            cls = key_to_wanted.get(normalise(norm.split("/")[0]))
            if cls is None:
                continue                      # a class the pair does not use
            out.entries.append(Entry("UCF-101/" + norm, cls, kind, str(listed_in)))
            seen.add(cls)
        for w in names:
            if w not in seen:
                out.problems.append(f"class {w}: {listed_in} names no video of it")
    return out


HMDB_SPLIT_FILE = re.compile(r"^(?P<cls>.+)_test_split(?P<split>\d+)\.txt$")


def read_hmdb51(root: Path, split: int, wanted) -> Listing:
    """HMDB51: `<class>/<name>.avi`; `testTrainMulti_7030_splits/<class>_test_split<N>.txt`, lines "<name>.avi F".

    F: 1 train, 2 test, 0 not used in this split.
    """
    out = Listing()
    lists = root / "testTrainMulti_7030_splits"
    if not lists.is_dir():
        out.problems.append(f"{lists} is missing (the split lists, from test_train_splits.rar)")
        out.lists_missing = True
        return out
    files = {}
    for p in lists.iterdir():
        m = HMDB_SPLIT_FILE.match(p.name)
        if m and int(m["split"]) == split:
            files[m["cls"]] = p
    names = _match(files, wanted)
    for w in wanted:
        if w not in names:
            out.problems.append(f"class {w}: {lists / f'{w}_test_split{split}.txt'} is missing (its split list)")
            out.lists_missing = True
            continue
        listed_in, folder = files[names[w]], names[w]
        kinds = set()
        for ln in _lines(listed_in, out, "a split list") or []:
            parts = ln.rsplit(None, 1)
            if len(parts) != 2 or parts[1] not in ("0", "1", "2"):
                out.problems.append(f"{listed_in}: line {ln!r} is not '<name>.avi 0|1|2'; re-download the split lists")
                continue
            if parts[1] == "0":
                continue
            norm = inside(f"{folder}/{parts[0]}")
            if norm is None:
                _escape(out, listed_in, parts[0], root)
                continue
            kind = "train" if parts[1] == "1" else "test"
            out.entries.append(Entry(norm, w, kind, str(listed_in)))
            kinds.add(kind)
        for kind in ("train", "test"):
            if kind not in kinds:
                out.problems.append(f"class {w}: {listed_in} marks no video for {kind} "
                                    f"(flag {'1' if kind == 'train' else '2'})")
    return out


def read_stanford40(root: Path, split: int, wanted) -> Listing:
    """Stanford40: `JPEGImages/<action>_NNN.jpg`, `ImageSplits/actions.txt` and `<action>_{train,test}.txt`.

    actions.txt has a header line ("action_name number_of_images"); the split files list file names
    relative to `JPEGImages/`. Stanford40 has one split; `split` is ignored.
    """
    out = Listing()
    splits = root / "ImageSplits"
    actions = _lines(splits / "actions.txt", out, "Stanford40's action list, from its ImageSplits archive")
    if actions is None:
        return out
    names = _match([ln.split()[0] for ln in actions[1:]], wanted)
    for w in wanted:
        if w not in names:
            out.problems.append(f"class {w}: {splits / 'actions.txt'} does not list it")
            continue
        for kind in ("train", "test"):
            listed_in = splits / f"{names[w]}_{kind}.txt"
            for ln in _lines(listed_in, out, f"the {kind} list of {names[w]}") or []:
                norm = inside(ln.split()[0])
                if norm is None:
                    _escape(out, listed_in, ln, root / "JPEGImages")
                    continue
                out.entries.append(Entry("JPEGImages/" + norm, w, kind, str(listed_in)))
    return out


def read_imagefolder(root: Path, split: int, wanted) -> Listing:
    """One folder per class of image files (any depth below it), as BU101, ASD and EAD ship.

    A single wrapper folder around the class folders (as some archives extract) is stepped into. The
    set has no official split: every image is a labelled source item ("train").
    """
    out = Listing()
    base = root
    while True:
        folders = sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
        names = _match(folders, wanted)
        if names or len(folders) != 1:
            break
        base = base / folders[0]              # an archive's wrapper folder (e.g. BU101/images/<class>/)
    for w in wanted:
        if w not in names:
            out.problems.append(f"class {w}: no folder {base / w} (or spelt with other case / separators)")
            continue
        folder = base / names[w]
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(folder).parts))
        if not files:
            out.problems.append(f"class {w}: {folder} holds no image files ({', '.join(sorted(IMAGE_SUFFIXES))})")
        out.entries += [Entry(p.relative_to(root).as_posix(), w, "train") for p in files]
    return out


READERS = {"ucf101": read_ucf101, "hmdb51": read_hmdb51, "stanford40": read_stanford40, "imagefolder": read_imagefolder}


def class_names(kind: str, root: Path) -> list:
    """Every class a dataset in layout `kind` has, spelt as its class list or folders spell it (a pair file
    without a [classes] table matches them: pipeline.data.custom). FileNotFoundError names a missing class list."""
    class_list = {"ucf101": root / "ucfTrainTestlist" / "classInd.txt",
                  "stanford40": root / "ImageSplits" / "actions.txt"}
    if kind in class_list:
        lines = _lines(class_list[kind], Listing(), "")
        if lines is None:
            raise FileNotFoundError(str(class_list[kind]))
        return [ln.split()[-1] for ln in lines] if kind == "ucf101" else [ln.split()[0] for ln in lines[1:]]
    if kind == "hmdb51":
        lists = root / "testTrainMulti_7030_splits"
        if not lists.is_dir():
            raise FileNotFoundError(str(lists))
        return sorted({m["cls"] for p in lists.iterdir() if (m := HMDB_SPLIT_FILE.match(p.name))})
    base = root                               # imagefolder: steps into a wrapper folder as read_imagefolder does
    while True:
        folders = sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
        if len(folders) != 1 or not any(p.is_dir() for p in (base / folders[0]).iterdir()):
            return folders
        base = base / folders[0]
