"""When a schedule runs next: every N minutes, or daily, weekly or monthly at HH:MM in a time
zone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from otklik.errors import InputError
from otklik.storage import Store, jobqueue, utcnow
from otklik.storage.jobqueue import Schedule

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Rule:
    """Every `every_minutes`, or at `at_time` daily (no weekday or monthday), weekly on
    `weekday` (0 = Monday) or monthly on `monthday` (1–28, a day every month has)."""

    every_minutes: int | None = None
    at_time: str | None = None
    weekday: int | None = None
    timezone: str = "UTC"
    monthday: int | None = None

    def check(self) -> None:
        """Refuse a rule that cannot run, saying why."""
        if (self.every_minutes is None) == (self.at_time is None):
            raise InputError("a schedule runs either every N minutes or at HH:MM, not both")
        if self.every_minutes is not None and self.every_minutes < 1:
            raise InputError("every N minutes needs N of 1 or more")
        if self.at_time is not None and not _HHMM.match(self.at_time):
            raise InputError(f"{self.at_time!r} is not a time of day; write HH:MM, e.g. 09:30")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise InputError("weekday is 0 (Monday) to 6 (Sunday)")
        if self.monthday is not None and not 1 <= self.monthday <= 28:
            raise InputError(
                f"day of the month {self.monthday} cannot be: 1 to 28, the days every month has"
            )
        if self.monthday is not None and self.weekday is not None:
            raise InputError("a schedule runs on a weekday or on a day of the month, not both")
        if self.every_minutes is not None and (self.weekday, self.monthday) != (None, None):
            raise InputError("a weekday or day of the month goes with HH:MM, not every N minutes")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InputError(f"unknown time zone {self.timezone!r}") from exc


def next_run(rule: Rule, after: datetime, previous: datetime | None = None) -> datetime:
    """The first run strictly after `after` (naive UTC); an interval keeps its phase from
    `previous`, skipping the runs missed while no worker was up."""
    if rule.every_minutes is not None:
        step = timedelta(minutes=rule.every_minutes)
        if previous is None or previous > after:
            return after + step if previous is None else previous
        missed = (after - previous) // step + 1
        return previous + missed * step
    assert rule.at_time is not None
    zone = ZoneInfo(rule.timezone)
    hour, minute = (int(p) for p in rule.at_time.split(":"))
    local_after = after.replace(tzinfo=UTC).astimezone(zone)
    day: date = local_after.date()
    for _ in range(64):
        if _is_run_day(rule, day):
            moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
            utc = moment.astimezone(UTC).replace(tzinfo=None)
            if utc > after:
                return utc
        day += timedelta(days=1)
    raise AssertionError("a daily, weekly or monthly time always comes within 64 days")


def _is_run_day(rule: Rule, day: date) -> bool:
    if rule.weekday is not None and day.weekday() != rule.weekday:
        return False
    return rule.monthday is None or day.day == rule.monthday


def rule_of(found: Schedule) -> Rule:
    """The rule a stored schedule follows."""
    return Rule(found.every_minutes, found.at_time, found.weekday, found.timezone, found.monthday)


def next_after(found: Schedule, now: datetime) -> datetime:
    """A due schedule's next run after `now` (what the worker stores when it enqueues)."""
    return next_run(rule_of(found), now, found.next_run_at)


def add_schedule(
    store: Store,
    ws_id: int,
    name: str,
    kind: str,
    arguments: Mapping[str, Any],
    rule: Rule,
    now: datetime | None = None,
) -> Schedule:
    """Store a schedule whose first run is the rule's next moment after `now`."""
    from otklik.jobs.kinds import check_kind

    rule.check()
    check_kind(kind)
    moment = now or utcnow()
    with store.begin() as conn:
        return jobqueue.add_schedule(
            conn,
            ws_id,
            name,
            kind,
            arguments,
            every_minutes=rule.every_minutes,
            at_time=rule.at_time,
            weekday=rule.weekday,
            monthday=rule.monthday,
            timezone=rule.timezone,
            next_run_at=next_run(rule, moment),
            now=moment,
        )
