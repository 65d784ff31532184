"""Deployment settings written as ``name=value`` lists (link rhythms, meeting
frequencies), read one way with the same errors."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict

N = TypeVar("N", bound=StrEnum)
V = TypeVar("V", bound=StrEnum)


class Choices(BaseModel, Generic[N, V]):
    """One value of ``values`` for each name of ``names``: a subclass's fields are the
    names, with their defaults; ``parse`` reads the setting, names not given keep them."""

    model_config = ConfigDict(frozen=True)

    names: ClassVar[type[StrEnum]]
    values: ClassVar[type[StrEnum]]
    labels: ClassVar[tuple[str, str]]
    """How an error names a name and a value (``"link family"``, ``"rhythm"``)."""

    def of(self, name: N) -> V:
        chosen: V = getattr(self, name.value)
        return chosen

    @classmethod
    def parse(cls, text: str) -> Self:
        """``"a=x, b=y"`` → the setting; ValueError names what is wrong."""
        name_label, value_label = cls.labels
        return cls.model_validate(
            parse_choices(
                text, cls.names, cls.values, name_label=name_label, value_label=value_label
            )
        )


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
