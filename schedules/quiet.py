"""Quiet hours: nothing the bot sends on its own goes out at night.

A deployment sets one local window (default 21:00–08:00, ``XIANFENG_QUIET_HOURS``). A
message that would go out inside it gets ``not_before`` = the window's end, in the
deployment's zone. The window may cross midnight (21:00–08:00) or not (00:00–06:00);
equal start and end mean no quiet hours at all.

With ``hold_on_holidays`` (the reminder engine's, ``XIANFENG_HOLD_ON_HOLIDAYS``, on by
default) a message that would go out on a public holiday waits for the next working day,
at the end of the quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from storage.calendar import is_holiday, next_working_day


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)
    hold_on_holidays: bool = False

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
        hours, otherwise the end of the quiet hours it falls in (UTC, like ``moment``);
        held on a public holiday, the next working day's end of quiet hours."""
        released = self._after_quiet(moment, zone)
        if not self.hold_on_holidays:
            return released
        day = local_date(released, zone)
        if not is_holiday(day):
            return released
        return at_local(next_working_day(day), self.end, zone)

    def _after_quiet(self, moment: datetime, zone: ZoneInfo) -> datetime:
        local = moment.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        if not self.covers(clock):
            return moment
        day = local.date()
        if self.crosses_midnight and clock >= self.start:
            day += timedelta(days=1)  # the evening part: the window ends tomorrow morning
        return at_local(day, self.end, zone)


# The tick asks for the same few hundred moments (each branch's times on a few days)
# every minute: a lookup instead of a zone conversion each.
@lru_cache(maxsize=4096)
def at_local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The moment (in UTC) that the wall clock in ``zone`` shows ``clock`` on ``day``.

    On a daylight-saving gap the clock time does not exist; zoneinfo then reads it with
    the offset before the change, which lands just after the gap: late, never early.
    """
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
