"""参加/请假: a member's answer to what was announced ahead (a party day, a meeting)."""

from __future__ import annotations

from enum import StrEnum


class Answer(StrEnum):
    ATTEND = "attend"
    LEAVE = "leave"
