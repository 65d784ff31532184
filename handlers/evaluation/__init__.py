"""Evaluation, where the campaign ends: member points (/points) worked out from the
records by rules kept as data; the star-rating rubric (/rubric) kept as data too; and
the rating rounds scored by it (/rating).

Modules: ``points`` (who sees what), ``rubric`` (the rubric of a school year),
``rating`` (a round: 自评, 复核, 定星, 公示, objections, final), ``pioneers`` and
``pioneer_steps`` (choosing the pioneers: nominations, the jury's secret ballots, the
bureau's list, 公示, the honours record; ``pioneer_views`` its screens),
``reminders`` (the daily nudge of the self-nominations waiting for endorsement),
``uploads`` (an admin replaces either file in the chat), ``views`` (the points
screens), ``texts`` (every word they use).
"""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.evaluation import (
    pioneer_steps,
    pioneers,
    points,
    rating,
    reminders,
    rubric,
    uploads,
)
from storage.members import Role

COMMANDS = [
    CommandSpec("points", "cmd.points", frozenset({Role.MEMBER, Role.SECRETARY, Role.ADMIN})),
    CommandSpec("rubric", "cmd.rubric", frozenset({Role.ADMIN})),
    CommandSpec(
        "rating", "cmd.rating", frozenset({Role.MEMBER, Role.SECRETARY, Role.ADMIN, Role.INSPECTOR})
    ),
    CommandSpec(
        "pioneers",
        "cmd.pioneers",
        frozenset({Role.MEMBER, Role.SECRETARY, Role.ADMIN, Role.INSPECTOR}),
    ),
]


def register(reg: Registrar) -> None:
    points.register(reg)
    rubric.register(reg)
    rating.register(reg)
    uploads.register(reg)
    pioneers.register(reg)
    reg.conversation_of(pioneer_steps.FLOW, [pioneer_steps])
    for kind, view in reminders.VIEWS.items():
        reg.reminder(kind, view)
