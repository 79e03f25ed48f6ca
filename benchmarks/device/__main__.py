"""python3 -m benchmarks.device prepare|check [options]: see benchmarks/device/__init__.py."""
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ("prepare", "check"):
        raise SystemExit("usage: python3 -m benchmarks.device prepare|check [options] (--help after either)")
    if argv[0] == "prepare":
        from .prepare import main as run
    else:
        from .check import main as run
    return run(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
