"""Counts in words, as a person writes them: "1 column", "3 columns"."""


def counted(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
