"""/rubric (admins): the star-rating rubric in force for a school year, its file, and a
replacement sent in the chat (answered with the summary, or every problem found)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common.callback import BadCallbackData, encode, pattern
from handlers.common.context import XContext
from handlers.common.errors import BadButton
from handlers.common.guards import parse_callback, require_admin, require_private
from handlers.common.i18n import Raw, Translator
from handlers.common.registry import Registrar
from handlers.common.reply import ack, replace, reply, reply_document
from handlers.evaluation import uploads
from handlers.evaluation.views import number
from storage import members
from storage import rubric as store
from storage.ledger_period import LedgerPeriod
from storage.rubric import ItemKind, Rubric, RubricInForce

PREFIX = "rub"
FIRST_YEAR, LAST_YEAR = 2000, 2100


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("rubric", show))
    reg.add(CallbackQueryHandler(show_year, pattern=pattern(PREFIX, "y")))
    reg.add(CallbackQueryHandler(send_file, pattern=pattern(PREFIX, "file")))


async def show(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    year = LedgerPeriod.school_year_of(context.today()).start.year
    await reply(update, context, *await _screen(context, year))


async def show_year(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    year = _year_arg(update)
    await ack(update)
    await replace(update, context, *await _screen(context, year))


async def send_file(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    year = _year_arg(update)
    async with context.db.read() as conn:
        in_force = await store.rubric_for(conn, year)
    await ack(update)
    caption = context.t.plain(
        "rubric.file_caption", year=school_year_label(year), version=in_force.rubric.version
    )
    await reply_document(
        update, context, in_force.text.encode(), f"rubric-{year}-{year + 1}.toml", caption
    )


def school_year_label(year: int) -> str:
    return f"{year}–{year + 1}"


def summary(t: Translator, rubric: Rubric) -> list[str]:
    """The rubric as a person reads it: categories and items, adjustments, vetoes, tiers."""
    items = rubric.items()
    auto = sum(item.kind is ItemKind.AUTO for _, item in items)
    lines = [
        t(
            "rubric.totals",
            total=number(rubric.total),
            items=len(items),
            auto=auto,
            manual=len(items) - auto,
        )
    ]
    for category in rubric.categories:
        lines.append(t("rubric.category", name=category.name, points=number(category.points)))
        for item in category.items:
            if item.kind is ItemKind.AUTO and item.rule is not None:
                lines.append(
                    t(
                        "rubric.item.auto",
                        text=item.text,
                        points=number(item.points),
                        rule=t(f"rating.rule.{item.rule}"),
                    )
                )
            else:
                evidence = (
                    t("rubric.item.evidence", evidence=item.evidence) if item.evidence else ""
                )
                lines.append(
                    t(
                        "rubric.item.manual",
                        text=item.text,
                        points=number(item.points),
                        evidence=Raw(evidence),
                    )
                )
    for key, part in (("rubric.bonus", rubric.bonus), ("rubric.deductions", rubric.deductions)):
        if part is not None:
            lines.append(t(key, cap=number(part.cap)))
            lines += [
                t("rubric.adjustment", text=a.text, points=number(a.points)) for a in part.items
            ]
    if rubric.vetoes:
        lines.append(t("rubric.vetoes"))
        lines += [t("rubric.veto", text=veto.text) for veto in rubric.vetoes]
    tiers = rubric.tiers
    two = t("rubric.tier_two", two=number(tiers.two)) if tiers.two is not None else ""
    lines.append(
        t(
            "rubric.tiers",
            five=number(tiers.five),
            four=number(tiers.four),
            three=number(tiers.three),
            two=Raw(two),
            quota=number(round(tiers.five_star_quota * 100, 1)),
        )
    )
    return lines


async def _screen(context: XContext, year: int) -> tuple[str, InlineKeyboardMarkup]:
    async with context.db.read() as conn:
        in_force = await store.rubric_for(conn, year)
        uploader = await members.get(conn, in_force.uploaded_by) if in_force.uploaded_by else None
    t = context.t
    lines = [_head(t, in_force, uploader.name if uploader else None, context)]
    lines += summary(t, in_force.rubric)
    lines.append(t("rubric.how"))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.plain("rubric.button.file"), callback_data=encode(PREFIX, "file", year)
                ),
                InlineKeyboardButton(
                    t.plain("rubric.button.upload"),
                    callback_data=encode(uploads.PREFIX, "up", "rubric", year),
                ),
            ],
            [
                InlineKeyboardButton(
                    f"◀ {school_year_label(year - 1)}", callback_data=encode(PREFIX, "y", year - 1)
                ),
                InlineKeyboardButton(
                    f"{school_year_label(year + 1)} ▶", callback_data=encode(PREFIX, "y", year + 1)
                ),
            ],
        ]
    )
    return "\n".join(lines), markup


def _head(t: Translator, in_force: RubricInForce, uploader: str | None, context: XContext) -> str:
    title = t(
        "rubric.title",
        year=school_year_label(in_force.school_year),
        version=in_force.rubric.version,
    )
    if in_force.uploaded_at is None:
        return f"{title}\n{t('rubric.default')}"
    at = in_force.uploaded_at.astimezone(context.config.zone).strftime("%Y-%m-%d %H:%M")
    return f"{title}\n{t('rubric.uploaded', by=uploader or '—', at=at)}"


def _year_arg(update: Update) -> int:
    try:
        year = parse_callback(update, PREFIX).int_arg(0)
    except BadCallbackData as exc:
        raise BadButton() from exc
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadButton()
    return year


async def _save(
    tx: aiosqlite.Connection, text: str, year: int, actor_id: int, now: datetime, t: Translator
) -> str:
    rubric = await store.save_rubric(tx, text, year, actor_id=actor_id, now=now)
    head = t("rubric.upload.saved", year=school_year_label(year))
    return "\n".join([head, *summary(t, rubric)])


uploads.upload_kind(
    "rubric",
    uploads.Upload(
        lambda t, year: t("rubric.upload.ask", year=school_year_label(year)),
        _save,
        validate_arg=lambda year: FIRST_YEAR <= year <= LAST_YEAR,
    ),
)
