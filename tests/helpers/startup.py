"""What a `luigi --module tasks ...` command imports and opens, for the start-up guard tests.

`probe(args, cwd)` runs the luigi command line in a fresh interpreter, as the `luigi` script does, and returns
(exit code, the heavy libraries it imported, the files under cwd/artifacts it opened).
"""
import json
import subprocess
import sys

from tests.helpers.luigi_process import luigi_env

# Seconds each to import (torchvision alone ≈ 5 s on 2 cores): the stages import them in run(), never at `import tasks`.
HEAVY = ("torch", "torchvision", "sklearn", "scipy", "matplotlib", "h5py")

PROBE = """
import json, os, sys
opened = []
artifacts = os.path.abspath("artifacts")
sys.addaudithook(lambda event, args: opened.append(os.path.abspath(os.fsdecode(args[0])))
                 if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) else None)
from luigi.cmdline import luigi_run
heavy = json.loads(sys.argv[2])
sys.argv = ["luigi", *json.loads(sys.argv[1])]
try:
    luigi_run(sys.argv[1:])
    code = 0
except SystemExit as e:
    code = e.code or 0
print(json.dumps(dict(code=code, heavy=[m for m in heavy if m in sys.modules],
                      opened=sorted({p for p in opened if p.startswith(artifacts + os.sep)}))))
"""


def probe(args, cwd) -> tuple:
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["--module", "tasks", *args]), json.dumps(HEAVY)],
                       cwd=cwd, env=luigi_env(), capture_output=True, text=True, timeout=300)
    assert r.stdout.strip(), r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    return out["code"], out["heavy"], out["opened"]
