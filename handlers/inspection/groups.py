"""The admin's side of /inspect: create groups, invite inspectors, assign branches, remove
an inspector. Every change is audited in storage.inspection."""

from __future__ import annotations

from telegram import Update

from handlers.common import delivery
from handlers.common.context import XContext
from handlers.common.errors import NotFound, StaleButton
from handlers.common.flows import END
from handlers.common.guards import parse_callback, require_admin, require_found, require_private
from handlers.common.i18n import Translator
from handlers.common.naming import Naming
from handlers.common.reply import ack, answering, edit, reply
from handlers.common.views import cancel_only
from handlers.inspection import views
from storage import branches, inspection, members
from storage.inspection import DuplicateGroup, Group, GroupName

ASK_GROUP_NAME = "inspect.group_name"
NEW_WORDS = ("new", "新建")
NAMING = Naming("insp.new", GroupName, DuplicateGroup)


async def admin_command(update: Update, context: XContext, args: list[str]) -> object:
    """``/inspect`` lists the groups; ``/inspect new NAME`` creates one (the name is asked
    for when missing)."""
    require_admin(context)
    if args and args[0].lower() in NEW_WORDS:
        name = " ".join(args[1:])
        if not name:
            markup = cancel_only(context.t)
            await reply(update, context, context.t("insp.new.ask"), markup)
            return ASK_GROUP_NAME
        return await _create(update, context, name)
    async with context.db.read() as conn:
        listed = await inspection.list_groups(conn)
    await reply(update, context, *views.groups(context.t, listed))
    return END


async def group_name_typed(update: Update, context: XContext) -> object:
    require_admin(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    return await _create(update, context, message.text)


group_name_not_text = answering("insp.new.ask", ASK_GROUP_NAME)


async def _create(update: Update, context: XContext, name: str) -> object:
    admin = require_admin(context)
    group = await NAMING.create(
        update,
        context,
        name,
        lambda tx, clean: inspection.create_group(
            tx, clean, created_by=admin.id, now=context.now()
        ),
    )
    if group is None:
        return ASK_GROUP_NAME
    await reply(update, context, context.t("insp.new.done", name=group.name))
    await reply(update, context, *await _group_screen(context, group))
    return END


# --------------------------------------------------------------------------- buttons


async def open_group(update: Update, context: XContext) -> None:
    """[A group], or [⬅️ back] / [Cancel] inside one: its screen, in place."""
    require_private(update)
    group = await _pressed_group(update, context)
    await ack(update)
    await edit(update, *await _group_screen(context, group))


async def invite(update: Update, context: XContext) -> None:
    """[🔗 invite link]: a new link (one-use, or shared) as a message of its own."""
    require_private(update)
    data = parse_callback(update, views.PREFIX)
    admin = require_admin(context)
    group = await require_found(context, inspection.get_group, data.int_arg(0))
    shared = data.int_arg(1) == 0
    async with context.db.transaction() as tx:
        made = await inspection.create_invite(
            tx, group.id, shared=shared, created_by=admin.id, now=context.now()
        )
    await ack(update)
    text = views.invite(context.t, group, made, context.bot.username, context.config.zone)
    await reply(update, context, text, link_preview=False)


async def assign_page(update: Update, context: XContext) -> None:
    """[🏫 assign] and [◀] [▶]: a page of every branch, the assigned ones ticked."""
    require_private(update)
    data = parse_callback(update, views.PREFIX)
    require_admin(context)
    group = await require_found(context, inspection.get_group, data.int_arg(0))
    await ack(update)
    await edit(update, *await _picker(context, group, data.int_arg(1)))


async def toggle_branch(update: Update, context: XContext) -> None:
    """[A branch] in the picker: assign it, or take it back if the group has it."""
    require_private(update)
    data = parse_callback(update, views.PREFIX)
    admin = require_admin(context)
    group = await require_found(context, inspection.get_group, data.int_arg(0))
    branch_id, page = data.int_arg(1), data.int_arg(2)
    now = context.now()
    async with context.db.transaction() as tx:
        branch = await branches.get(tx, branch_id)
        if branch is None:
            raise NotFound()
        if await inspection.unassign(tx, group.id, branch.id, actor_id=admin.id, now=now):
            key = "insp.assign.removed"
        else:
            await inspection.assign(tx, group.id, branch.id, actor_id=admin.id, now=now)
            key = "insp.assign.assigned"
    await ack(update, context.t.plain(key, branch=branch.name))
    await edit(update, *await _picker(context, group, page))


async def remove_list(update: Update, context: XContext) -> None:
    """[➖ remove an inspector]: the group's inspectors, a button each."""
    require_private(update)
    require_admin(context)
    group = await _pressed_group(update, context)
    async with context.db.read() as conn:
        people = await inspection.inspectors(conn, group.id)
    await ack(update)
    await edit(update, *views.remove_picker(context.t, group, people))


async def remove_ask(update: Update, context: XContext) -> None:
    """[An inspector]: are you sure?"""
    require_private(update)
    data = parse_callback(update, views.PREFIX)
    require_admin(context)
    group = await require_found(context, inspection.get_group, data.int_arg(0))
    person = await _inspector_in(context, group, data.int_arg(1))
    await ack(update)
    await edit(update, *views.remove_confirm(context.t, group, person))


async def remove_confirmed(update: Update, context: XContext) -> None:
    """[Remove]: the inspector leaves the group and loses access; they are told."""
    require_private(update)
    data = parse_callback(update, views.PREFIX)
    admin = require_admin(context)
    group = await require_found(context, inspection.get_group, data.int_arg(0))
    person = await _inspector_in(context, group, data.int_arg(1))
    async with context.db.transaction() as tx:
        if not await inspection.remove_inspector(
            tx, group.id, person.id, actor_id=admin.id, now=context.now()
        ):
            raise StaleButton()

        def told(t: Translator) -> str:
            return t("insp.remove.told", name=group.name)

        await delivery.tell(tx, context, [person], "inspection.removed", told)
    delivery.wake(context)
    await ack(update)
    await edit(update, context.t("insp.remove.done", person=person.name, name=group.name))


# --------------------------------------------------------------------------- helpers


async def _pressed_group(update: Update, context: XContext) -> Group:
    data = parse_callback(update, views.PREFIX)
    require_admin(context)
    return await require_found(context, inspection.get_group, data.int_arg(0))


async def _inspector_in(context: XContext, group: Group, member_id: int) -> members.Member:
    """An active inspector of this group, or the button is stale (removed meanwhile)."""
    async with context.db.read() as conn:
        people = await inspection.inspectors(conn, group.id)
    person = next((p for p in people if p.id == member_id), None)
    if person is None:
        raise StaleButton()
    return person


async def _group_screen(context: XContext, group: Group) -> views.Screen:
    async with context.db.read() as conn:
        people = await inspection.inspectors(conn, group.id)
        held = await inspection.assigned(conn, group.id)
    return views.group(context.t, group, people, held)


async def _picker(context: XContext, group: Group, page: int) -> views.Screen:
    async with context.db.read() as conn:
        every = await branches.list_with_counts(conn)
        held = {b.id for b in await inspection.assigned(conn, group.id)}
    return views.assign_picker(context.t, group, every, held, page)
