"""The GPU machine's check, prepared here: `prepare` (what must travel) and `check` (the one command run there).

    python3 -m benchmarks.device prepare                  # here, where PyPI is reachable: .device/ (< 60 MiB)
    python3 -m benchmarks.device check --device cpu --size tiny       # here: the same code path, in minutes
    python3 -m benchmarks.device check                    # there: --device cuda, the full figures, within 8 minutes

`benchmarks/device/prepare` and `benchmarks/device/check` are the same commands. docs/gpu.md says how a session that
is lent a GPU runs it in one call.
"""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CARRY = REPO / ".device"                 # ignored (.gitignore); the one folder a device call carries
WHEELS = CARRY / "wheels"
VECTORS = CARRY / "vectors" / "classnames-glove-6b-50d.txt"
REFERENCE = CARRY / "reference-cpu-tiny.json"   # the CPU check's figures of the tiny run, compared with the GPU's
CARRY_LIMIT_MIB = 60                     # the device call carries 64 MiB with the working tree
