"""The layout of artifacts/: stage folders `<Task>-<digest>/`, and the fix a broken artifact calls for."""
import re
from pathlib import Path

STAGE_DIR = re.compile(r"^(?P<task>[A-Z][A-Za-z0-9]*)-(?P<digest>[0-9a-f]{12})$")


def fix_hint(path) -> str:
    """What to do about an artifact that cannot be read: re-run the stage named by its folder."""
    task = made_by_folder(path)
    return (f"delete it and re-run {task} (the stage in its folder name)" if task
            else "check the path: it should be an artifact under artifacts/<pair>/<Task>-<hash>/")


def made_by_folder(path) -> str | None:
    """The task family that made `path`, from its stage folder's name `<Task>-<hash>`, or None."""
    for part in [Path(path).name, *(p.name for p in Path(path).parents)]:
        if m := STAGE_DIR.match(part):
            return m["task"]
    return None


def in_pair_folder(pair_folder: Path, recorded: str) -> Path:
    """Where a recorded artifact path `<root>/<pair>/<Task>-<hash>/<file>` lies relative to `pair_folder`,
    wherever the artifacts folder has been moved since (falls back to the path as recorded)."""
    parts = Path(recorded).parts
    for i, part in enumerate(parts):
        if STAGE_DIR.match(part):
            return pair_folder.joinpath(*parts[i:])
    return Path(recorded)
