"""What the 台账 workbooks and charts say: sheet names, column headers and value words.

The messages are data, in ``texts.toml`` beside this module (a table a key, with
``zh`` and ``en``), so translators edit them without touching code; importing this module
adds them to the catalog."""

from __future__ import annotations

from handlers.common.i18n import load_texts, texts

load_texts(__file__)

# 三会一课记录 and 平安校园 sheets, and their lines in the summary's requirement table.
_KINDS = {
    "general": ("支部党员大会", "general meetings"),
    "committee": ("支委会", "committee meetings"),
    "group": ("党小组会", "party group meetings"),
    "lecture": ("党课", "party lectures"),
}
_FREQUENCIES = {
    "monthly": ("每月", "monthly"),
    "quarterly": ("每季度", "quarterly"),
    "half_yearly": ("每半年", "half-yearly"),
    "yearly": ("每年", "yearly"),
}
texts(
    {
        f"report.check.meeting.{kind}.{freq}": (
            f"{zh_kind}（{zh_freq}一次）已开周期",
            f"Periods with {en_kind} ({en_freq})",
        )
        for kind, (zh_kind, en_kind) in _KINDS.items()
        for freq, (zh_freq, en_freq) in _FREQUENCIES.items()
    }
)
