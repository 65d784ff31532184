"""Updates from different people run at the same time; one person's run in order."""

from __future__ import annotations

import asyncio

from telegram import Bot

from bot.concurrency import PerPersonProcessor
from tests.fakebot import FakeTelegram, FakeUser, UpdateFactory, group_chat

ANNA, BEN = FakeUser(11, "Anna"), FakeUser(12, "Ben")
GROUP = group_chat(-500, "党员群")


async def test_another_person_is_answered_while_one_waits() -> None:
    processor = PerPersonProcessor()
    updates = UpdateFactory(Bot("1:TEST", request=FakeTelegram()))
    done: list[str] = []
    slow = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    first = asyncio.create_task(
        processor.process_update(updates.text(ANNA, "/visit"), handle("anna 1", slow))
    )
    second = asyncio.create_task(
        processor.process_update(updates.text(ANNA, "今天"), handle("anna 2"))
    )
    other = asyncio.create_task(processor.process_update(updates.text(BEN, "/me"), handle("ben")))
    await other
    assert done == ["ben"]  # Ben did not wait for Anna's slow step
    slow.set()
    await asyncio.gather(first, second)
    assert done == ["ben", "anna 1", "anna 2"]  # Anna's steps in the order she sent them
    assert processor._locks == {}  # nothing kept once nobody is waiting


async def test_a_groups_updates_stay_in_order_across_people() -> None:
    processor = PerPersonProcessor()
    updates = UpdateFactory(Bot("1:TEST", request=FakeTelegram()))
    done: list[str] = []
    slow = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    first = asyncio.create_task(
        processor.process_update(updates.text(ANNA, "/roster", GROUP), handle("anna", slow))
    )
    second = asyncio.create_task(
        processor.process_update(updates.text(BEN, "/roster", GROUP), handle("ben"))
    )
    await asyncio.sleep(0.01)
    assert done == []  # Ben's command in the group waits for Anna's
    slow.set()
    await asyncio.gather(first, second)
    assert done == ["anna", "ben"]
