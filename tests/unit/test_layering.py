"""The layers: the library (pipeline/) never imports Luigi, its io layer never imports the method layer, and no module
of pipeline/, tasks/ or models/ grows too long."""
import ast
import os
import subprocess
import sys

from tests.helpers.luigi_process import REPO

MAX_LINES = 300

# Every module under pipeline/, imported in a fresh interpreter. Each folder is walked on its own, so that a
# subpackage without an __init__.py (which pkgutil would not step into) is still found; the modules found must be
# exactly the .py files there.
IMPORT_ALL = """
import importlib, pkgutil, sys
from pathlib import Path
import pipeline
root = Path(pipeline.__file__).parent
folders = [root, *sorted(d for d in root.rglob("*") if d.is_dir() and d.name != "__pycache__")]
names = set()
for folder in folders:
    prefix = ".".join(["pipeline", *folder.relative_to(root).parts]) + "."
    names |= {m.name for m in pkgutil.walk_packages([str(folder)], prefix)}
names = {n for n in names if n.rsplit(".", 1)[-1] != "__main__"}
files = {".".join(["pipeline", *p.relative_to(root).with_suffix("").parts]).removesuffix(".__init__")
         for p in root.rglob("*.py") if p.stem != "__main__"}
assert names == files - {"pipeline"}, (sorted(files - {"pipeline"} - names), sorted(names - files))
for name in sorted(names):
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m == "luigi" or m.startswith("luigi."))
assert not leaked, f"importing the pipeline modules imported {leaked[:5]}"
print(len(names), "modules")
"""


def _python_files(*folders):
    return sorted(p for folder in folders for p in (REPO / folder).rglob("*.py") if "__pycache__" not in p.parts)


def test_importing_every_pipeline_module_leaves_luigi_out():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-c", IMPORT_ALL], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_pipeline_file_imports_luigi():
    files = _python_files("pipeline")
    assert files
    offenders = [str(p.relative_to(REPO)) for p in files
                 if "import luigi" in p.read_text() or "from luigi" in p.read_text()]
    assert offenders == [], f"pipeline/ is the Luigi-free library; these import luigi: {offenders}"


def _imported_modules(path) -> set:
    """Every module `path` imports, at the top or inside a function (`from a import b` counts as a and a.b)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


def test_the_io_layer_imports_nothing_from_the_method_layer():
    """pipeline/io reads and joins artifacts; pipeline/method (and models/, the networks) build on it, not the
    reverse."""
    def is_method(name):
        return name.split(".")[:2] == ["pipeline", "method"] or name.split(".")[0] == "models"

    files = _python_files("pipeline/io")
    assert files
    offenders = {str(p.relative_to(REPO)): sorted(filter(is_method, _imported_modules(p))) for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}, "pipeline/io imports the method layer"


def test_no_module_is_longer_than_300_lines():
    lengths = {str(p.relative_to(REPO)): len(p.read_text().splitlines()) for p in _python_files("pipeline", "tasks", "models")}
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert lengths and too_long == {}, f"modules over {MAX_LINES} lines (split them): {too_long}"
