"""The flow-test harness: the real Application, a fake Bot API, a temp database, a fixed clock."""

from __future__ import annotations

import json
import os

# PTB 22 warns on every RetryAfter unless it may use timedelta; production sets the same.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application, startup
from bot.app import dispatcher as app_dispatcher
from handlers.common.services import BotConfig
from storage import Database, calendar, ledger, outbox, points
from storage.clock import FixedClock
from storage.ledger_period import LedgerPeriod
from tests.fakebot import FakeTelegram, FakeUser, UpdateFactory

ZONE = ZoneInfo("Asia/Shanghai")
# A Saturday morning in term time; tests move the clock where they need to.
START = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)

ADMIN = FakeUser(1001, "局办", username="bureau_admin")
SECRETARY = FakeUser(2001, "李红梅")
MEMBER = FakeUser(3001, "王老师")
MEMBER2 = FakeUser(3002, "张老师")
OTHER_SECRETARY = FakeUser(2002, "赵建国")
OTHER_MEMBER = FakeUser(3101, "钱老师")
STRANGER = FakeUser(9001, "路人", language_code="en")
EN_MEMBER = FakeUser(3003, "Lin", language_code="en")


class Harness:
    """Drives the bot like Telegram would and shows what it answered."""

    def __init__(self, db_path: Path, config: BotConfig, clock: FixedClock) -> None:
        self.db_path = db_path
        self.config = config
        self.clock = clock
        self.tg = FakeTelegram(clock=lambda: clock.now().timestamp())
        self.db = Database(db_path)
        self.app: Any = None
        self.updates: UpdateFactory

    async def start(self) -> None:
        await self.db.open()
        self.app = build_application(
            token="999000:TEST", db=self.db, config=self.config, clock=self.clock, request=self.tg
        )
        await self.app.initialize()
        await startup(self.app, run_dispatcher=False)
        await self.app.start()  # runs the job queue, which conversation timeouts need
        previous = getattr(self, "updates", None)
        self.updates = UpdateFactory(self.app.bot, self.tg)
        if previous is not None:
            # Telegram never reuses an update id, across a restart neither.
            self.updates.update_ids = previous.update_ids

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            await self.app.shutdown()
            self.app = None
        await self.db.close()

    async def restart(self) -> None:
        """Stop the bot the hard way (nothing flushed beyond what each update wrote)."""
        if self.app is not None:
            # Like a crash: the process goes away without its shutdown. Each update already
            # wrote its state, so the stop's last persistence flush has nothing to add.
            await self.app.stop()
            self.app = None
        await self.db.close()
        self.db = Database(self.db_path)
        await self.start()

    async def deliver(self) -> int:
        """Drain the outbox through the fake transport, as the running dispatcher would
        (with the deployment's quiet hours and the features' receipts).

        Pacing runs on fake time, so a chat's one-message-a-second limit costs nothing.
        """
        timer = _InstantTimer()
        dispatcher = app_dispatcher(self.app, timer=timer)
        total = 0
        for _ in range(1000):
            sent = await dispatcher.run_once()
            total += sent
            timer.elapsed += 2.0
            async with self.db.read() as conn:
                due = await outbox.next_due_at(conn)
            if sent == 0 and (due is None or due > self.clock.now()):
                break
        return total

    async def send(self, user: FakeUser, text: str, chat: Any = None) -> list[str]:
        return await self._process(user, self.updates.text(user, text, chat), chat)

    async def press(self, user: FakeUser, button_text: str) -> list[str]:
        return await self._process(user, self.updates.press(user, button_text))

    async def callback(self, user: FakeUser, data: str, message_id: int | None = None) -> list[str]:
        return await self._process(user, self.updates.callback(user, data, message_id))

    async def photo(
        self, user: FakeUser, file_id: str = "PHOTO1", caption: str | None = None
    ) -> list[str]:
        return await self._process(user, self.updates.photo(user, file_id, caption))

    async def location(self, user: FakeUser, lat: float = 28.85, lon: float = 121.14) -> list[str]:
        return await self._process(user, self.updates.location(user, lat, lon))

    async def process(self, user: FakeUser, update: Any) -> list[str]:
        return await self._process(user, update)

    async def _process(self, user: FakeUser, update: Any, chat: Any = None) -> list[str]:
        chat_id = user.id if chat is None else (chat if isinstance(chat, int) else chat["id"])
        before = len(self.tg.texts(chat_id))
        await self.app.process_update(update)
        return self.tg.texts(chat_id)[before:]

    def answers(self, user: FakeUser | None = None) -> list[str]:
        """Texts of answerCallbackQuery calls (button alerts), in order."""
        return [
            str(c.params.get("text", ""))
            for c in self.tg.calls_to("answerCallbackQuery")
            if c.params.get("text")
        ]

    def last(self, user: FakeUser) -> str:
        return self.tg.texts(user.id)[-1]

    def buttons(self, user: FakeUser) -> list[str]:
        """Labels of the buttons on the newest message with buttons in the user's chat."""
        for message in reversed(self.tg.messages_in(user.id)):
            labels = [text for text, _ in FakeTelegram.buttons(message)]
            if labels:
                return labels
        return []

    # ------------------------------------------------------------ set-up shortcuts

    async def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """What the database holds: the rows of a read, as tuples."""
        async with self.db.read() as conn, conn.execute(sql, params) as cur:
            return [tuple(row) for row in await cur.fetchall()]

    async def audit(self, action: str) -> list[tuple[Any, ...]]:
        """Who did ``action`` to what and when: (at, actor_id, entity, entity_id, detail),
        the entry's detail decoded."""
        rows = await self.rows(
            "SELECT at, actor_id, entity, entity_id, detail FROM audit_log WHERE action = ?",
            (action,),
        )
        return [(*row[:4], json.loads(row[4])) for row in rows]

    async def school_year_ledger(self, year: int, today: date) -> ledger.BranchLedger:
        """The first branch's 台账 for the school year starting in ``year``, as its
        secretary downloads it (students' aliases included), read on ``today``."""
        async with self.db.read() as conn:
            return await ledger.branch_ledger(
                conn,
                ledger.BranchRef(1, "第一中学党支部"),
                LedgerPeriod.school_year(year),
                ledger.Reading(today=today, zone=self.config.zone),
                private=True,
            )

    async def member_points(self, member_id: int, year: int) -> points.MemberPoints:
        """A member's points for ``year`` (what the pioneers' nomination carries)."""
        async with self.db.read() as conn:
            found = await points.member_year(conn, member_id, year, zone=self.config.zone)
        assert found is not None
        return found

    async def branch_with_people(self) -> dict[str, Any]:
        """Admin creates 第一中学党支部; its secretary and two members join by link."""
        await self.send(ADMIN, "/newbranch 第一中学党支部")
        sec_link = self.invite_code(ADMIN)
        await self.send(SECRETARY, f"/start {sec_link}")
        await self.send(SECRETARY, "李红梅")
        await self.send(SECRETARY, "/invite")
        member_code = self.invite_code(SECRETARY)
        for user, name in ((MEMBER, "王老师"), (MEMBER2, "张老师")):
            await self.send(user, f"/start {member_code}")
            await self.send(user, name)
        await self.deliver()  # the secretary told who joined
        return {"member_code": member_code}

    async def second_branch(self) -> None:
        await self.send(ADMIN, "/newbranch 第二中学党支部")
        await self.send(OTHER_SECRETARY, f"/start {self.invite_code(ADMIN)}")
        await self.send(OTHER_SECRETARY, "赵建国")
        await self.send(OTHER_SECRETARY, "/invite")
        await self.send(OTHER_MEMBER, f"/start {self.invite_code(OTHER_SECRETARY)}")
        await self.send(OTHER_MEMBER, "钱老师")
        await self.deliver()

    def invite_code(self, user: FakeUser) -> str:
        for text in reversed(self.tg.texts(user.id)):
            if "?start=" in text:
                return text.split("?start=")[1].split()[0]
        raise AssertionError("no invite link was sent")


class _InstantTimer:
    """Monotonic time that only moves when slept on or advanced by hand."""

    def __init__(self) -> None:
        self.elapsed = 0.0

    def monotonic(self) -> float:
        return self.elapsed

    async def sleep(self, seconds: float) -> None:
        self.elapsed += max(seconds, 0.0)


@pytest.fixture(autouse=True)
def _calendar_overrides() -> Iterator[None]:
    """The calendar's overrides are process-wide (loaded from each test's database): none
    before a test, none left after it."""
    calendar.use_overrides([])
    yield
    calendar.use_overrides([])


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def config() -> BotConfig:
    return BotConfig(zone=ZONE, admin_ids=frozenset({ADMIN.id}), default_language="zh")


@pytest.fixture
async def harness(tmp_path: Path, config: BotConfig, clock: FixedClock) -> AsyncIterator[Harness]:
    h = Harness(tmp_path / "bot.sqlite3", config, clock)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "unit.sqlite3")
    await database.open()
    try:
        yield database
    finally:
        await database.close()
