"""The pledge feature's messages, Chinese first, then English; keys start with "pledge.".

The messages are data, in ``texts.toml`` beside this module (a table a key, with
``zh`` and ``en``), so translators edit them without touching code; importing this module
adds them to the catalog."""

from __future__ import annotations

from handlers.common.i18n import load_texts

load_texts(__file__)
