"""Which files to predict: video files named one by one, folders searched recursively, and .txt lists of paths.

A folder contributes every file under it whose extension is one of VIDEO_EXTENSIONS, the video container
extensions that this PyAV build's demuxers claim (a fixed list of video containers, kept to what `av` reads, so
that images, audio and text files beside the videos are not taken for videos). A `.txt` list names one path a line
(blank lines and `#` comments skipped; relative paths are relative to the list's folder). A file named directly,
or in a list, is used whatever its extension: a broken or unreadable one gets a row with its reason (pipeline.
predict.core). Bad input of the command itself is one DataError naming it: a missing folder or file, a folder
without videos, a list naming files that do not exist.
"""
import functools
from pathlib import Path

from pipeline.errors import DataError

# Video containers (extensions as FFmpeg's demuxers name them); VIDEO_EXTENSIONS keeps those PyAV reads.
CONTAINERS = ("3g2", "3gp", "asf", "avi", "divx", "dv", "f4v", "flv", "m2t", "m2ts", "m4v", "mj2", "mkv", "mov", "mp4",
              "mpeg", "mpg", "mts", "mxf", "nut", "ogv", "rm", "rmvb", "ts", "vob", "webm", "wmv", "y4m")
# Extensions that FFmpeg's demuxers find by probing the content rather than claim: the demuxer that reads each.
PROBED = {"asf": "asf", "wmv": "asf", "divx": "avi", "mpeg": "mpeg", "mpg": "mpeg", "vob": "mpeg", "ts": "mpegts",
          "m2ts": "mpegts", "mts": "mpegts", "m2t": "mpegts", "mxf": "mxf", "ogv": "ogg", "rm": "rm", "rmvb": "rm"}


@functools.lru_cache(maxsize=None)
def video_extensions() -> tuple:
    """The extensions (lower case, with the dot) of CONTAINERS that a demuxer of this PyAV build reads."""
    import av
    readable = set()
    for name in av.formats_available:
        try:
            fmt = av.ContainerFormat(name, "r")
        except (ValueError, av.FFmpegError):
            continue
        readable |= {e.lower() for e in (fmt.extensions or ())}
        readable |= {e for e, demuxer in PROBED.items() if demuxer == name}
    return tuple(f".{e}" for e in CONTAINERS if e in readable)


def find_videos(sources) -> list:
    """The video files named by `sources` (paths: video files, folders, .txt lists), in order, each once.

    Within a folder the files are sorted by their path. Returns str paths as found (a list's relative entries joined
    to its folder). Raises DataError for a source that does not exist, a folder without videos, a list that names
    files that do not exist, or nothing at all to predict."""
    out, seen = [], set()
    for src in map(Path, sources):
        for p in _expand(src):
            if str(p) not in seen:
                seen.add(str(p))
                out.append(str(p))
    if not out:
        raise DataError("no videos to predict: name video files, folders of videos or .txt lists of paths.")
    return out


def _expand(src: Path) -> list:
    if src.is_dir():
        exts = video_extensions()
        found = sorted(p for p in src.rglob("*") if p.suffix.lower() in exts and p.is_file())
        if not found:
            raise DataError(f"{src}: a folder with no video files (searched recursively for "
                            f"{', '.join(exts)}); name a folder of videos, video files or a .txt list of paths.")
        return found
    if not src.exists():
        raise DataError(f"{src}: no such file or folder; name video files, folders of videos or .txt lists of paths.")
    if src.suffix.lower() == ".txt":
        return _read_list(src)
    return [src]


def _read_list(path: Path) -> list:
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read this list of videos ({e}); give a text file, one path a line.") from None
    entries = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    paths = [p if p.is_absolute() else path.parent / p for p in map(Path, entries)]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise DataError(f"{path}: names {len(missing)} file{'s' if len(missing) > 1 else ''} that do not exist "
                        f"({', '.join(missing[:3])}{more}); correct the list or the paths in it.")
    if not paths:
        raise DataError(f"{path}: an empty list of videos; write one path a line.")
    return paths


def fingerprint(paths) -> str:
    """12 hex digits that change when a file is added, removed, replaced or modified (path, size, mtime)."""
    import hashlib
    import json

    def stat(p):
        try:
            s = Path(p).stat()
            return [s.st_size, s.st_mtime_ns]
        except OSError:
            return None
    return hashlib.sha256(json.dumps([[str(p), stat(p)] for p in paths]).encode()).hexdigest()[:12]
