"""One table-driven test of every guarded handler's failure modes (rows in tests/forbidden/)."""

from __future__ import annotations

import pytest

from handlers.common.i18n import Translator, language_from_client
from tests.conftest import Harness
from tests.forbidden import Case, all_cases

CASES = all_cases()


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
