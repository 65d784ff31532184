"""/mydata: a person's own records, sent to them as a JSON file in the private chat.

The file is built in memory and never written to disk; sending it is audited (without
the content), so the bureau can answer "who exported what, when".
"""

from __future__ import annotations

import json

from telegram import Update
from telegram.ext import CommandHandler

from handlers.common.context import XContext
from handlers.common.guards import require_member, require_private
from handlers.common.registry import Registrar
from handlers.common.reply import reply_document
from storage import audit, personal_data


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("mydata", my_data))


async def my_data(update: Update, context: XContext) -> None:
    """Anyone the bot has a membership for, current or left, gets their own records."""
    require_private(update)
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    now = context.now()
    async with context.db.read() as conn:
        records = await personal_data.for_account(conn, user.id)
    if context.member is not None:
        actor_id = context.member.id
    elif records["memberships"]:
        # Left the branch: the records are still theirs to see.
        actor_id = int(records["memberships"][-1]["id"])
    else:
        require_member(context)  # a stranger: refused politely
        return
    records["exported_at"] = now.isoformat(timespec="seconds")
    kept = context.t("mydata.kept", years=context.config.visit_retention_years)
    records["how_long_it_is_kept"] = kept
    payload = json.dumps(records, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    async with context.db.transaction() as tx:
        await audit.record(
            tx,
            at=now,
            actor_id=actor_id,
            action="mydata.exported",
            entity="member",
            entity_id=actor_id,
            visits=len(records["home_visits"]),
        )
    name = f"xianfeng-mydata-{context.today().isoformat()}.json"
    await reply_document(update, context, payload, name, context.t("mydata.caption", kept=kept))
