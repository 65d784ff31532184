"""HTML helpers: escaping user text and splitting long messages under Telegram's limits."""

from __future__ import annotations

import html

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split on line breaks so that no part exceeds ``limit`` characters.

    Lines are kept whole where possible (a tag never spans lines in our views); a single
    line longer than the limit is cut hard.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts
