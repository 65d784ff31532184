"""PTB persistence over our SQLite database: conversation states and flow data, as JSON.

PTB's own persistence classes pickle to a file or keep memory; this one keeps what a
flow has reached in the same database as everything else. What PTB hands over after an
update is written in one transaction and one trip to the database's writer thread
(``write_pending``, called by the Application right after PTB's own
``update_persistence``), not one per conversation and user. PTB does not
persist conversation timeouts, so states older than the timeout are dropped when loaded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from storage import Database, flowstate
from storage.clock import Clock
from storage.database import Statement

log = logging.getLogger(__name__)


class SqlitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, clock: Clock, *, conversation_timeout: timedelta) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=60,
        )
        self._db = db
        self._clock = clock
        self._timeout = conversation_timeout
        # What each user's flow data was when last read or written: PTB asks to store it
        # after every update from that user, and most updates change nothing in it.
        self._stored: dict[int, str] = {}
        # Handed over by PTB and not yet written (see ``write_pending``).
        self._users: dict[int, tuple[dict[Any, Any] | None, str]] = {}
        self._states: dict[tuple[str, str], object | None] = {}

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        async with self._db.read() as conn:
            loaded = dict(await flowstate.load_user_data(conn))
        self._stored = {user_id: _fingerprint(data) for user_id, data in loaded.items()}
        return loaded

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        data = _kept(data)
        fingerprint = _fingerprint(data)
        if self._stored.get(user_id, _fingerprint(None)) == fingerprint:
            self._users.pop(user_id, None)  # back to what is stored: nothing to write
            return
        self._users[user_id] = (data, fingerprint)

    async def drop_user_data(self, user_id: int) -> None:
        self._users[user_id] = (None, _fingerprint(None))

    async def write_pending(self) -> None:
        """Write what PTB handed over since the last call, in one transaction.

        If it fails, the changes stay pending and go with the next update's (PTB would
        have logged and dropped them); a newer value for the same key replaces an older.
        A person's flow data that cannot be stored (not JSON, or text SQLite refuses) is
        logged and dropped with their conversation steps of this update, so the two stay
        in step and one person's broken data never holds back everyone else's.
        """
        users, states = self._users, self._states
        if not users and not states:
            return
        self._users, self._states = {}, {}
        now = self._clock.now()
        statements: list[Statement] = []
        written: dict[int, str] = {}
        broken: set[int] = set()
        for user_id, (data, fingerprint) in users.items():
            made = _statement(
                f"user {user_id}", partial(flowstate.save_user_data, user_id, data, now=now)
            )
            if made is None:
                broken.add(user_id)
            else:
                statements.append(made)
                written[user_id] = fingerprint
        kept_states = {
            (name, key): state
            for (name, key), state in states.items()
            if not broken.intersection(_decode_key(key))
        }
        for (name, key), state in kept_states.items():
            made = _statement(
                f"conversation {name}", partial(flowstate.save_state, name, key, state, now=now)
            )
            if made is not None:
                statements.append(made)
        if not statements:
            return
        try:
            await self._db.write_all(statements)
        except BaseException:
            self._users = {user_id: users[user_id] for user_id in written} | self._users
            self._states = kept_states | self._states
            raise
        self._stored.update(written)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer of flow data."""

    async def get_conversations(self, name: str) -> ConversationDict:
        cutoff = self._clock.now() - self._timeout
        conversations: ConversationDict = {}
        async with self._db.read() as conn:
            rows = await flowstate.load_states(conn, name)
        for key, state, updated_at in rows:
            if updated_at >= cutoff:
                conversations[_decode_key(key)] = state
        return conversations

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        self._states[(name, _encode_key(key))] = new_state

    # Bot-wide and chat data are not persisted here (settings and records live in tables).
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        """At shutdown: whatever is still pending (normally nothing)."""
        await self.write_pending()


def _statement(what: str, make: Callable[[], Statement]) -> Statement | None:
    """The statement ``make`` builds, or None (logged) if its value is not JSON or its
    text is not UTF-8 (a lone surrogate passes ``json.dumps`` but not SQLite)."""
    try:
        statement = make()
        for value in statement[1]:
            if isinstance(value, str):
                value.encode()
        return statement
    except (TypeError, ValueError):
        # A programming error in one flow: say where, never what (it may hold an alias).
        log.error("flow data of %s cannot be stored as JSON; this step is not kept", what)
        return None


def _kept(data: dict[Any, Any]) -> dict[Any, Any]:
    """What is worth keeping: an empty entry (a flow's data or dates looked at, nothing
    in them) reads the same as none, so it neither makes a write nor takes room."""
    return {key: value for key, value in data.items() if value != {}}


def _fingerprint(data: dict[Any, Any] | None) -> str:
    # Empty data is stored as no row at all, so {} and None are the same.
    return json.dumps(data or {}, sort_keys=True, ensure_ascii=False, default=str)


def _encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key))


def _decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))
