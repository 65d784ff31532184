"""No module but the outbox dispatcher and the reply toolkit talks to Telegram's chats,
and none but delivery and the reminder engine adds a message to the outbox.

Everything for someone other than the person acting must go through the outbox (quiet
hours, pacing, unreachable marking, dedupe), and the reply toolkit only answers the chat
the update came from. This walks the product source for calls of the Bot API's send,
copy, forward and edit methods (and the ``Message`` shortcuts for them) and fails on any
outside those two modules; and for calls that add outbox rows, or SQL that inserts
them, outside the outbox's own machinery (so every row gets delivery's languages,
dedupe keys and quiet hours).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import telegram

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "schedules", "storage")
ALLOWED = {
    "schedules/dispatcher.py",  # the outbox, to anyone
    "handlers/common/reply.py",  # the chat the update came from, and only it
}


QUEUEING = frozenset({"enqueue", "enqueue_many"})
QUEUERS = {
    "handlers/common/delivery.py",  # every message a feature sends to someone else
    "schedules/engine.py",  # the reminder tick's fan-out, a few hundred rows a statement
    "storage/outbox.py",  # the outbox itself
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


def offenders(allowed: set[str], find: Callable[[str], list[tuple[int, str]]]) -> list[str]:
    """``module:line what`` for each thing ``find`` finds in a product module not allowed."""
    found = []
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            if module not in allowed:
                found += [f"{module}:{line} {what}" for line, what in find(path.read_text("utf-8"))]
    return found


def test_only_the_dispatcher_and_the_reply_toolkit_send() -> None:
    offending = offenders(ALLOWED, telegram_calls)
    assert offending == [], (
        "messages for others go through handlers.common.delivery (the outbox); answers to "
        "the person acting through handlers.common.reply:\n" + "\n".join(offending)
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


_INSERT = re.compile(r"\bINSERT\b[^;]*?\bINTO\s+outbox\b")  # SQL, not prose about outbox rows


def outbox_writes(source: str) -> list[tuple[int, str]]:
    """(line, what) of each call of ``enqueue``/``enqueue_many``, of ``rows.insert_new``
    into the outbox, and each SQL string that inserts into the outbox."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in QUEUEING:
                found.append((node.lineno, f"{name}()"))
            elif name == "insert_new" and any(
                isinstance(arg, ast.Constant) and arg.value == "outbox" for arg in node.args
            ):
                found.append((node.lineno, "insert_new(outbox)"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _INSERT.search(node.value)
        ):
            found.append((node.lineno, "INSERT INTO outbox"))
    return found


def test_only_delivery_and_the_reminder_engine_queue_messages() -> None:
    offending = offenders(QUEUERS, outbox_writes)
    assert offending == [], (
        "messages for others are queued through handlers.common.delivery (tell, post, "
        "edit; queue and queue_post in a receipt):\n" + "\n".join(offending)
    )


def test_the_outbox_walk_finds_what_it_looks_for() -> None:
    source = (
        "async def f(tx):\n"
        "    await outbox.enqueue(tx, chat_id=1)\n"
        "    await enqueue_many(tx, [], now=now)\n"
        "    await tx.execute('INSERT OR IGNORE INTO outbox (chat_id) VALUES (?)', (1,))\n"
        "    await tx.execute('SELECT * FROM outbox')\n"
        "    await insert_new(tx, 'outbox', COLUMNS, rows, key='dedupe_key')\n"
        "    await insert_new(tx, 'reminder_skips', COLUMNS, rows, key='dedupe_key')\n"
        "    '''Due reminders are turned into outbox rows.'''\n"
        "    await delivery.queue_post(tx, 1, 'k', 'text', key='x', config=c, now=n)\n"
    )
    assert [what for _, what in sorted(outbox_writes(source))] == [
        "enqueue()",
        "enqueue_many()",
        "INSERT INTO outbox",
        "insert_new(outbox)",
    ]
    for allowed in QUEUERS:
        assert (ROOT / allowed).is_file()
