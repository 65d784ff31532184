"""Updates from different people at the same time; each person's, and each chat's, in order.

Answering one update waits on Telegram (30–80 ms a call, several calls a step), so taking
updates strictly one at a time caps the bot at a few updates a second: in the monthly
storm, when a whole bureau taps [参加] within minutes, answers queued for tens of seconds.
Conversations only need order *per person* (a flow's steps are one person's messages)
and per chat (a group's commands), so that is what this keeps: an update waits only for
earlier updates from the same person or the same chat. The database serialises the
writes themselves (one writer, ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 64


class PerPersonProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # A lock per person or chat with updates in progress, and how many hold or want it;
        # dropped when nobody does, so memory follows the traffic, not everyone ever seen.
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        keys = _keys(update)
        for key in keys:  # always in the same (sorted) order: no two updates deadlock
            lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
            self._locks[key] = (lock, users + 1)
        taken: list[int] = []
        try:
            for key in keys:
                await self._locks[key][0].acquire()
                taken.append(key)
            await coroutine
        finally:
            for key in keys:
                lock, users = self._locks[key]
                if key in taken:
                    lock.release()
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _keys(update: object) -> list[int]:
    """The person and the chat an update belongs to (negative ids are chats)."""
    if not isinstance(update, Update):
        return []
    keys = set()
    if update.effective_user is not None:
        keys.add(update.effective_user.id)
    if update.effective_chat is not None:
        keys.add(update.effective_chat.id)
    return sorted(keys)
