"""Messages of the shared pieces kept as data (the branch picker, the boards' /todo
buttons), in ``texts.toml`` beside this module; importing it adds them to the catalog."""

from __future__ import annotations

from handlers.common.i18n import load_texts

load_texts(__file__)
