"""summarize(PATH): any artifact or artifacts folder as plain JSON-able values; dataset_values(PATH, NAME)."""
from pathlib import Path

from pipeline.errors import DataError
from pipeline.inspect import files
from pipeline.inspect.folders import summarize_folder
from pipeline.io.h5io import open_h5, values
from pipeline.method import checkpoint


def summarize(path) -> dict:
    """A summary of any artifact or artifacts folder (see the module docstring), as plain JSON-able values."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder; give a path under artifacts/<pair>/ "
                        f"(the last log line of a run names its folder).")
    if path.is_dir():
        return summarize_folder(path)
    suffix = path.suffix.lower()
    if suffix in files.HDF5_SUFFIXES:
        return files.summarize_h5(path)
    if suffix == ".json":
        return files.summarize_json(path)
    if suffix in (".pt", ".pth"):
        return files.summarize_torch(path)
    if suffix in (".png", ".md", ".log"):
        return files.summarize_other(path)
    import h5py
    if h5py.is_hdf5(path):
        return files.summarize_h5(path)
    raise DataError(f"{path}: not an artifact this command knows (HDF5 .h5, .json, model .pt, .md, .png, .log, or a "
                    f"folder under artifacts/); check the path.")


def dataset_values(path, name: str, head: int | None = 10):
    """The first `head` rows (all if None) of dataset `name` of an artifact (HDF5, JSON or model.pt)."""
    path = Path(path)
    s = summarize(path)
    names = [d["name"] for d in s.get("datasets", [])]
    if name not in names:
        raise DataError(f"{path}: no dataset {name!r}; it holds: {', '.join(names) or 'no datasets'}.")
    rows = None if head is None else max(head, 0)
    if s["format"] == "hdf5":
        with open_h5(path) as f:
            return values(f[name], rows)
    if s["format"] == "json":
        v = files.load_json(path)
        for part in name.split("/"):
            v = v[part]
        return v[:rows] if rows is not None else v
    ckpt = checkpoint.load(path)
    if name == "history":
        return ckpt["history"][:rows] if rows is not None else ckpt["history"]
    t = ckpt["state_dict"][name.split("/", 1)[1]]
    return (t[:rows] if rows is not None and t.ndim else t).numpy()
