"""Message catalogs in Simplified Chinese and English, and the translator handlers use.

A feature keeps its messages in ``handlers/<feature>/texts.toml`` (one table a key, with
``zh`` and ``en``), loaded by ``load_texts(__file__)`` in its ``texts.py`` (a module that is
no package: ``<module>.toml`` beside it) so translators edit data, not code; the flow
protocol's few and keys built from a table come in code as ``texts({...})``, a key mapping
to ``(中文, English)``. Arguments are HTML-escaped unless wrapped in ``Raw``,
because every message is sent as HTML and most arguments are user-typed.
"""

from __future__ import annotations

import html
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_CATALOG: dict[str, tuple[str, str]] = {}


@dataclass(frozen=True)
class Raw:
    """An argument that is already HTML (built from escaped parts); inserted as is."""

    html: str

    def __str__(self) -> str:
        return self.html


def texts(entries: dict[str, tuple[str, str]]) -> None:
    """Add entries to the catalog; a key may be defined once."""
    for key, pair in entries.items():
        if key in _CATALOG and _CATALOG[key] != pair:
            raise ValueError(f"message key defined twice: {key}")
        _CATALOG[key] = pair


def load_texts(module_file: str) -> None:
    """Add the entries of the ``.toml`` beside ``module_file`` (``texts.py``: ``texts.toml``)."""
    path = Path(module_file).with_suffix(".toml")
    with path.open("rb") as file:
        tables = tomllib.load(file)
    entries: dict[str, tuple[str, str]] = {}
    for key, table in tables.items():
        missing = [lang for lang in LANGUAGES if not isinstance(table.get(lang), str)]
        if missing or set(table) - set(LANGUAGES):
            raise ValueError(f"{path.name}: {key} needs exactly {' and '.join(LANGUAGES)}")
        entries[key] = (table["zh"], table["en"])
    texts(entries)


def catalog() -> dict[str, tuple[str, str]]:
    return dict(_CATALOG)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def language_from_client(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Telegram client's ``language_code`` (``zh-hans``, ``en-US`` ...) to ours."""
    if code:
        prefix = code.split("-")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return default


class Translator:
    """``t("key", name=...)`` in one language; ``t.lang`` says which."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._index = LANGUAGES.index(self.lang)

    def __call__(self, key: str, **kwargs: Any) -> str:
        template = _CATALOG[key][self._index]
        if not kwargs:
            return template
        return template.format(**{name: _escape(value) for name, value in kwargs.items()})

    def plain(self, key: str, **kwargs: Any) -> str:
        """Unescaped text, for button labels and alerts: Telegram shows those as typed."""
        template = _CATALOG[key][self._index]
        return template.format(**{k: str(v) for k, v in kwargs.items()}) if kwargs else template


def _escape(value: Any) -> str:
    if isinstance(value, Raw):
        return value.html
    if isinstance(value, int | float):
        return str(value)
    return html.escape(str(value), quote=False)
