"""Readers of the datasets' official folder layouts (DESIGN §4), as their publishers ship them.

Each reader takes the dataset's own root folder and returns `Entry`s: a path relative to that root,
the dataset's class name, and the split ("train"/"test"). Split lists are read with `splitlines()`,
which treats the CRLF line ends of the UCF101 lists like LF.
"""
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import DataError


@dataclass(frozen=True)
class Entry:
    path: str        # relative to the dataset root, "/"-separated
    cls: str         # the dataset's own class name
    split: str       # "train" or "test"


def _lines(path: Path, source: str):
    if not path.is_file():
        raise DataError(f"{path}: split file missing; the dataset layout is incomplete. Get it from {source}.")
    return [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines() if ln.strip()]


def _inside(root: Path, rel: str, listed_in: Path) -> str:
    """A split-list path, checked to stay inside the dataset root (no `..`, no absolute paths)."""
    p = PurePosixPath(rel.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts:
        raise DataError(f"{listed_in}: entry {rel!r} points outside the dataset root {root}; "
                        f"fix or re-download the split file.")
    return str(p)


def read_ucf101(root: Path, split: int = 1, source: str = "") -> list:
    """UCF101: `UCF-101/<Class>/v_<Class>_gGG_cCC.avi`, `ucfTrainTestlist/{classInd,trainlistNN,testlistNN}.txt`."""
    lists = root / "ucfTrainTestlist"
    classes = dict(ln.split() for ln in _lines(lists / "classInd.txt", source))  # "1 ApplyEyeMakeup"
    out = []
    for name, kind in ((f"trainlist{split:02d}.txt", "train"), (f"testlist{split:02d}.txt", "test")):
        listed_in = lists / name
        for ln in _lines(listed_in, source):
            rel = ln.split()[0]                       # trainlist lines end in the class index; testlist lines don't
            cls = PurePosixPath(rel).parts[0]
            if cls not in classes.values():
                raise DataError(f"{listed_in}: class {cls!r} of {rel!r} is not in classInd.txt; "
                                f"the split files do not belong together. Re-download them from {source}.")
            out.append(Entry("UCF-101/" + _inside(root, rel, listed_in), cls, kind))
    return out


def read_stanford40(root: Path, source: str = "") -> list:
    """Stanford40: `JPEGImages/<action>_NNN.jpg`, `ImageSplits/actions.txt` and `<action>_{train,test}.txt`."""
    splits = root / "ImageSplits"
    actions = [ln.split()[0] for ln in _lines(splits / "actions.txt", source)[1:]]  # header: "action_name number_of_images"
    out = []
    for action in actions:
        for kind in ("train", "test"):
            listed_in = splits / f"{action}_{kind}.txt"
            out += [Entry("JPEGImages/" + _inside(root, ln, listed_in), action, kind) for ln in _lines(listed_in, source)]
    return out


READERS = {"ucf101": read_ucf101, "stanford40": read_stanford40}
