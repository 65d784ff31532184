"""No module but the outbox dispatcher and the reply toolkit talks to Telegram's chats.

Everything for someone other than the person acting must go through the outbox (quiet
hours, pacing, unreachable marking, dedupe), and the reply toolkit only answers the chat
the update came from. This walks the product source for calls of the Bot API's send,
copy, forward and edit methods (and the ``Message`` shortcuts for them) and fails on any
outside those two modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import telegram

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "schedules", "storage")
ALLOWED = {
    "schedules/dispatcher.py",  # the outbox, to anyone
    "handlers/common/reply.py",  # the chat the update came from, and only it
}


def _chat_methods() -> frozenset[str]:
    """Every method of PTB's Bot and of its shortcuts (a Message's ``reply_text``, a
    button's ``edit_message_text``, a Chat's ``send_message``...) that puts something in
    a chat or changes what is there: read from PTB itself, so a new one is caught too."""
    found = set()
    for owner in (telegram.Bot, telegram.Message, telegram.CallbackQuery, telegram.Chat,
                  telegram.User):  # fmt: skip
        for name in dir(owner):
            if name.startswith(("send", "edit", "reply", "copy", "forward")) and callable(
                getattr(owner, name)
            ):
                found.add(name)
    return frozenset(found)


SENDING = _chat_methods()


def telegram_calls(source: str) -> list[tuple[int, str]]:
    """(line, method) of each call whose method name sends, copies, forwards or edits."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr in SENDING:
            found.append((node.lineno, node.func.attr))
    return found


def test_only_the_dispatcher_and_the_reply_toolkit_send() -> None:
    offenders = []
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            if module in ALLOWED:
                continue
            for line, name in telegram_calls(path.read_text(encoding="utf-8")):
                offenders.append(f"{module}:{line} calls {name}()")
    assert offenders == [], (
        "messages for others go through handlers.common.delivery (the outbox); answers to "
        "the person acting through handlers.common.reply:\n" + "\n".join(offenders)
    )


def test_the_walk_finds_what_it_looks_for() -> None:
    """The rule would catch a direct send, a shortcut reply and an edit (it can fail)."""
    source = (
        "async def f(context, update, query):\n"
        "    await context.bot.send_message(42, 'hi')\n"
        "    await update.effective_message.reply_text('hi')\n"
        "    await query.edit_message_text('x')\n"
        "    await context.bot.forward_message(1, 2, 3)\n"
        "    await context.bot.send_photo(42, 'id')\n"
        "    await message.reply_photo('id')\n"
        "    await message.edit_text('x')\n"
        "    print(message.reply_markup, edit_menu(t))\n"
    )
    assert [name for _, name in telegram_calls(source)] == [
        "send_message",
        "reply_text",
        "edit_message_text",
        "forward_message",
        "send_photo",
        "reply_photo",
        "edit_text",
    ]
    for allowed in ALLOWED:
        assert (ROOT / allowed).is_file()
