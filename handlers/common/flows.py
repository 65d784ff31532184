"""The one flow protocol: entering, dated steps, leaving, ending; ``conversation(...)``
wraps PTB's ConversationHandler with it (features register theirs through
``Registrar.conversation``, which gives the configured timeout).

* Entering: an entry step calls ``enter_flow(context, name, **values)``, which drops what
  an unfinished run had collected; the steps keep JSON values in ``flow_data``.
* Each step is dated in the persisted user data, so the timeout survives a restart: a
  step that arrives after it ends the flow. While the process runs, a flow left alone
  is ended by ``sweep_timeouts`` (one repeating job for all flows, instead of PTB's job
  per step), which tells the person it ended.
* Leaving: ``/cancel``, [Cancel] or a typed 取消; any other command (the flow ends and
  that command runs, so /visit in the middle of /pledge starts the visit); the timeout.
  The step being left may have an on-leave hook (``on_leave={STEP: hook}``) that undoes
  what it showed (a location keyboard) or keeps what was entered.
* Ending: a step that returns END clears the flow's data; ``flow_active`` and
  ``flow_step`` say whether (and where) a flow is running.

A handled step raises ``ApplicationHandlerStop`` so the catch-all handlers in the later
group never answer the same message a second time.
"""

from __future__ import annotations

import functools
import logging
import re
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any, Protocol

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.ext._utils.types import ConversationKey
from telegram.warnings import PTBUserWarning

from handlers.common.callback import encode, pattern
from handlers.common.context import XContext, identify
from handlers.common.i18n import Translator, texts
from handlers.common.reply import ack, remove_buttons, reply
from handlers.common.typed import is_skip, typed_text
from storage.clock import from_iso, to_iso

Step = Callable[[Update, XContext], Coroutine[Any, Any, object]]
Hook = Callable[[Update, XContext], Awaitable[None]]
# What a photo step does with the photo sent (its file id), or with none when skipped.
TakePhoto = Callable[[Update, XContext, str | None], Awaitable[object]]
Handlers = list[BaseHandler[Any, Any, Any]]
# What a step's handlers match: typed text, and anything else that is not a command
# (a photo, a sticker where text is asked), answered with "text, please" or similar.
TEXT = filters.TEXT & ~filters.COMMAND
OTHER = ~filters.COMMAND


class Leaving(StrEnum):
    """How a flow was left before its last step."""

    CANCELLED = "cancelled"  # /cancel, [Cancel], or 取消 typed
    COMMAND = "command"  # another command (or another entry of the same flow) took over
    TIMED_OUT = "timed_out"


LeaveHook = Callable[[Update, XContext, Leaving], Awaitable[None]]
logger = logging.getLogger(__name__)

END = ConversationHandler.END
_SEEN_KEY = "_flow_seen"
_STEP_KEY = "_flow_step"
# Typed instead of pressing [取消]: checked before a step takes a text as its answer, and
# by a fallback for steps that take no text.
CANCEL_WORDS = re.compile(r"^\s*(取消|退出|cancel)\s*[。.!！]?\s*$", re.IGNORECASE)
CANCEL_DATA = encode("flow", "cancel")
TIMEOUT_SWEEP = "flow-timeouts"
"""The job that ends flows left alone (``schedule_timeouts``)."""

texts(
    {
        "flow.cancelled": ("已取消。", "Cancelled."),
        "flow.nothing_to_cancel": (
            "当前没有进行中的操作。发送 /help 查看可用命令。",
            "There is nothing to cancel. Send /help to see what you can do.",
        ),
        "flow.left": ("（已退出未完成的操作。）", "(The unfinished step was left.)"),
        "flow.timed_out": (
            "您已 {minutes} 分钟未操作，本次操作已自动结束。如需继续，请重新开始。",
            "This step was left unfinished for {minutes} minutes and has ended. "
            "Please start again when you are ready.",
        ),
        "button.cancel": ("取消", "Cancel"),
        "button.back": ("返回", "Back"),
        "input.text_expected": (
            "这里需要输入文字，请重新输入。",
            "Please answer with text here.",
        ),
        "input.use_buttons": (
            "请点击上面的按钮选择，或按提示输入。",
            "Please tap one of the buttons above, or type as asked.",
        ),
    }
)


def cancel_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t("button.cancel"), callback_data=CANCEL_DATA)


def enter_flow(context: XContext, name: str, **values: Any) -> dict[str, Any]:
    """Begin the flow afresh: what an unfinished run had collected is dropped."""
    clear_flow(context, name)
    data = flow_data(context, name)
    data.update(values)
    return data


def flow_data(context: XContext, name: str) -> dict[str, Any]:
    """What this flow has collected so far (JSON values only: it is persisted)."""
    user_data = context.user_data
    if user_data is None:
        raise RuntimeError("flow data needs an update with a user")
    data = user_data.setdefault(name, {})
    assert isinstance(data, dict)
    return data


def clear_flow(context: XContext, name: str) -> None:
    """End the flow's run: its data, its date and its step are forgotten."""
    if context.user_data is not None:
        context.user_data.pop(name, None)
        _seen(context).pop(name, None)
        _steps(context).pop(name, None)


def flow_active(context: XContext, name: str) -> bool:
    """Whether the person is in the middle of this flow (a step taken within the timeout)."""
    seen = _seen(context).get(name)
    return (
        isinstance(seen, str)
        and context.now() - from_iso(seen) < context.config.conversation_timeout
    )


def flow_step(context: XContext, name: str) -> object | None:
    """The step the flow waits at, or None when it is not running."""
    return _steps(context).get(name) if flow_active(context, name) else None


def step_handlers(prefix: str, typed: Step, other: Step, **buttons: Step) -> Handlers:
    """One step's handlers: its buttons (callback action → handler, under ``prefix``),
    what is typed, and ``other`` for anything else (a photo where text is asked)."""
    return [
        *(
            CallbackQueryHandler(handler, pattern=pattern(prefix, action))
            for action, handler in buttons.items()
        ),
        MessageHandler(TEXT, typed),
        MessageHandler(OTHER, other),
    ]


def photo_step(prefix: str, take: TakePhoto, other: Step, *, skip: str = "skip") -> Handlers:
    """A step asking for a photo that may be left out. A photo sent goes to ``take`` with
    its file id (the largest size); the skip button (``prefix:skip``, which loses its
    buttons) or a typed skip word, with None; other text, or anything else, to ``other``."""

    async def sent(update: Update, context: XContext) -> object:
        message = update.effective_message
        assert message is not None and message.photo
        return await take(update, context, message.photo[-1].file_id)

    async def skipped(update: Update, context: XContext) -> object:
        await remove_buttons(update)
        return await take(update, context, None)

    async def typed(update: Update, context: XContext) -> object:
        if is_skip(typed_text(update)):
            return await take(update, context, None)
        return await other(update, context)

    return [
        MessageHandler(filters.PHOTO, sent),
        *step_handlers(prefix, typed, other, **{skip: skipped}),
    ]


class FlowPart(Protocol):
    """A module with some of the steps of a feature's one conversation."""

    def entry_points(self) -> Handlers: ...

    def states(self) -> dict[object, Handlers]: ...


def conversation(
    name: str,
    *,
    entry_points: list[BaseHandler[Any, Any, Any]],
    states: dict[object, list[BaseHandler[Any, Any, Any]]],
    timeout: timedelta,
    on_leave: Mapping[object, LeaveHook] | None = None,
) -> ConversationHandler[Any]:
    """A persistent ConversationHandler with the standard fallbacks.

    ``on_leave`` maps a step to what leaving it (cancelled, another command, timed out)
    must do before the flow's data is cleared.
    """
    hooks = dict(on_leave or {})

    async def left(update: Update, context: XContext, how: Leaving) -> None:
        await replaced(update, context, _steps(context).get(name), how)

    async def replaced(
        update: Update, context: XContext, step: object, how: Leaving = Leaving.COMMAND
    ) -> None:
        hook = hooks.get(step)
        if hook is not None:
            await hook(update, context, how)

    async def cancel(update: Update, context: XContext) -> int:
        await left(update, context, Leaving.CANCELLED)
        clear_flow(context, name)
        await ack(update)
        await remove_buttons(update)
        await reply(update, context, context.t("flow.cancelled"))
        return END

    async def leave(update: Update, context: XContext) -> int:
        # Another command: end this flow quietly and let that command run.
        await left(update, context, Leaving.COMMAND)
        clear_flow(context, name)
        await reply(update, context, context.t("flow.left"))
        return END

    async def timed_out(update: Update, context: XContext) -> None:
        await identify(update, context)
        await left(update, context, Leaving.TIMED_OUT)
        clear_flow(context, name)
        minutes = int(timeout.total_seconds() // 60) or 1
        await reply(update, context, context.t("flow.timed_out", minutes=minutes))

    async def expire(update: Update, context: XContext) -> None:
        await timed_out(update, context)

    for handler in entry_points:
        _stop_after(handler, name, replaced=replaced)
    for handlers in states.values():
        for handler in handlers:
            _stop_after(handler, name, expire_after=timeout, expire=expire, cancel=cancel)
    cancel_handlers: list[BaseHandler[Any, Any, Any]] = [
        CommandHandler("cancel", cancel),
        CallbackQueryHandler(cancel, pattern=f"^{CANCEL_DATA}$"),
    ]
    for handler in cancel_handlers:
        _stop_after(handler, name)
    typed_cancel = MessageHandler(filters.Regex(CANCEL_WORDS) & ~filters.COMMAND, cancel)
    _stop_after(typed_cancel, name)
    fallbacks = [*cancel_handlers, typed_cancel, MessageHandler(filters.COMMAND, leave)]
    with warnings.catch_warnings():
        # per_message=False is deliberate: one flow per person, buttons included.
        warnings.simplefilter("ignore", PTBUserWarning)
        return FlowConversation(
            entry_points=entry_points,
            states={
                **states,
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=fallbacks,
            name=name,
            persistent=True,
            conversation_timeout=timeout.total_seconds(),
            allow_reentry=True,
        )


class FlowConversation(ConversationHandler[Any]):
    """PTB's ConversationHandler with its timeout kept as a deadline in memory.

    PTB adds a JobQueue job for every step and removes it at the next one (APScheduler
    work on every update); here a step only notes when the flow times out, and
    ``sweep_timeouts`` ends the flows past it, running the TIMEOUT handlers as PTB's
    job would have.
    """

    def _schedule_job(
        self,
        new_state: object,
        application: Application[Any, Any, Any, Any, Any, Any],
        update: Update,
        context: Any,
        conversation_key: ConversationKey,
    ) -> None:
        if new_state == self.END or not self.conversation_timeout:
            return
        if new_state is None and self._conversations.get(conversation_key) is None:
            # An entry point that acted at once and started no flow ([参加] on the
            # announcement): there is nothing to time out, and a deadline would keep the
            # update and its context alive for the whole timeout (in the monthly storm,
            # thousands of them for the garbage collector to scan) and then tell the
            # person a flow they never began had ended.
            return
        seconds = (
            self.conversation_timeout.total_seconds()
            if isinstance(self.conversation_timeout, timedelta)
            else self.conversation_timeout
        )
        deadline = _Deadline(time.monotonic() + seconds, update, application, context)
        # PTB keeps what it schedules here and calls schedule_removal() on it at the
        # conversation's next step.
        self.timeout_jobs[conversation_key] = deadline  # type: ignore[assignment]

    async def expire_due(self, now: float) -> list[Update]:
        """End the conversations whose deadline has passed; the updates they ended at."""
        ended: list[Update] = []
        for key, deadline in list(self.timeout_jobs.items()):
            if not isinstance(deadline, _Deadline) or deadline.at > now:
                continue
            async with self._timeout_jobs_lock:
                if self.timeout_jobs.get(key) is not deadline:
                    continue  # a step came meanwhile
                del self.timeout_jobs[key]
            try:
                for handler in self.states.get(self.TIMEOUT, []):
                    check = handler.check_update(deadline.update)
                    if check is not None and check is not False:
                        await handler.handle_update(
                            deadline.update, deadline.application, check, deadline.context
                        )
            except Exception as exc:  # reported as a failed job would be
                await deadline.application.process_error(None, exc)
            self._update_state(self.END, key)
            ended.append(deadline.update)
        return ended


class _Deadline:
    """When a conversation times out, and what its TIMEOUT handlers are given then."""

    __slots__ = ("application", "at", "context", "update")

    def __init__(
        self,
        at: float,
        update: Update,
        application: Application[Any, Any, Any, Any, Any, Any],
        context: Any,
    ) -> None:
        self.at = at
        self.update = update
        self.application = application
        self.context = context

    def schedule_removal(self) -> None:
        """What PTB calls when the next step comes: dropping it from the handler is enough."""


def schedule_timeouts(app: Application[Any, Any, Any, Any, Any, Any], timeout: timedelta) -> None:
    """Run ``sweep_timeouts`` a few times per timeout (at most every 30 seconds), so a flow
    left alone ends, and the person hears it, soon after its timeout."""
    if app.job_queue is None:
        return
    every = min(timeout.total_seconds() / 4, 30.0)
    app.job_queue.run_repeating(
        _sweep, interval=every, first=every, name=TIMEOUT_SWEEP, job_kwargs={"coalesce": True}
    )


async def sweep_timeouts(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """End every flow past its timeout (see ``FlowConversation``); how many ended. What
    they changed is written at once, not with the person's next update."""
    now = time.monotonic()
    ended: list[Update] = []
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, FlowConversation):
                ended += await handler.expire_due(now)
    if ended:
        app.mark_data_for_update_persistence(
            user_ids=[u.effective_user.id for u in ended if u.effective_user is not None]
        )
        await app.update_persistence()
    return len(ended)


async def _sweep(context: XContext) -> None:
    await sweep_timeouts(context.application)


def _stop_after(
    handler: BaseHandler[Any, Any, Any],
    name: str,
    *,
    expire_after: timedelta | None = None,
    expire: Hook | None = None,
    cancel: Step | None = None,
    replaced: Callable[[Update, XContext, object], Awaitable[None]] | None = None,
) -> None:
    """Wrap a flow's callback: stop later groups, date each step, clear the data at END.

    PTB's own timeout is a job in memory: a conversation restored after a restart has
    none. So each step is dated in the persisted user data, and a step that arrives after
    the timeout ends the flow (as the timeout would have) instead of taking the answer.
    An entry that moves a running flow to another step leaves the step it was at
    (``replaced``), as another command would.
    """
    callback = handler.callback

    @functools.wraps(callback)
    async def step(update: Update, context: XContext) -> object:
        before = flow_step(context, name)
        seen = _seen(context).get(name)
        if (
            expire_after is not None
            and expire is not None
            and isinstance(seen, str)
            and context.now() - from_iso(seen) > expire_after
        ):
            await expire(update, context)
            raise ApplicationHandlerStop(END)
        message = update.message
        if cancel is not None and message and message.text and CANCEL_WORDS.match(message.text):
            # 取消 typed where an answer is expected means the [取消] button, not an answer.
            state = await cancel(update, context)
            clear_flow(context, name)
            raise ApplicationHandlerStop(state)
        state = await callback(update, context)
        if replaced is not None and before is not None and state is not None and state != before:
            await replaced(update, context, before)
        if state == END:
            clear_flow(context, name)
        elif state is not None:
            _seen(context)[name] = to_iso(context.now())
            _steps(context)[name] = state
        raise ApplicationHandlerStop(state)

    handler.callback = step


def _seen(context: XContext) -> dict[str, Any]:
    """When each of this person's flows last took a step (persisted with the user data)."""
    return _per_flow(context, _SEEN_KEY)


def _steps(context: XContext) -> dict[str, Any]:
    """Which step each of this person's flows waits at (persisted with the user data)."""
    return _per_flow(context, _STEP_KEY)


def _per_flow(context: XContext, key: str) -> dict[str, Any]:
    if context.user_data is None:
        return {}
    found = context.user_data.setdefault(key, {})
    assert isinstance(found, dict)
    return found
