"""What /points (and later /rating) say. The messages are data, in ``texts.toml`` beside
this module; importing it adds them to the catalog."""

from __future__ import annotations

from handlers.common.i18n import load_texts

load_texts(__file__)
