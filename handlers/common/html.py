"""HTML helpers: escaping user text and splitting long messages under Telegram's limits."""

from __future__ import annotations

import html

# Telegram counts these limits in UTF-16 code units: an emoji or a rare CJK character
# outside the Basic Multilingual Plane counts twice.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def telegram_length(text: str) -> int:
    """Length as Telegram measures it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split on line breaks so that no part exceeds ``limit`` (in Telegram's units).

    Lines are kept whole where possible (a tag never spans lines in our views); a single
    line longer than the limit is cut hard, never inside a character.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while telegram_length(line) > limit:
            if current:
                parts.append(current)
                current = ""
            head = _prefix_within(line, limit)
            parts.append(head)
            line = line[len(head) :]
        candidate = f"{current}\n{line}" if current else line
        if telegram_length(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def _prefix_within(line: str, limit: int) -> str:
    """The longest prefix of ``line`` within ``limit`` that does not end inside an HTML
    entity (``&amp;``) or tag (``<b>``), which Telegram would refuse to parse."""
    used = 0
    head = line
    for index, char in enumerate(line):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            head = line[:index]
            break
    for opener, closer in (("&", ";"), ("<", ">")):
        cut = head.rfind(opener)
        if cut > 0 and head.rfind(closer) < cut:
            head = head[:cut]
    return head
