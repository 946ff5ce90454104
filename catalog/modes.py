"""The compatibility modes, by name (a module of its own so the command line can list
them without importing the rules)."""

from __future__ import annotations

from catalog.errors import SchemacatError, did_you_mean

MODES = (
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
)


def normalize_mode(mode: str) -> str:
    """The mode in upper case, or an error naming the modes there are."""
    upper = mode.strip().upper()
    if upper in MODES:
        return upper
    raise SchemacatError(
        f"unknown compatibility mode {mode!r}; the modes are {', '.join(MODES)}",
        hint=did_you_mean(upper, MODES),
        code="UNKNOWN_COMPATIBILITY_MODE",
    )
