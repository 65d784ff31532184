"""Who looks after a pledge and when: the rules the pledge handlers, the reminder engine
and the reminders' views share, so they cannot disagree."""

from __future__ import annotations

from datetime import timedelta

REVIEW_AFTER = timedelta(days=3)
"""A submitted pledge waiting longer than this is overdue: its reviewers are reminded."""
REVIEW_REPEAT = timedelta(days=7)
"""While it still waits, the reminder comes again this often."""
STALE_AFTER = timedelta(days=30)
"""A published pledge without progress for this long: its owner is reminded."""
