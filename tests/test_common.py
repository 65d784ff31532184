"""Shared pieces: the message catalog, the callback codec, HTML splitting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.app  # noqa: F401  (imports every feature, so the whole catalog is loaded)
from handlers.common.callback import BadCallbackData, decode, encode, pattern
from handlers.common.html import split_message, telegram_length
from handlers.common.i18n import Raw, Translator, catalog, language_from_client, placeholders


def test_every_message_exists_in_chinese_and_english_with_the_same_placeholders() -> None:
    entries = catalog()
    assert len(entries) > 50
    for key, (zh, en) in entries.items():
        assert zh.strip() and en.strip(), key
        assert placeholders(zh) == placeholders(en), key


def test_translator_escapes_arguments_unless_raw() -> None:
    t = Translator("zh")
    assert t("branches.line", name="<i>一中</i>", count=3) == "&lt;i&gt;一中&lt;/i&gt; — 3 人"
    assert t("branches.line", name=Raw("<i>一中</i>"), count=3) == "<i>一中</i> — 3 人"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh-hans", "zh"), ("zh-TW", "zh"), ("en-US", "en"), ("en", "en"), ("fr", "zh"), (None, "zh")],
)
def test_language_from_client(code: str | None, expected: str) -> None:
    assert language_from_client(code) == expected


def test_codec_round_trip_and_limits() -> None:
    data = encode("pl", "ok", 12, "a-b")
    assert decode(data).prefix == "pl" and decode(data).int_arg(0) == 12
    assert decode(data).str_arg(1) == "a-b"
    with pytest.raises(ValueError, match="64 bytes"):
        encode("pl", "ok", "x" * 70)
    with pytest.raises(ValueError):
        encode("pl", "ok", "has space")


@pytest.mark.parametrize("data", ["", "noseparator", "a:b c", "x" * 65, "a::b", "中:文", None])
def test_codec_refuses_malformed(data: str | None) -> None:
    with pytest.raises(BadCallbackData):
        decode(data)


def test_codec_refuses_non_numeric_and_negative_ids() -> None:
    with pytest.raises(BadCallbackData):
        decode("mem:rm:abc").int_arg(0)
    with pytest.raises(BadCallbackData):
        decode("mem:rm:-3").int_arg(0)
    with pytest.raises(BadCallbackData):
        decode("mem:rm").int_arg(0)


def test_pattern_matches_prefix_and_action_only() -> None:
    import re

    assert re.match(pattern("mem", "rm"), "mem:rm:3")
    assert not re.match(pattern("mem", "rm"), "mem:rmok:3")
    assert re.match(pattern("mem"), "mem:anything")


@given(st.lists(st.text(alphabet="ab中<>&😀𠀀\n", max_size=300), max_size=40))
def test_split_message_keeps_everything_under_the_limit(lines: list[str]) -> None:
    text = "\n".join(lines)
    parts = split_message(text, limit=100)
    assert all(telegram_length(part) <= 100 for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    assert telegram_length("党日😀") == 4
    assert split_message("😀" * 60, limit=100) == ["😀" * 50, "😀" * 10]


def test_a_hard_cut_never_splits_an_entity_or_a_tag() -> None:
    parts = split_message("a" * 8 + "&amp;" + "b" * 10, limit=10)
    assert parts[0] == "a" * 8 and parts[1].startswith("&amp;")
    parts = split_message("a" * 7 + "<b>x</b>", limit=9)
    assert parts[0] == "a" * 7 and parts[1].startswith("<b>")
