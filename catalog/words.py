"""Counts and lists in words, as a person writes them: "1 column", "versions 1, 2 and 3"."""

from collections.abc import Sequence


def counted(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def listed(items: Sequence[object], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [str(i) for i in items]
    return f" {conjunction} ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def versions(numbers: Sequence[int]) -> str:
    """``version 3``, ``versions 1, 2 and 3``."""
    return f"version{'s' if len(numbers) != 1 else ''} {listed(numbers)}"
