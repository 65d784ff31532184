"""The composition root: builds the Application and wires storage, features and schedules.

Nothing imports this package; it imports everything else. Tests build the same
Application through `build_application`, with a fake Bot API transport as `request`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)
from telegram.request import BaseRequest

from bot.calendar_watch import schedule_calendar_watch
from bot.concurrency import PerPersonProcessor
from bot.settings import Settings
from handlers import (
    admin,
    branch,
    erasure,
    evaluation,
    fallback,
    holidays,
    inspection,
    links,
    meetings,
    onboarding,
    partyday,
    pledges,
    reminders,
    reports,
    roster,
    todo,
    visits,
)
from handlers.common.context import XContext, revoke_removed_admins
from handlers.common.errors import error_handler, identify_or_stop
from handlers.common.flows import schedule_timeouts
from handlers.common.menu import refresh_menu, register_default_menu
from handlers.common.persistence import SqlitePersistence
from handlers.common.presses import CallTracker, every_press_answered
from handlers.common.registry import Registrar, current_handler
from handlers.common.reminders import engine_renderers
from handlers.common.services import SERVICES_KEY, BotConfig, Running, Services
from schedules.budget import SendBudget
from schedules.dispatcher import Dispatcher, DispatchLimits
from schedules.engine import ReminderEngine
from schedules.pacing import Timer
from schedules.quiet import QuietHours
from storage import Database, calendar, members, outbox, prefs, retention
from storage.clock import Clock, SystemClock, local_today
from storage.link_rules import parse_rhythms
from storage.meetings import parse_frequencies
from storage.members import Role

# Order matters: each feature's conversations get the next groups; fallback goes last.
FEATURES = [
    onboarding,
    admin,
    branch,
    visits,
    pledges,
    partyday,
    meetings,
    links,
    reminders,
    reports,
    todo,
    evaluation,
    erasure,
    holidays,
    roster,
    inspection,
    fallback,
]
# New messages a second for the answers and the fan-out together: Telegram allows about 30;
# two are left for the skew between our clock and its count.
# (the fan-out's own rate, XIANFENG_SEND_RATE, is at most what this leaves).
TELEGRAM_OVERALL = 28
REMINDERS = "reminders"
RETENTION = "retention"
# The reminder tick: every minute, a window (last run, now] read from the database, so a
# run that is late or skipped loses nothing; the next one covers its window.
TICK_SECONDS = 60
TICK_JOB = {
    # APScheduler's defaults (through PTB) are a 1 s grace and coalescing: a tick that
    # starts more than 30 s late is dropped (the next covers its window), several missed
    # ones run once, and two never overlap.
    "misfire_grace_time": 30,
    "coalesce": True,
    "max_instances": 1,
}

log = logging.getLogger(__name__)


class XianfengApplication(Application[Any, Any, Any, Any, Any, Any]):
    """Answers every button press exactly once, and writes conversation state right after
    each update, so a crash loses no step."""

    async def process_update(self, update: object) -> None:
        current_handler.set(None)
        async with every_press_answered(update, self.bot, self.bot_data[SERVICES_KEY]):
            await super().process_update(update)
        if self.persistence is not None:
            await self.update_persistence()

    async def update_persistence(self) -> None:
        # PTB hands each changed conversation and user to the persistence one by one; it
        # buffers them and this writes them in one transaction.
        await super().update_persistence()
        if isinstance(self.persistence, SqlitePersistence):
            try:
                await self.persistence.write_pending()
            except Exception:
                # Kept pending, written with the next update's; like PTB, never fatal.
                log.exception("could not write the conversation state; will try again")


def config_from_settings(settings: Settings) -> BotConfig:
    quiet_start, quiet_end = settings.quiet_window()
    return BotConfig(
        zone=settings.zone,
        admin_ids=settings.admin_ids,
        default_language=settings.default_language,
        conversation_timeout=timedelta(minutes=settings.conversation_timeout_minutes),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        hold_on_holidays=settings.hold_on_holidays,
        max_open_pledges=settings.max_open_pledges,
        send_rate=settings.send_rate,
        send_concurrency=settings.send_concurrency,
        meeting_frequencies=parse_frequencies(settings.meeting_frequency),
        visit_retention_years=settings.visit_retention_years,
        link_rhythms=parse_rhythms(settings.link_rhythm),
        members_see_ranking=settings.members_see_ranking,
        rating_notice_days=settings.rating_notice_days,
    )


def application_from_settings(
    settings: Settings, token: str, db: Database
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application `xianfeng run` serves: Telegram reached as the settings say
    (directly, through PROXY_URL, or a self-hosted Bot API server in local mode)."""
    return build_application(
        token=token,
        db=db,
        config=config_from_settings(settings),
        base_url=settings.api_base_url,
        base_file_url=settings.api_file_base_url,
        proxy_url=settings.proxy_url,
        local_mode=settings.api_local_mode,
    )


def build_application(
    *,
    token: str,
    db: Database,
    config: BotConfig,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    base_url: str = "https://api.telegram.org/bot",
    base_file_url: str = "https://api.telegram.org/file/bot",
    proxy_url: str | None = None,
    local_mode: bool = False,
) -> Application[Any, Any, Any, Any, Any, Any]:
    clock = clock or SystemClock()
    budget = SendBudget(TELEGRAM_OVERALL)
    builder = (
        ApplicationBuilder()
        .application_class(XianfengApplication)
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .local_mode(local_mode)
        .context_types(ContextTypes(context=XContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=config.zone))
        .persistence(SqlitePersistence(db, clock, conversation_timeout=config.conversation_timeout))
        .rate_limiter(CallTracker(budget))
        .concurrent_updates(PerPersonProcessor())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    elif proxy_url:
        builder = builder.proxy(proxy_url).get_updates_proxy(proxy_url)
    app = builder.build()
    services = Services(db=db, clock=clock, config=config)
    app.bot_data[SERVICES_KEY] = services
    # The dispatcher's own Bot on the same connection pool, without the Application's
    # rate limiter: it paces itself and takes its turns from the same budget, after the
    # answers to people acting (schedules/budget.py).
    services.budget = budget
    services.fanout_bot = Bot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=app.bot.request,
        get_updates_request=app.bot.request,
        local_mode=local_mode,
    )
    app.add_handler(TypeHandler(Update, identify_or_stop), group=-1)
    registrar = Registrar(app, config)
    for feature in FEATURES:
        registrar.command_specs(feature.COMMANDS)
        feature.register(registrar)
    services.commands = tuple(registrar.commands)
    services.receipts = dict(registrar.receipts)
    services.reminders = ReminderEngine(
        db,
        clock,
        zone=config.zone,
        quiet=QuietHours(config.quiet_start, config.quiet_end, config.hold_on_holidays),
        renderers=engine_renderers(registrar.reminders, config.zone),
        default_language=config.default_language,
        wake=lambda: services.dispatcher.wake() if services.dispatcher is not None else None,
        frequencies=config.meeting_frequencies,
        rhythms=config.link_rhythms,
    )
    registrar.retention("outbox", outbox.erase_sent_before)
    services.erasers = dict(registrar.erasers)
    app.add_error_handler(error_handler)
    return app


async def startup(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    run_dispatcher: bool = True,
    run_reminders: bool | None = None,
) -> None:
    """What start-up does after `initialize`: admins no longer in the settings lose the
    role, command menus, the outbox dispatcher, the sweep that ends flows left alone, and
    the reminder tick (its first run, a second after start, is the catch-up after
    downtime).

    Tests pass ``run_dispatcher=False`` and drain the outbox step by step instead; the
    tick then follows it (``run_reminders`` defaults to ``run_dispatcher``), and tests
    call ``reminder_engine(app).tick()`` with their own clock.
    """
    services: Services = app.bot_data[SERVICES_KEY]
    async with services.db.read() as conn:
        await calendar.load_overrides(conn)
    await revoke_removed_admins(app.bot, services)
    services.dispatcher = dispatcher(app)
    if run_dispatcher:
        stop = asyncio.Event()
        task = asyncio.create_task(services.dispatcher.run(stop), name="outbox-dispatcher")
        services.dispatching = Running(stop, task)
    schedule_timeouts(app, services.config.conversation_timeout)
    engine = reminder_engine(app)
    if engine.missing:
        log.warning("reminders: no renderer for %s; those kinds are not sent", engine.missing)
    if (run_dispatcher if run_reminders is None else run_reminders) and app.job_queue:
        app.job_queue.run_repeating(
            _tick, interval=TICK_SECONDS, first=1, name=REMINDERS, job_kwargs=TICK_JOB
        )
        # Daily, and a minute after start so a bot restarted every night still runs it.
        app.job_queue.run_repeating(
            _erase_expired, interval=timedelta(days=1), first=60, name=RETENTION
        )
        schedule_calendar_watch(app)
    await _register_menus(app, services)


def dispatcher(
    app: Application[Any, Any, Any, Any, Any, Any], timer: Timer | None = None
) -> Dispatcher:
    """The outbox dispatcher as this application runs it: its pace, quiet hours and the
    features' receipts. (Tests drain the outbox with one built here, on fake time.)"""
    services: Services = app.bot_data[SERVICES_KEY]
    config = services.config
    return Dispatcher(
        services.db,
        services.fanout_bot or app.bot,
        services.clock,
        DispatchLimits(rate=config.send_rate, max_in_flight=config.send_concurrency),
        timer=timer,
        quiet=QuietHours(config.quiet_start, config.quiet_end),
        zone=config.zone,
        receipts=services.receipts,
        budget=services.budget,
    )


def reminder_engine(app: Application[Any, Any, Any, Any, Any, Any]) -> ReminderEngine:
    engine = app.bot_data[SERVICES_KEY].reminders
    assert isinstance(engine, ReminderEngine)
    return engine


def dispatcher_running(app: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    """Whether the outbox dispatcher task started by `startup` is still going."""
    running = app.bot_data[SERVICES_KEY].dispatching
    return running is not None and not running.task.done()


async def _tick(context: XContext) -> None:
    try:
        await reminder_engine(context.application).tick()
    except Exception:
        # The next tick covers this one's window, so one failure delays, never loses.
        log.exception("reminders: the tick failed; the next one will cover its window")


async def erase_expired(app: Application[Any, Any, Any, Any, Any, Any]) -> dict[str, int]:
    """Retention: erase children's data past its time, by every registered eraser."""
    services: Services = app.bot_data[SERVICES_KEY]
    erased = await retention.erase_expired(
        services.db,
        services.erasers,
        today=local_today(services.clock, services.config.zone),
        years=services.config.visit_retention_years,
        now=services.clock.now(),
    )
    if any(erased.values()):
        log.info("retention: erased %s", erased)
    return erased


async def _erase_expired(context: XContext) -> None:
    try:
        await erase_expired(context.application)
    except Exception:
        log.exception("retention: erasing failed; the next daily run tries again")


def freeze_long_lived() -> None:
    """Leave what start-up built (modules, classes, the Application, the catalogs: some
    170,000 objects) out of the garbage collector's full collections from now on. Each
    full collection scans every tracked object with the event loop stopped: over those,
    120–150 ms of CPU, stretched to 0.5 s on a busy machine (the longest stalls
    ``bench.storm`` found). ``xianfeng run`` calls it once after ``startup``; tests do not,
    as what is frozen is never collected (freed only by reference counting)."""
    gc.collect()
    gc.freeze()


async def shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Let the dispatcher finish the messages in flight, then return."""
    services: Services = app.bot_data[SERVICES_KEY]
    running, services.dispatching = services.dispatching, None
    if running is not None:
        running.stop.set()
        await running.task


async def _register_menus(
    app: Application[Any, Any, Any, Any, Any, Any], services: Services
) -> None:
    await register_default_menu(app.bot, services.commands)
    async with services.db.read() as conn:
        people = await members.with_roles(conn, Role.ADMIN, Role.SECRETARY)
        languages = await prefs.languages(conn, (p.telegram_id for p in people))
    for person in people:
        lang = languages.get(person.telegram_id, services.config.default_language)
        await refresh_menu(app.bot, person, services.commands, lang)
