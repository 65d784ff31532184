"""One table-driven test of every guarded handler's failure modes (rows in tests/forbidden/)."""

from __future__ import annotations

import pytest

from handlers.common.i18n import Translator, language_from_client
from tests.conftest import Harness
from tests.fakebot import FakeTelegram
from tests.forbidden import Case, Read, all_cases, all_reads

CASES = all_cases()
READS = all_reads()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_refused_politely(harness: Harness, case: Case) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    if case.setup is not None:
        await case.setup(harness)
    answers_before = len(harness.answers())
    replies = await case.action(harness)
    assert isinstance(replies, list)
    t = Translator(language_from_client(case.actor.language_code))
    expected = t(case.expect)
    said = [*replies, *harness.answers()[answers_before:]]
    assert any(expected[:60] in text for text in said), f"expected {expected!r}, got {said!r}"
    if case.check is not None:
        await case.check(harness)


@pytest.mark.parametrize("read", READS, ids=[read.name for read in READS])
async def test_read_only_screens(harness: Harness, read: Read) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    if read.setup is not None:
        await read.setup(harness)
    answers_before = len(harness.answers())
    calls_before = len(harness.tg.calls)
    replies = await read.action(harness)
    assert isinstance(replies, list)
    assert any(read.shows in text for text in replies), f"expected {read.shows!r}, got {replies!r}"
    assert harness.answers()[answers_before:] == []  # no alert: nothing was refused
    sent = [c.params for c in harness.tg.calls[calls_before:] if c.ok]
    pressable = [data for params in sent for _, data in FakeTelegram.buttons(params) if data]
    assert all(data.startswith(read.buttons) for data in pressable), pressable
    for word in read.never:
        assert not any(word in text for text in replies), f"{word!r} shown in {replies!r}"
