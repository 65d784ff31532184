"""Reading a TOML file an admin uploaded into a pydantic model, with every problem named
by its line, its field and what is wrong (a code the handlers turn into words)."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# Pydantic's error types, by the message code a person is shown (the rest: "invalid").
_CODES = {
    "missing": "missing",
    "extra_forbidden": "unknown_field",
    "greater_than": "too_small",
    "greater_than_equal": "too_small",
    "less_than": "too_large",
    "less_than_equal": "too_large",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_short": "too_short",
    "too_long": "too_long",
    "float_parsing": "not_number",
    "float_type": "not_number",
    "int_parsing": "not_number",
    "int_type": "not_number",
    "int_from_float": "not_whole",
    "string_type": "not_text",
    "bool_type": "not_bool",
    "bool_parsing": "not_bool",
    "dict_type": "not_table",
    "list_type": "not_list",
    "model_type": "not_table",
    "literal_error": "not_allowed",
    "enum": "not_allowed",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file: where (line, field) and what (``code`` and values
    for its message; ``detail`` is the library's English text, for the log and the rest)."""

    line: int | None
    field: str
    code: str
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    detail: str = ""


class FileProblems(ValueError):
    """The file cannot be used; ``problems`` lists why, in the file's order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.line}:{p.field}:{p.code}" for p in problems))
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.field))


class RuleError(ValueError):
    """Raised by a model's validator for a problem it names itself (``code``, values);
    ``at`` continues the validated field's path to the key at fault."""

    def __init__(self, code: str, *, at: Sequence[str | int] = (), **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.at = tuple(at)
        self.values = values


def load(model: type[M], text: str) -> M:
    """The model the TOML ``text`` describes, or ``FileProblems``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise FileProblems(
            [Problem(int(line.group(1)) if line else None, "", "syntax", detail=str(exc))]
        ) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FileProblems([_problem(text, error) for error in exc.errors()]) from exc


def problem_at(text: str, path: Sequence[str | int], code: str, **values: Any) -> Problem:
    """A problem a check after validation found at ``path`` (e.g. points that do not add up)."""
    return Problem(line_of(text, path), _dotted(path), code, values)


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The line where ``path`` (keys and array indexes, as pydantic reports them) is
    written, else where its nearest enclosing table or array element begins."""
    lines = _lines(text)
    wanted = tuple(path)
    for length in range(len(wanted), 0, -1):
        found = lines.get(wanted[:length])
        if found is not None:
            return found
    return None


def _lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Every table header, array element and key of the file, by its path, with its line."""
    found: dict[tuple[str | int, ...], int] = {}
    arrays: dict[tuple[str | int, ...], int] = {}  # an array of tables -> its last index
    table: tuple[str | int, ...] = ()

    def resolve(names: list[str]) -> tuple[str | int, ...]:
        path: tuple[str | int, ...] = ()
        for name in names:
            path = (*path, name)
            if path in arrays:
                path = (*path, arrays[path])
        return path

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^(\[\[?)\s*([^\]]+?)\s*\]", line)
        if header:
            names = _names(header.group(2))
            if header.group(1) == "[[":
                parent = resolve(names[:-1])
                array = (*parent, names[-1])
                arrays[array] = arrays.get(array, -1) + 1
                table = (*array, arrays[array])
                found.setdefault(array, number)
            else:
                table = resolve(names)
            found.setdefault(table, number)
            continue
        key = re.match(r"^([A-Za-z0-9_\-\.\"' ]+?)\s*=", line)
        if key and not line.startswith("#"):
            found.setdefault((*table, *_names(key.group(1))), number)
    return found


def _names(dotted: str) -> list[str]:
    return [part.strip().strip("\"'") for part in dotted.split(".")]


def _problem(text: str, error: Any) -> Problem:
    # A dict key's own error ends in "[key]": the key is the place to point at.
    loc = tuple(part for part in error.get("loc", ()) if part != "[key]")
    context = error.get("ctx") or {}
    inner = context.get("error")
    if isinstance(inner, RuleError):
        at = (*loc, *inner.at)
        return Problem(line_of(text, at), _dotted(at), inner.code, inner.values, str(inner))
    code = _CODES.get(str(error.get("type")), "invalid")
    values = {key: value for key, value in context.items() if isinstance(value, int | float | str)}
    return Problem(line_of(text, loc), _dotted(loc), code, values, str(error.get("msg", "")))


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
