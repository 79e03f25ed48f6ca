"""A pair file's class table: the class folders of both sides, matched by name or by its [classes] table.

Without [classes], an image class folder is the video class folder of the same name after `normalise`; the pair
uses the classes found on both sides, and `match` returns one line naming those found on one side only (the
caller logs it). When no name matches at all, the refusal proposes a [classes] block to paste: each image class
paired with a video class by the similarity of their names' embeddings (pipeline.method.embeddings: GloVe, or the
hashed n-grams where GloVe is not installed or knows none of a name's words), one to one.
"""
import difflib
import json
from pathlib import Path

import numpy as np

from pipeline.data import layouts
from pipeline.data.pairs import normalise
from pipeline.errors import DataError

NOT_CLASSES = ("__MACOSX",)          # the resource forks a macOS zip leaves beside the folders


def class_folders(pair_file, side: str, kind: str, root: Path, exclude=()) -> list:
    """The classes of one side as its folders (a tree) or its class list (another layout) spell them; two
    spellings of one class are refused."""
    if kind == "tree":
        names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                       and p.name not in NOT_CLASSES and p.name not in exclude)
    else:
        try:
            names = layouts.class_names(kind, root)
        except FileNotFoundError as e:
            raise DataError(f"{pair_file}: [{side}] layout = {kind!r}, but {e} is missing (its class list); point "
                            f"[{side}] root at a {kind} folder, or remove layout (one folder per class).") from None
    seen = {}
    for n in names:
        if normalise(n) in seen:
            raise DataError(f"{pair_file}: [{side}] root {root} has folders {seen[normalise(n)]!r} and {n!r}, one "
                            f"class after normalising case and separators; merge or rename them.")
        seen[normalise(n)] = n
    return names


def match(pair_file, images: list, videos: list, table, roots: dict) -> tuple:
    """({image class: video class} in label order, a one-line warning or ""): by `table` ([classes]) when given,
    else by name. Refused in one line: a table entry naming a folder that is not there, a table that is not one
    to one, fewer than 2 classes; no name in common (with a [classes] block to paste)."""
    on_disk = {"images": {normalise(n): n for n in images}, "videos": {normalise(n): n for n in videos}}
    if table is None:
        common = [v for v in videos if normalise(v) in on_disk["images"]]
        if not common:
            raise DataError(no_match(pair_file, images, videos, roots))
        class_map = {on_disk["images"][normalise(v)]: v for v in common}
        left = "without a folder on the other side"
    else:
        class_map = {}
        for img, vid in table.items():
            key = f"[classes] {json.dumps(img, ensure_ascii=False)} = {json.dumps(vid, ensure_ascii=False)}"
            for side, name in (("images", img), ("videos", vid)):
                if normalise(name) not in on_disk[side]:
                    close = difflib.get_close_matches(name, list(on_disk[side].values()), n=1)
                    hint = f"did you mean {close[0]!r}? " if close else ""
                    raise DataError(f"{pair_file}: {key}: {roots[side]} has no {side[:-1]} class folder "
                                    f"{name!r}; {hint}fix the entry (the {side[:-1]} classes there: "
                                    f"{_names(on_disk[side].values())}).")
            if on_disk["images"][normalise(img)] in class_map:
                raise DataError(f"{pair_file}: {key}: the image class {img!r} is mapped twice (after normalising "
                                f"case and separators); keep one entry.")
            if on_disk["videos"][normalise(vid)] in class_map.values():
                raise DataError(f"{pair_file}: {key}: the video class {vid!r} is mapped from two image classes; "
                                f"map one image folder to it (merge the two folders if they are one class).")
            class_map[on_disk["images"][normalise(img)]] = on_disk["videos"][normalise(vid)]
        left = "not in [classes]"
    if len(class_map) < 2:
        raise DataError(f"{pair_file}: the pair has {len(class_map)} class ({_names(class_map.values())}) on both "
                        f"sides; it needs at least 2: add class folders, or map more of them in [classes].")
    unused = {"image": [n for n in images if n not in class_map],
              "video": [n for n in videos if n not in class_map.values()]}
    parts = [f"{side} classes {left}: {_names(names)}" for side, names in unused.items() if names]
    warning = f"{pair_file}: left out, " + "; ".join(parts) + "." if parts else ""
    return class_map, warning


def _names(names) -> str:
    return ", ".join(repr(n) for n in names) or "none"


def no_match(pair_file, images: list, videos: list, roots: dict) -> str:
    """The refusal when no image class has a video class's name: a head line, then the [classes] block to paste."""
    if not images or not videos:
        empty = "images" if not images else "videos"
        return (f"{pair_file}: [{empty}] root {roots[empty]} has no class folders; put one folder per class there, "
                f"or point root at the folder that holds them.")
    head = (f"{pair_file}: no image class folder of {roots['images']} has the name of a video class folder of "
            f"{roots['videos']} (after normalising case and separators); add a [classes] table mapping each image "
            f"class to its video class")
    pairs, description = suggest(images, videos)
    block = "\n".join(["[classes]"] + [f"{json.dumps(i, ensure_ascii=False)} = {json.dumps(v, ensure_ascii=False)}"
                                       if v else f"# {json.dumps(i, ensure_ascii=False)} = ?   (no video class left)"
                                       for i, v in pairs])
    return f"{head}; likely, by the similarity of the names ({description}):\n{block}"


def suggest(images: list, videos: list) -> tuple:
    """([(image class, its video class or None)], which embedding): the one-to-one pairing of the classes with the
    largest total cosine similarity of their names' embeddings (an image class is left without one when the video
    classes are fewer)."""
    from scipy.optimize import linear_sum_assignment

    from pipeline.method import embeddings
    names = list(dict.fromkeys(images + videos))
    try:
        S, info = embeddings.embed(names, "glove")
    except DataError:                    # GloVe knows none of some name's words ("c01"): spelling still helps
        S, info = embeddings.embed(names, "hashed_ngrams")
    row = {n: i for i, n in enumerate(names)}
    sim = S[[row[n] for n in images]] @ S[[row[n] for n in videos]].T
    rows, cols = linear_sum_assignment(-np.asarray(sim, np.float64))
    partner = {images[r]: videos[c] for r, c in zip(rows, cols)}
    return [(i, partner.get(i)) for i in images], info["provider"]
