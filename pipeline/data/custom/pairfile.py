"""Reading a pair file (TOML, read by `tomllib`): every key checked where it comes in, one line per refusal.

Each refusal is a DataError whose first line names the file, the key and the fix (a syntax error: the line and
column tomllib reports). Keys, types and defaults: pipeline/data/custom/__init__.py.
"""
import difflib
import hashlib
import json
import os
import re
import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.data.custom import classes
from pipeline.data.custom.tree import TREE, SplitRule, Source
from pipeline.data.pairs import PAIRS, Pair, get_pair
from pipeline.errors import DataError

KEYS = {"": ("name", "images", "videos", "classes"), "images": ("root", "layout"),
        "videos": ("root", "layout", "test_list", "test_fraction", "group", "seed")}
LAYOUTS = {"images": (TREE, "stanford40", "imagefolder"), "videos": (TREE, "ucf101", "hmdb51")}
SPLIT_KEYS = ("test_list", "test_fraction", "group", "seed")
DEFAULT_TEST_FRACTION = 0.3
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
EXAMPLES = {"name": 'name = "Kitchen"', "images.root": 'root = "/data/kitchen_photos"',
            "videos.root": 'root = "/data/kitchen_clips"', "layout": 'layout = "tree"',
            "test_list": 'test_list = "splits/test.txt"', "test_fraction": "test_fraction = 0.3",
            "group": 'group = "_g(\\\\d+)_"', "seed": "seed = 0", "images": '[images] with root = "…"',
            "videos": '[videos] with root = "…"', "classes": '[classes] with "image folder" = "VideoFolder" lines'}


@dataclass(frozen=True)
class PairFile(Pair):
    """A pair described by a TOML file: `images` and `videos` are `Source`s (they know their folders and read
    themselves), `class_map` was matched on disk when the file was loaded."""
    path: str = ""                 # the TOML file, absolute
    warning: str = ""              # one line for the log: classes found on one side only (left out), or ""


def is_pair_file(value) -> bool:
    """Whether a --pair value names a pair file (…/name.toml) rather than a built-in pair."""
    return str(value).lower().endswith(".toml")


def plain_name(name: str) -> bool:
    """Whether `name` can be a pair file's `name`: a folder name of letters, digits, _ - . (not …toml)."""
    return bool(NAME.fullmatch(name)) and not name.lower().endswith(".toml")


def other_pair_sections(names, running: str = "") -> tuple:
    """Of luigi.cfg's [pair:<name>] names, those taken for the sections of pair files other than the one run
    (`running`: its name, "" for a built-in pair), which are known only when that file is run: plain names not
    close to a built-in pair's (a misspelling of one is refused) nor, while the pair file run has no section of
    its own, to its name (a misspelling of that)."""
    typos_of = list(PAIRS) + ([running] if running and running not in names else [])
    return tuple(n for n in names if n not in PAIRS and n != running and plain_name(n)
                 and not difflib.get_close_matches(n, typos_of, n=1))


def pair_digest(pair: PairFile) -> str:
    """sha256 (hex) of what a pair file describes, for BuildManifest's digest: its name, each side's layout and
    folder (absolute), the videos' split rule with the test list's content, and the class table as matched on disk.
    Not the file's path, modification time, comments or layout of its text: a copy elsewhere whose roots reach the
    same folders is the same pair; an edited key, or a class folder added on both sides (no [classes]), is not.
    A key added to the format must be added here."""
    sides = {}
    for side, source in (("images", pair.images), ("videos", pair.videos)):
        rule = asdict(source.rule) if source.rule is not None else None
        if rule and rule["test_list"]:
            rule["test_list_sha256"] = _file_sha256(Path(rule["test_list"]), pair.path, "[videos] test_list")
        sides[side] = dict(layout=source.kind, root=source.root, rule=rule)
    key = json.dumps(dict(name=pair.name, classes=list(pair.class_map.items()), **sides), sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()


def _file_sha256(path: Path, pair_file, what: str) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        raise DataError(f"{pair_file}: {what}: cannot read {path} ({e.strerror}); restore it or fix the key.") from None


def pair_of(value) -> Pair:
    """The pair a --pair value names: a built-in pair (pairs.get_pair), or the one a pair file describes, loaded
    once per process and file content (tasks ask for it at every instantiation)."""
    if not is_pair_file(value):
        return get_pair(value)
    path = Path(os.path.normpath(Path(value).expanduser().absolute()))
    try:
        content = path.read_bytes()
    except OSError:
        return load_pair_file(path)           # its one line: the file cannot be read
    return _loaded(str(path), content)


@lru_cache(maxsize=16)
def _loaded(path: str, content: bytes) -> PairFile:   # content: a changed file is loaded again
    return load_pair_file(path)


def pair_name(value) -> str:
    """The name of the pair a --pair value names: the value itself, or a pair file's `name` (artifacts/<name>/)."""
    return pair_of(value).name if is_pair_file(value) else str(value)


def load_pair_file(path) -> PairFile:
    """The pair a TOML file describes, checked: keys, types, folders, the class table (see the package doc)."""
    path = Path(os.path.normpath(Path(path).expanduser().absolute()))      # "a/../b.toml" is b.toml (links kept)
    doc = _read(path)
    _check_keys(path, doc, "")
    tables = {side: _typed(path, doc, "", side, dict, required=True) for side in ("images", "videos")}
    for side, t in tables.items():
        _check_keys(path, t, side)
    name = _typed(path, doc, "", "name", str, required=True)
    if not plain_name(name):
        raise DataError(f"{path}: name = {json.dumps(name, ensure_ascii=False)} is not a plain folder name (it "
                        f"names artifacts/<name>/); use up to 64 letters A-Z, digits, '_', '-', '.', e.g. "
                        f"{EXAMPLES['name']}.")
    if name.lower() in {p.lower() for p in PAIRS}:
        raise DataError(f"{path}: name = \"{name}\" is a built-in pair's name; choose another (the built-in pairs: "
                        f"{', '.join(PAIRS)}).")
    table = _typed(path, doc, "", "classes", dict)
    sources = {side: _source(path, side, t) for side, t in tables.items()}
    if table is not None:
        for img, vid in table.items():
            if not isinstance(vid, str):
                raise DataError(f"{path}: [classes] {json.dumps(img, ensure_ascii=False)} = {_toml(vid)} is "
                                f"{_kind(vid)}; write the video class folder as a string, e.g. "
                                f"{json.dumps(img, ensure_ascii=False)} = \"VideoFolder\".")
    roots = {side: Path(s.root) for side, s in sources.items()}
    found = {side: classes.class_folders(path, side, s.kind, roots[side], _list_folder(s))
             for side, s in sources.items()}
    class_map, warning = classes.match(path, found["images"], found["videos"], table, roots)
    return PairFile(name, sources["images"], sources["videos"], class_map, str(path), warning)


def _list_folder(source: Source) -> tuple:
    """(the folder directly under root that holds the test list,) — it is no class (splits/test.txt) — or ()."""
    if source.rule is None or not source.rule.test_list or not Path(source.rule.test_list).is_relative_to(source.root):
        return ()
    parts = Path(source.rule.test_list).relative_to(source.root).parts
    return parts[:1] if len(parts) > 1 else ()


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise DataError(f"{path}: cannot read the pair file ({e.strerror}); give the path of a .toml file "
                        f"(a relative path is relative to the current folder).") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: the pair file is not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as e:
        raise DataError(f"{path}: not valid TOML: {e}; fix that line (strings in double quotes, a backslash "
                        f"in a string written \\\\, tables as [images]; see https://toml.io).") from None


def _where(section: str, key: str) -> str:
    return f"[{section}] {key}" if section else key


def _check_keys(path: Path, table: dict, section: str) -> None:
    for key in table:
        if key in KEYS[section]:
            continue
        close = difflib.get_close_matches(key, KEYS[section], n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        if section and key in KEYS[""]:
            hint += f"a top-level key such as {key} goes above the first [table]; "
        where = f"in [{section}]" if section else "at the top level"
        raise DataError(f"{path}: unknown key {key!r} {where}; {hint}the keys {where}: "
                        f"{', '.join(KEYS[section])}.")


def _kind(value) -> str:
    kinds = ((bool, "true/false"), (str, "a string"), (int, "an integer"), (float, "a number"), (dict, "a table"),
             (list, "a list"))
    return next((name for t, name in kinds if isinstance(value, t)), "a date")


def _toml(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, dict) else "{…}"


def _typed(path: Path, table: dict, section: str, key: str, types, required: bool = False):
    """table[key] if it is of `types` (bool is not a number here), None when absent and not required."""
    if key not in table:
        if required:
            raise DataError(f"{path}: {'[' + section + '] has no ' + key if section else 'no ' + key}; "
                            f"add {EXAMPLES.get(f'{section}.{key}') or EXAMPLES[key]}.")
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, types):
        what = {str: "a string", dict: "a table", int: "an integer", (int, float): "a number"}[types]
        raise DataError(f"{path}: {_where(section, key)} = {_toml(value)} is {_kind(value)}, not {what}; "
                        f"write {EXAMPLES.get(f'{section}.{key}') or EXAMPLES[key]}.")
    return value


def _folder(path: Path, value: str) -> Path:
    """A root or list path of the file: ~ expanded, relative to the file's folder, normalised (links kept)."""
    p = Path(value).expanduser()
    return Path(os.path.normpath(p if p.is_absolute() else path.parent / p))


def _source(path: Path, side: str, t: dict) -> Source:
    root_text = _typed(path, t, side, "root", str, required=True)
    root = _folder(path, root_text)
    if not root.is_dir():
        why = "is a file" if root.exists() else "does not exist"
        raise DataError(f"{path}: [{side}] root = {json.dumps(root_text, ensure_ascii=False)}: {root} {why}; point "
                        f"it at the folder of the {side[:-1]} class folders (a relative root is relative to "
                        f"{path.parent}).")
    layout = _typed(path, t, side, "layout", str) or TREE
    if layout not in LAYOUTS[side]:
        close = difflib.get_close_matches(layout, LAYOUTS[side], n=1)
        raise DataError(f"{path}: [{side}] layout = {json.dumps(layout)} is not a layout of {side}; "
                        f"{f'did you mean {close[0]!r}? ' if close else ''}use one of {', '.join(LAYOUTS[side])} "
                        f"(\"{TREE}\", the default: one folder per class, files at any depth).")
    rule = _rule(path, t, root) if side == "videos" and layout == TREE else None
    if side == "videos" and layout != TREE:
        for key in SPLIT_KEYS:
            if key in t:
                raise DataError(f"{path}: [videos] {key} splits a tree of class folders, but layout = "
                                f"\"{layout}\" has its own splits (--split 1, 2 or 3); remove {key} or layout.")
    return Source(layout, root.name or str(root), f"[{side}] root of {path}", root=str(root), side=side,
                  pair_file=str(path), rule=rule)


def _rule(path: Path, t: dict, root: Path) -> SplitRule:
    test_list = _typed(path, t, "videos", "test_list", str)
    fraction = _typed(path, t, "videos", "test_fraction", (int, float))
    group = _typed(path, t, "videos", "group", str) or ""
    seed = _typed(path, t, "videos", "seed", int)
    if test_list is not None and fraction is not None:
        raise DataError(f"{path}: [videos] has both test_list and test_fraction; keep one (the list, or a share of "
                        f"each class drawn from seed).")
    if fraction is not None and not 0 < fraction < 1:
        raise DataError(f"{path}: [videos] test_fraction = {fraction} is not between 0 and 1; write the share of each "
                        f"class's videos to test on, e.g. test_fraction = 0.3.")
    if test_list is not None:
        where = root / Path(test_list).expanduser()
        if not where.is_file():
            raise DataError(f"{path}: [videos] test_list = {json.dumps(test_list, ensure_ascii=False)}: {where} is "
                            f"not a file; write the path of the list of test videos, relative to [videos] root.")
    if group:
        try:
            pattern = re.compile(group)
        except re.error as e:
            raise DataError(f"{path}: [videos] group = {json.dumps(group)} is not a regular expression ({e}); fix "
                            f"it, e.g. {EXAMPLES['group']}.") from None
        if pattern.groups < 1:
            raise DataError(f"{path}: [videos] group = {json.dumps(group)} has no (…) group; put the part of a "
                            f"clip's name that names its group in parentheses, e.g. {EXAMPLES['group']}.")
    return SplitRule(str(Path(os.path.normpath(where))) if test_list is not None else "",
                     DEFAULT_TEST_FRACTION if fraction is None else float(fraction), group,
                     0 if seed is None else seed)
