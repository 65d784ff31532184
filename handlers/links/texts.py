"""Message catalog for /links (三联系, 双服务, 结对): ``texts.toml`` beside this module, a
table a key with ``zh`` and ``en``; importing this module adds them to the catalog."""

from __future__ import annotations

from handlers.common.i18n import load_texts

load_texts(__file__)
