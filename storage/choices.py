"""Deployment settings written as ``name=value`` lists (link rhythms, meeting
frequencies), read one way with the same errors."""

from __future__ import annotations

from enum import StrEnum


def parse_choices(
    text: str,
    names: type[StrEnum],
    values: type[StrEnum],
    *,
    name_label: str,
    value_label: str,
) -> dict[str, str]:
    """``"a=x, b=y"`` (or ``;``-separated) → ``{"a": "x", "b": "y"}``, every name one of
    ``names`` and every value one of ``values`` (``-`` read as ``_``); ValueError names the
    wrong part and lists what is allowed."""
    chosen: dict[str, str] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        key, choice = name.strip().lower(), value.strip().lower().replace("-", "_")
        if not sep or key not in names.__members__.values():
            raise ValueError(f"unknown {name_label} {name.strip()!r} ({_listed(names)})")
        if choice not in values.__members__.values():
            raise ValueError(f"unknown {value_label} {value.strip()!r} ({_listed(values)})")
        chosen[key] = choice
    return chosen


def _listed(options: type[StrEnum]) -> str:
    return ", ".join(option.value for option in options)
