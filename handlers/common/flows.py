"""Conversations built one way: persistent, timed out, and left with /cancel at any step.

``conversation(...)`` wraps PTB's ConversationHandler with the fallbacks every flow needs:

* ``/cancel`` or a [Cancel] button ends the flow (the feature may keep a draft first);
* any other command ends the flow and lets that command run, so /visit in the middle of
  /pledge starts the visit instead of being taken as an answer;
* after the timeout the person is told the flow ended.

A handled step raises ``ApplicationHandlerStop`` so the catch-all handlers in the later
group never answer the same message a second time.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers.common.callback import encode
from handlers.common.context import XContext, identify
from handlers.common.i18n import Translator, texts
from handlers.common.reply import ack, remove_buttons, reply
from storage.clock import from_iso, to_iso

Step = Callable[[Update, XContext], Awaitable[object]]
Hook = Callable[[Update, XContext], Awaitable[None]]

END = ConversationHandler.END
_SEEN_KEY = "_flow_seen"
# Typed instead of pressing [取消]: checked before a step takes a text as its answer, and
# by a fallback for steps that take no text.
CANCEL_WORDS = re.compile(r"^\s*(取消|退出|cancel)\s*[。.!！]?\s*$", re.IGNORECASE)
CANCEL_DATA = encode("flow", "cancel")

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


def flow_data(context: XContext, name: str) -> dict[str, Any]:
    """What this flow has collected so far (JSON values only: it is persisted)."""
    user_data = context.user_data
    if user_data is None:
        raise RuntimeError("flow data needs an update with a user")
    data = user_data.setdefault(name, {})
    assert isinstance(data, dict)
    return data


def clear_flow(context: XContext, name: str) -> None:
    if context.user_data is not None:
        context.user_data.pop(name, None)
        _seen(context).pop(name, None)


def conversation(
    name: str,
    *,
    entry_points: list[BaseHandler[Any, Any, Any]],
    states: dict[object, list[BaseHandler[Any, Any, Any]]],
    timeout: timedelta,
    on_cancel: Hook | None = None,
    on_timeout: Hook | None = None,
) -> ConversationHandler[Any]:
    """A persistent ConversationHandler with the standard fallbacks."""

    async def cancel(update: Update, context: XContext) -> int:
        if on_cancel is not None:
            await on_cancel(update, context)
        clear_flow(context, name)
        await ack(update)
        await remove_buttons(update)
        await reply(update, context, context.t("flow.cancelled"))
        return END

    async def leave(update: Update, context: XContext) -> int:
        # Another command: end this flow quietly and let that command run.
        clear_flow(context, name)
        await reply(update, context, context.t("flow.left"))
        return END

    async def timed_out(update: Update, context: XContext) -> None:
        await identify(update, context)
        if on_timeout is not None:
            await on_timeout(update, context)
        clear_flow(context, name)
        minutes = int(timeout.total_seconds() // 60) or 1
        await reply(update, context, context.t("flow.timed_out", minutes=minutes))

    async def expire(update: Update, context: XContext) -> None:
        await timed_out(update, context)

    for handler in entry_points:
        _stop_after(handler, name)
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
        return ConversationHandler(
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


def _stop_after(
    handler: BaseHandler[Any, Any, Any],
    name: str,
    *,
    expire_after: timedelta | None = None,
    expire: Hook | None = None,
    cancel: Step | None = None,
) -> None:
    """Wrap a flow's callback: stop later groups, and date each step.

    PTB's own timeout is a job in memory: a conversation restored after a restart has
    none. So each step is dated in the persisted user data, and a step that arrives after
    the timeout ends the flow (as the timeout would have) instead of taking the answer.
    """
    callback = handler.callback

    @functools.wraps(callback)
    async def step(update: Update, context: XContext) -> object:
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
            _seen(context).pop(name, None)
            raise ApplicationHandlerStop(state)
        state = await callback(update, context)
        if state == END:
            _seen(context).pop(name, None)
        elif state is not None:
            _seen(context)[name] = to_iso(context.now())
        raise ApplicationHandlerStop(state)

    handler.callback = step


def _seen(context: XContext) -> dict[str, Any]:
    """When each of this person's flows last took a step (persisted with the user data)."""
    if context.user_data is None:
        return {}
    seen = context.user_data.setdefault(_SEEN_KEY, {})
    assert isinstance(seen, dict)
    return seen
