"""Quiet hours: nothing the bot sends on its own goes out at night.

A deployment sets one local window (default 21:00–08:00, ``XIANFENG_QUIET_HOURS``). A
message that would go out inside it gets ``not_before`` = the window's end, in the
deployment's zone. The window may cross midnight (21:00–08:00) or not (00:00–06:00);
equal start and end mean no quiet hours at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def covers(self, clock: time) -> bool:
        """Whether the wall-clock time ``clock`` falls inside the quiet hours."""
        if self.start == self.end:
            return False
        if self.crosses_midnight:
            return clock >= self.start or clock < self.end
        return self.start <= clock < self.end

    def release(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """When a message wanted at ``moment`` may go: ``moment`` itself outside the quiet
        hours, otherwise the end of the quiet hours it falls in (UTC, like ``moment``)."""
        local = moment.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        if not self.covers(clock):
            return moment
        day = local.date()
        if self.crosses_midnight and clock >= self.start:
            day += timedelta(days=1)  # the evening part: the window ends tomorrow morning
        return at_local(day, self.end, zone)


def at_local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The moment (in UTC) that the wall clock in ``zone`` shows ``clock`` on ``day``.

    On a daylight-saving gap the clock time does not exist; zoneinfo then reads it with
    the offset before the change, which lands just after the gap: late, never early.
    """
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
