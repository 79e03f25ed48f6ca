"""Words of user-facing text that depend on a number: "1 file", "2 files"."""


def count(n: int, noun: str, plural: str = "") -> str:
    """`n` and the noun it counts, in agreement: count(1, "file") → "1 file"; count(3, "class", "classes")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
