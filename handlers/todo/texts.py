"""What /todo says, to the secretary or admin and in the nudges: data in ``texts.toml``
beside this module; importing it adds them to the catalog."""

from __future__ import annotations

from handlers.common.i18n import load_texts

load_texts(__file__)
