"""What ``xianfeng outbox`` prints: the outbox's rows counted by kind and status, and the
pending row first in line (an operator's "is delivery stuck?" at a glance)."""

from __future__ import annotations

from storage import outbox
from storage.database import Database
from storage.outbox import OutboxMessage, OutboxStatus

_COLUMNS = [status.value for status in OutboxStatus]


async def outbox_report(db: Database) -> str:
    """A plain-text summary of the outbox, one line per kind plus a total."""
    async with db.read() as conn:
        counts = await outbox.counts(conn)
        oldest = await outbox.oldest_pending(conn)

    table: dict[str, dict[str, int]] = {}
    for count in counts:
        table.setdefault(count.kind, dict.fromkeys(_COLUMNS, 0))[count.status.value] = count.count
    totals = {column: sum(row[column] for row in table.values()) for column in _COLUMNS}

    rows = [["kind", *_COLUMNS, "total"]]
    rows += [[kind, *_cells(table[kind])] for kind in sorted(table)]
    rows.append(["all", *_cells(totals)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["Outbox"]
    for row in rows:
        first, *numbers = row
        cells = [first.ljust(widths[0])] + [
            n.rjust(w) for n, w in zip(numbers, widths[1:], strict=True)
        ]
        lines.append("  " + "  ".join(cells))
    lines.append(_describe_oldest(oldest))
    return "\n".join(lines)


def _cells(counts: dict[str, int]) -> list[str]:
    return [str(counts[column]) for column in _COLUMNS] + [str(sum(counts.values()))]


def _describe_oldest(message: OutboxMessage | None) -> str:
    if message is None:
        return "Oldest pending: none"
    line = (
        f"Oldest pending: #{message.id} {message.kind} to chat {message.chat_id},"
        f" due {message.not_before:%Y-%m-%d %H:%M:%S} UTC,"
        f" created {message.created_at:%Y-%m-%d %H:%M:%S} UTC, attempts {message.attempts}"
    )
    if message.last_error:
        line += f", last error: {message.last_error}"
    return line
