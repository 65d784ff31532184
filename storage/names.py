"""Names shown to others: one normal form, and nothing that lets one person pass for another.

Every place that takes a person's name (joining, and any later import) goes through
``person_name``; branch names through ``normalize`` and ``invisible_in``. A name is
normalized (NFKC, so full-width ``Ａｄｍｉｎ`` is ``Admin``; trimmed; inner spaces
collapsed; the middle dot's look-alikes made ``·``) before it is checked and stored.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

NAME_MIN, NAME_MAX = 2, 20
# The middle dot in names such as 阿依古丽·买买提, and the look-alikes phones type for it.
_DOTS = "·•‧・"
# Brackets are allowed once, for a remark that tells two people apart: 王芳(语文).
# Letters by category (Lo) that render as nothing: Hangul fillers, the braille blank.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Role words, as or inside a name, would make a member look like an office holder or the
# bureau. Chinese ones match anywhere; Latin ones as whole words (so "Badminton" is fine).
ROLE_WORDS_ZH = (
    "书记",
    "管理员",
    "教育局",
    "督查",
    "督导",
    "党委",
    "组织部",
    "局长",
    "校长",
    "系统",
    "官方",
    "客服",
    "机器人",
)
ROLE_WORDS_EN = (
    "admin",
    "administrator",
    "secretary",
    "bureau",
    "inspector",
    "moderator",
    "official",
    "system",
)
_ROLE_EN = re.compile(r"(?<![a-z])(" + "|".join(ROLE_WORDS_EN) + r")(?![a-z])")
# Scripts whose letters never take a combining mark in a name: an accent on 师 is a
# disguise, not spelling.
_NO_MARKS = ("CJK", "HANGUL", "HIRAGANA", "KATAKANA", "BOPOMOFO", "YI ")
_MAX_MARKS = 3  # Devanagari or Thai may stack two or three; more is decoration


class NameProblem(StrEnum):
    LENGTH = "length"
    CHARACTERS = "characters"  # digits, punctuation, symbols
    INVISIBLE = "invisible"  # fillers, zero-width and format characters, stray marks
    DECORATION = "decoration"  # emoji, box drawing and other symbols
    ROLE_WORD = "role_word"
    TAKEN = "taken"


class NameRefused(ValueError):
    def __init__(self, problem: NameProblem, detail: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.detail = detail


def person_name(typed: str) -> str:
    """A person's own name, as others will see it in the bot: normalized, or
    ``NameRefused`` saying what is wrong with it (role words included)."""
    name = written_name(typed)
    word = role_word_in(name)
    if word is not None:
        raise NameRefused(NameProblem.ROLE_WORD, word)
    return name


def written_name(typed: str) -> str:
    """A name written about someone (a meeting's guest, 陈校长): normalized and checked
    like a person's own, except that a title belongs in it."""
    name = normalize(typed)
    if invisible_in(name):
        raise NameRefused(NameProblem.INVISIBLE)
    for ch in name:
        category = unicodedata.category(ch)
        if category.startswith("S"):
            raise NameRefused(NameProblem.DECORATION)
        if ch not in " ·()" and not category.startswith(("L", "M")):
            raise NameRefused(NameProblem.CHARACTERS)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise NameRefused(NameProblem.LENGTH)
    if name[0] in "·()" or name.endswith("·") or "··" in name or not _parens_ok(name):
        raise NameRefused(NameProblem.CHARACTERS)
    return name


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join("·" if ch in _DOTS else ch for ch in text)
    return " ".join(text.split())


def class_spelling(text: str) -> str:
    """A class as typed, in one spelling: no spaces, half-width brackets (三(2)班). Phones
    type full-width brackets as often as half-width ones; the class buttons (home visits
    and safety lessons together) must not offer the same class twice."""
    return "".join(text.split()).replace("（", "(").replace("）", ")")


def invisible_in(text: str) -> bool:
    """Whether ``text`` holds a character that renders as nothing, or a combining mark
    not on a letter of a script that uses them."""
    marks = 0
    base: str | None = None
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _FILLERS or category in ("Cf", "Cc", "Co", "Cn", "Cs", "Zl", "Zp"):
            return True
        if category.startswith("M"):
            marks += 1
            if base is None or marks > _MAX_MARKS:
                return True
            if unicodedata.name(base, "").startswith(_NO_MARKS):
                return True
            continue
        marks = 0
        base = ch if category.startswith("L") else None
    return False


def role_word_in(name: str) -> str | None:
    """The role word used as or inside ``name``, if any."""
    for word in ROLE_WORDS_ZH:
        if word in name:
            return word
    found = _ROLE_EN.search(name.casefold())
    return found.group(1) if found else None


def same_name(a: str, b: str) -> bool:
    """Whether two names would look alike to others (case, spaces and dots aside)."""
    return _key(a) == _key(b)


def look_alike_key(name: str) -> str:
    """What ``same_name`` compares: equal keys, names others cannot tell apart (for
    checking many names at once, as a roster import does)."""
    return _key(name)


def distinguished(name: str) -> str:
    """An example of a name made distinct, for the answer to a name already taken
    (stored as 王芳(语文): NFKC makes full-width brackets plain)."""
    return f"{name}（语文）"


def display_name(text: str, fallback: str) -> str:
    """A name taken from Telegram (an admin's profile): normalized and stripped of what
    renders as nothing; ``fallback`` if that leaves nothing."""
    cleaned = "".join(ch for ch in normalize(text) if not invisible_in(ch))
    cleaned = " ".join(cleaned.split())[:40]
    return cleaned or fallback


def _parens_ok(name: str) -> bool:
    """At most one bracketed remark, as in 王芳(语文), closed and not empty."""
    if "(" not in name and ")" not in name:
        return True
    return bool(re.fullmatch(r"[^()]+\([^()]+\)", name))


def _key(name: str) -> str:
    return normalize(name).casefold().replace(" ", "").replace("·", "")
