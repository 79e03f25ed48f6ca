"""The manifest: every item of a pair (path, class, split, modality), the one input of every later stage.

Items are ordered (images, then videos, each sorted by id) and their order is the row order of every
HDF5 artifact, so artifacts join by position and carry the ids to check it.
"""
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from . import layouts
from .errors import DataError
from .pairs import Pair, normalise


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

    def to_json(self, path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def from_json(cls, path) -> "Manifest":
        d = json.loads(Path(path).read_text())
        return cls(d["pair"], d["classes"], [Item(**i) for i in d["images"]], [Item(**i) for i in d["videos"]])

    def videos_in(self, split: str) -> list:
        return [v for v in self.videos if v.split == split]

    def shard(self, index: int, count: int) -> list:
        """Videos of shard `index` of `count`: a contiguous run, so shards concatenate in manifest order."""
        n = len(self.videos)
        return self.videos[index * n // count:(index + 1) * n // count]


def _dataset_root(data_root: Path, dataset, pair: Pair) -> Path:
    root = Path(data_root) / dataset.folder
    if not root.is_dir():
        raise DataError(f"pair {pair.name}: dataset folder {root} not found. Put the {dataset.folder} dataset "
                        f"there (from {dataset.source}) or point --data-root / [paths] data_root at its parent.")
    return root


def build(pair: Pair, data_root, split: int = 1) -> Manifest:
    """Read both datasets of `pair` under `data_root` and keep the classes in the pair's table.

    Checks before any work: both dataset folders exist, every mapped class has items in both
    modalities, every file a split list names exists.
    """
    data_root = Path(data_root)
    if not data_root.is_dir():
        raise DataError(f"pair {pair.name}: data root {data_root} does not exist. Create it and put the datasets "
                        f"there, or pass --data-root / set [paths] data_root in luigi.cfg.")
    img_root = _dataset_root(data_root, pair.images, pair)
    vid_root = _dataset_root(data_root, pair.videos, pair)
    img_entries = _read(pair.images, img_root, split)
    vid_entries = _read(pair.videos, vid_root, split)

    classes = pair.classes
    img_label = {normalise(k): classes.index(v) for k, v in pair.class_map.items()}
    vid_label = {normalise(v): i for i, v in enumerate(classes)}
    images = _items(img_entries, img_label, img_root)
    videos = _items(vid_entries, vid_label, vid_root)
    for what, items, ds in (("images", images, pair.images), ("videos", videos, pair.videos)):
        have = {it.label for it in items}
        absent = [classes[i] for i in range(len(classes)) if i not in have]
        if absent:
            raise DataError(f"pair {pair.name}: no {what} for classes {absent} under {Path(data_root) / ds.folder}; "
                            f"the dataset is incomplete (get it from {ds.source}).")
    if not any(v.split == "train" for v in videos) or not any(v.split == "test" for v in videos):
        raise DataError(f"pair {pair.name}: split {split} leaves no training or no test videos; check the split files.")
    missing = [it.path for it in images + videos if not Path(it.path).is_file()]
    if missing:
        raise DataError(f"pair {pair.name}: {len(missing)} files named by the split lists do not exist, "
                        f"e.g. {missing[:3]}; the dataset is incomplete, re-extract it.")
    return Manifest(pair.name, classes, images, videos)


def _read(dataset, root, split):
    reader = layouts.READERS[dataset.kind]
    return reader(root, split=split, source=dataset.source) if dataset.kind in ("ucf101", "hmdb51") \
        else reader(root, source=dataset.source)


def _items(entries, label_of, root):
    items = [Item(e.path, str(root / e.path), label_of[normalise(e.cls)], e.split)
             for e in entries if normalise(e.cls) in label_of]
    return sorted(items, key=lambda it: it.id)
