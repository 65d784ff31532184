"""Message catalog for /import (roster import): the messages are data, in ``texts.toml``
beside this module; importing this module adds them to the catalog."""

from __future__ import annotations

from handlers.common.i18n import load_texts

load_texts(__file__)
