"""Joining by invite link, the home menu, /me, /help, /language and /cancel outside a flow."""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.common import delivery, views
from handlers.common.callback import encode, pattern
from handlers.common.context import XContext
from handlers.common.errors import BadButton
from handlers.common.flows import END, cancel_button, clear_flow, flow_data, step_handlers
from handlers.common.guards import parse_callback, require_member
from handlers.common.i18n import LANGUAGES, Translator, load_texts
from handlers.common.menu import refresh_menu
from handlers.common.registry import Registrar
from handlers.common.reply import ack, answering, remove_buttons, replace, reply
from handlers.common.services import CommandSpec
from handlers.common.views import cancel_only
from storage import branches, inspection, invites, members, names, pioneers, prefs, roster
from storage.inspection import InspectionInvite
from storage.invites import Invite, InviteProblem
from storage.members import Member, Role
from storage.names import NameProblem, NameRefused

FLOW = "join"
ASK_NAME = "join.name"
CONFIRM_NAME = "join.confirm_name"
# Typed instead of pressing [是我] at a personal link's name.
YES_WORDS = frozenset({"是", "是我", "对", "是的", "yes", "y", "it's me", "me"})
EVERYONE: frozenset[Role] = frozenset()
ALL_ROLES = frozenset(Role)

COMMANDS = [
    CommandSpec("start", "cmd.start", EVERYONE, in_menu=False),
    CommandSpec("me", "cmd.me", ALL_ROLES),
    CommandSpec("help", "cmd.help", EVERYONE),
    CommandSpec("language", "cmd.language", EVERYONE),
    CommandSpec("cancel", "cmd.cancel", EVERYONE),
]

load_texts(__file__)


def register(reg: Registrar) -> None:
    reg.conversation(
        FLOW,
        entry_points=[CommandHandler("start", start, filters=filters.ChatType.PRIVATE)],
        states={
            ASK_NAME: step_handlers("join", receive_name, name_not_text),
            CONFIRM_NAME: step_handlers(
                "join", typed_at_confirm, use_the_buttons, me=its_me, retype=not_me
            ),
        },
    )
    reg.add(CommandHandler("me", me))
    reg.add(CommandHandler("help", help_command))
    reg.add(CommandHandler("language", language))
    reg.add(CallbackQueryHandler(set_language, pattern=pattern("lang", "set")))
    reg.add(CommandHandler("cancel", nothing_to_cancel))


async def start(update: Update, context: XContext) -> object:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    code = "".join(context.args or [])
    if not code:
        await show_home(update, context)
        return END
    member = context.member
    if member is not None and member.role in (Role.ADMIN, Role.INSPECTOR):
        key = "join.admin" if member.role is Role.ADMIN else "join.inspector"
        await reply(update, context, context.t(key))
        return END
    async with context.db.read() as conn:
        found = await invites.check(conn, code, telegram_id=user.id, now=context.now())
        group_invite = (
            await inspection.check_invite(conn, code, telegram_id=user.id, now=context.now())
            if found in (InviteProblem.UNKNOWN, InviteProblem.WRONG_CASE)
            else None
        )
        branch = await branches.get(conn, found.branch_id) if isinstance(found, Invite) else None
        expected = await _expected(conn, found)
        current = (
            await branches.get(conn, member.branch_id)
            if member is not None and member.branch_id is not None
            else None
        )
    if group_invite is not None and not (
        found is InviteProblem.WRONG_CASE and group_invite is InviteProblem.UNKNOWN
    ):
        return await _offer_inspection(update, context, group_invite, current)
    if isinstance(found, InviteProblem):
        await reply(update, context, context.t(f"join.problem.{found.value}"))
        return END
    assert branch is not None
    if member is not None and current is not None:
        if member.branch_id != found.branch_id:
            await reply(update, context, context.t("join.other_branch", branch=current.name))
        elif found.role is Role.SECRETARY and member.role is Role.MEMBER:
            await _promote(context, member, found, branch.name)
            await reply(update, context, context.t("join.promoted", branch=branch.name))
        else:
            await reply(update, context, context.t("join.same_branch", branch=branch.name))
        return END
    data = flow_data(context, FLOW)
    data["code"] = found.code
    data.pop("inspection", None)  # an unfinished group invite's mark, if any
    role = views.role_name(context.t, found.role)
    if expected is not None:
        # A personal link from a roster import: the name is known, only confirmed here.
        await reply(
            update,
            context,
            context.t("join.personal_offer", branch=branch.name, role=role, name=expected.name),
            _confirm_buttons(context.t),
        )
        return CONFIRM_NAME
    await reply(
        update,
        context,
        context.t("join.offer", branch=branch.name, role=role),
        cancel_only(context.t),
    )
    return ASK_NAME


async def _offer_inspection(
    update: Update,
    context: XContext,
    found: InspectionInvite | InviteProblem,
    current: branches.Branch | None,
) -> object:
    """A code that opens an inspection group: the inspector role, with no branch."""
    if isinstance(found, InviteProblem):
        await reply(update, context, context.t(f"join.problem.{found.value}"))
        return END
    if current is not None:
        await reply(update, context, context.t("join.inspector_has_branch", branch=current.name))
        return END
    async with context.db.read() as conn:
        group = await inspection.get_group(conn, found.group_id)
    assert group is not None
    data = flow_data(context, FLOW)
    data["code"], data["inspection"] = found.code, True
    await reply(
        update,
        context,
        context.t("join.offer_inspector", group=group.name),
        cancel_only(context.t),
    )
    return ASK_NAME


async def receive_name(update: Update, context: XContext) -> object:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        name = names.person_name(message.text)
    except NameRefused as refused:
        await reply(update, context, _name_refusal(context, refused))
        return ASK_NAME
    return await _join(update, context, name)


async def its_me(update: Update, context: XContext) -> object:
    """[是我] under a personal link's name: join under the name the secretary imported."""
    user = update.effective_user
    assert user is not None
    await ack(update)
    await remove_buttons(update)
    code = flow_data(context, FLOW).get("code", "")
    async with context.db.read() as conn:
        found = await invites.check(conn, code, telegram_id=user.id, now=context.now())
        expected = await _expected(conn, found)
    if expected is None:
        # The link stopped working meanwhile (a fresh one was made): say why.
        problem = found if isinstance(found, InviteProblem) else InviteProblem.REVOKED
        await reply(update, context, context.t(f"join.problem.{problem.value}"))
        return END
    return await _join(update, context, expected.name)


async def not_me(update: Update, context: XContext) -> object:
    await ack(update)
    await remove_buttons(update)
    await reply(
        update,
        context,
        context.t("join.ask_name"),
        cancel_only(context.t),
    )
    return ASK_NAME


async def typed_at_confirm(update: Update, context: XContext) -> object:
    message = update.effective_message
    assert message is not None and message.text is not None
    if message.text.strip().casefold().rstrip("。.!！") in YES_WORDS:
        return await its_me(update, context)
    return await use_the_buttons(update, context)


async def use_the_buttons(update: Update, context: XContext) -> object:
    await reply(update, context, context.t("input.use_buttons"), _confirm_buttons(context.t))
    return CONFIRM_NAME


async def _join(update: Update, context: XContext, name: str) -> object:
    """Join through the invite the flow offers (a branch's, or an inspection group's),
    under ``name``; the invite is checked again, as it may have run out meanwhile."""
    user = update.effective_user
    assert user is not None
    data = flow_data(context, FLOW)
    code, inspector = data.get("code", ""), bool(data.get("inspection"))
    now = context.now()
    joined: tuple[Member | None, str] = (None, "")
    async with context.db.transaction() as tx:
        if inspector:
            found: Invite | InspectionInvite | InviteProblem = await inspection.check_invite(
                tx, code, telegram_id=user.id, now=now
            )
        else:
            found = await invites.check(tx, code, telegram_id=user.id, now=now)
        refused = await _refused(tx, found, user.id, name)
        if refused is None and isinstance(found, Invite):
            joined = await _join_branch(tx, context, found, user.id, name, now)
        elif refused is None and isinstance(found, InspectionInvite):
            joined = await _join_group(tx, context, found, user.id, name, now)
    delivery.wake(context)
    return await _joined(update, context, refused, *joined, home=not inspector)


async def _join_branch(
    tx: aiosqlite.Connection,
    context: XContext,
    found: Invite,
    telegram_id: int,
    name: str,
    now: datetime,
) -> tuple[Member, str]:
    """The membership the invite offers, and what to tell the new member."""
    member = await members.create(
        tx,
        telegram_id=telegram_id,
        name=name,
        role=found.role,
        branch_id=found.branch_id,
        now=now,
        detail={
            "invite_id": found.id,
            "role": found.role.value,
            "branch_id": found.branch_id,
            "expected_id": found.expected_id,
        },
    )
    if not await invites.redeem(tx, found, telegram_id=telegram_id, member_id=member.id, now=now):
        raise RuntimeError("invite used up during the transaction")
    expected = await _expected(tx, found)
    if expected is not None:
        await roster.mark_joined(tx, expected.id, member.id, now=now)
    # Kept so that what others cause (an approval, a reminder) reaches this person
    # in the language their Telegram client uses.
    await prefs.keep_language(tx, telegram_id, context.t.lang, now=now)
    branch = await branches.get(tx, found.branch_id)
    assert branch is not None
    await _tell_secretaries(tx, context, member, expected.name if expected else None)
    role = views.role_name(context.t, member.role)
    return member, context.t("join.done", branch=branch.name, name=name, role=role)


async def _join_group(
    tx: aiosqlite.Connection,
    context: XContext,
    found: InspectionInvite,
    telegram_id: int,
    name: str,
    now: datetime,
) -> tuple[Member | None, str]:
    """The inspector the group's invite makes (None: it was used up meanwhile), and what
    to tell them."""
    joined = await inspection.join(tx, found, telegram_id=telegram_id, name=name, now=now)
    if joined is None:
        return None, ""
    group = await inspection.get_group(tx, found.group_id)
    group_name = group.name if group is not None else ""
    await prefs.keep_language(tx, telegram_id, context.t.lang, now=now)
    await _tell_admins(tx, context, found, joined, group_name)
    return joined, context.t("join.done_inspector", name=name, group=group_name)


async def _refused(
    tx: aiosqlite.Connection,
    found: Invite | InspectionInvite | InviteProblem,
    telegram_id: int,
    name: str,
) -> InviteProblem | NameRefused | None:
    """Why this person cannot join through ``found`` under ``name``, checked inside the
    joining's transaction (the invite may have run out meanwhile); None: they can."""
    if isinstance(found, InviteProblem):
        return found
    if await members.get_active_by_telegram(tx, telegram_id) is not None:
        return InviteProblem.ALREADY_USED
    branch_id = found.branch_id if isinstance(found, Invite) else None
    taken = await members.name_clash(tx, name, branch_id)
    return None if taken is None else NameRefused(NameProblem.TAKEN, taken)


async def _joined(
    update: Update,
    context: XContext,
    refused: InviteProblem | NameRefused | None,
    member: Member | None,
    done: str,
    *,
    home: bool,
) -> object:
    """Answer the joining: the name again when someone has it, the invite's problem, or
    ``done`` (and the home menu) with the person's own command menu."""
    if isinstance(refused, NameRefused):
        await reply(update, context, _name_refusal(context, refused))
        return ASK_NAME
    clear_flow(context, FLOW)
    if member is None:
        problem = refused or InviteProblem.USED_UP
        await reply(update, context, context.t(f"join.problem.{problem.value}"))
        return END
    context.set_identity(member, context.t.lang)
    await reply(update, context, done)
    if home:
        await show_home(update, context)
    await refresh_menu(context.bot, member, context.services.commands, context.t.lang)
    return END


async def _tell_admins(
    tx: aiosqlite.Connection,
    context: XContext,
    invite: InspectionInvite,
    joined: Member,
    group_name: str,
) -> None:
    """The admin who made the link hears who joined through it."""
    maker = await members.get(tx, invite.created_by) if invite.created_by else None
    if maker is None or not maker.active:
        return

    def told(t: Translator) -> str:
        return t("join.notify_admin_inspector", name=joined.name, group=group_name)

    await delivery.tell(tx, context, [maker], "inspection.joined", told)


def _name_refusal(context: XContext, refused: NameRefused) -> str:
    """Why the name cannot be used, and the question again."""
    if refused.problem is NameProblem.ROLE_WORD:
        return context.t("join.name_role_word", word=refused.detail)
    if refused.problem is NameProblem.TAKEN:
        return context.t(
            "join.name_taken", name=refused.detail, example=names.distinguished(refused.detail)
        )
    if refused.problem in (NameProblem.INVISIBLE, NameProblem.DECORATION):
        return context.t("join.name_invisible")
    return context.t("join.bad_name")


async def name_not_text(update: Update, context: XContext) -> object:
    await reply(
        update, context, f"{context.t('input.text_expected')}\n{context.t('join.ask_name')}"
    )
    return ASK_NAME


async def show_home(update: Update, context: XContext) -> None:
    member = context.member
    if member is None:
        await reply(update, context, context.t("start.stranger"))
        return
    async with context.db.read() as conn:
        branch = await branches.get(conn, member.branch_id) if member.branch_id else None
    await reply(update, context, views.home(context.t, member, branch, context.services.commands))


async def me(update: Update, context: XContext) -> None:
    member = require_member(context)
    async with context.db.read() as conn:
        branch = await branches.get(conn, member.branch_id) if member.branch_id else None
        # The final lists of the pioneers selection this person is on (the honours record).
        honours = await pioneers.honours(conn, member.id)
    joined = member.joined_at.astimezone(context.config.zone).strftime("%Y-%m-%d")
    lines = [
        context.t(
            "me.details",
            name=member.name,
            branch=branch.name if branch else context.t("me.no_branch"),
            role=views.role_name(context.t, member.role),
            joined=joined,
        )
    ]
    lines += [context.t("me.honour", title=honour.title) for honour in honours]
    await reply(update, context, "\n".join(lines))


async def help_command(update: Update, context: XContext) -> None:
    await reply(
        update, context, views.help_text(context.t, context.member, context.services.commands)
    )


async def language(update: Update, context: XContext) -> None:
    keyboard = [
        [
            InlineKeyboardButton(
                context.t(f"language.{lang}"), callback_data=encode("lang", "set", lang)
            )
            for lang in LANGUAGES
        ]
    ]
    await reply(update, context, context.t("language.choose"), InlineKeyboardMarkup(keyboard))


async def set_language(update: Update, context: XContext) -> None:
    data = parse_callback(update, "lang")
    lang = data.str_arg(0)
    if lang not in LANGUAGES:
        raise BadButton()
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    async with context.db.transaction() as tx:
        await prefs.set_language(tx, user.id, lang, now=context.now())
    context.set_identity(context.member, lang)
    await query.answer()
    await replace(update, context, context.t("language.set"))
    if context.member is not None:
        await refresh_menu(context.bot, context.member, context.services.commands, lang)


nothing_to_cancel = answering("flow.nothing_to_cancel")


async def _promote(context: XContext, member: Member, invite: Invite, branch_name: str) -> None:
    now = context.now()
    async with context.db.transaction() as tx:
        if not await invites.redeem(
            tx, invite, telegram_id=member.telegram_id, member_id=member.id, now=now
        ):
            raise RuntimeError("invite used up during the transaction")
        if invite.expected_id is not None:
            # An imported secretary who had joined as a member first.
            await roster.mark_joined(tx, invite.expected_id, member.id, now=now)
        await members.set_role(
            tx, member.id, Role.SECRETARY, now=now, invite_id=invite.id, to="secretary",
            branch=branch_name,
        )  # fmt: skip
    promoted = member.model_copy(update={"role": Role.SECRETARY})
    context.set_identity(promoted, context.t.lang)
    await refresh_menu(context.bot, promoted, context.services.commands, context.t.lang)


async def _expected(
    conn: aiosqlite.Connection, found: Invite | InviteProblem
) -> roster.Expected | None:
    """Whom a personal link (roster import) is for, while they have not joined."""
    if not isinstance(found, Invite) or found.expected_id is None:
        return None
    expected = await roster.get(conn, found.expected_id)
    return expected if expected is not None and expected.pending else None


def _confirm_buttons(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("join.button.me"), callback_data=encode("join", "me")),
                InlineKeyboardButton(
                    t("join.button.not_me"), callback_data=encode("join", "retype")
                ),
            ],
            [cancel_button(t)],
        ]
    )


async def _tell_secretaries(
    tx: aiosqlite.Connection, context: XContext, joined: Member, expected: str | None = None
) -> None:
    """The branch's secretaries hear who joined (a secretary joining is not told of
    themselves), and for whom the personal link was made when another name was given."""
    assert joined.branch_id is not None
    secretaries = [s for s in await members.secretaries(tx, joined.branch_id) if s.id != joined.id]

    def told(t: Translator) -> str:
        role = views.role_name(t, joined.role)
        if expected is not None and not names.same_name(expected, joined.name):
            return t(
                "join.notify_secretary_personal", name=joined.name, expected=expected, role=role
            )
        return t("join.notify_secretary", name=joined.name, role=role)

    await delivery.tell(tx, context, secretaries, "member.joined", told)
