"""Refused input: the one exception shape the features raise for it (a code naming the
message to show), and finding it again behind pydantic's validation error."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError


class InputProblem(ValueError):
    """Input a record cannot hold; ``code`` names the message to show, ``params`` fill it.

    Each feature subclasses it (``VisitProblem``, ``SafetyProblem`` …) so a handler catches
    only its own feature's refusals.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


P = TypeVar("P", bound=InputProblem)


def cause_of(error: ValidationError, kind: type[P]) -> P | None:
    """The ``kind`` problem a model's validator raised inside ``error``, if one did."""
    for item in error.errors():
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, kind):
            return cause
    return None


def code_of(error: ValidationError, kind: type[InputProblem]) -> str:
    """The code of the ``kind`` problem behind ``error``, or ``invalid`` (a type error,
    a missing field: nothing the feature names)."""
    found = cause_of(error, kind)
    return "invalid" if found is None else found.code
