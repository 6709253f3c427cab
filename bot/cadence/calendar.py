"""A person's calendar: when they may be prompted at all. Their IANA zone, working
week, public holidays (the `holidays` library, by country and region), quiet hours
and absences; and the arithmetic on it that nudges and snoozes need (the next
available moment, working hours added). Pure: no I/O, no clock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core.clock import zone
from conversations.locales import country_of_zone as country_of_zone  # the one answer, re-exported

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Calendar:
    """When a person can be prompted: their zone, week, holidays, quiet hours, absences."""

    person_id: int
    timezone: str = "UTC"
    working_days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    country: str | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    absences: tuple[tuple[date, date], ...] = ()
    not_before: datetime | None = None  # nothing is scheduled before this (e.g. import)
    # a second country whose public holidays are days off too: the manager's, when a 1:1
    # is placed in the rep's calendar (bot.cadence.meetings); None for prompts
    also_holidays: str | None = None
    # the default night (start, end; local) kept besides the quiet hours by what is sent
    # at a moment no rule chose: a late prompt, a nudge (`with_night`); None as set
    night: tuple[time, time] | None = None

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def working_day(self, day: date) -> bool:
        """Whether `day` (a local date) is one the person works: one of their working
        weekdays and no public holiday in their country (absences aside). The one rule
        for "is this a working day": prompts are placed by it (`day_off`), and `/okr out`
        counts the working days an absence takes and reads "for 3 days" by it."""
        return day.isoweekday() in self.working_days and self._holiday(day) is None

    def _holiday(self, day: date) -> str | None:
        return holiday_name(self.country, day) or holiday_name(self.also_holidays, day)

    def day_off(self, day: date) -> str | None:
        """Why `day` (a local date) is not available, as a reason code, or None."""
        for first, last in self.absences:
            if first <= day <= last:
                return f"absence:{last.isoformat()}"
        name = self._holiday(day)
        if name is not None:
            return f"holiday:{name}"
        if day.isoweekday() not in self.working_days:
            return f"day_off:{day.isoweekday()}"
        return None

    def quiet_until(self, moment: time) -> tuple[time, bool] | None:
        """If `moment` is inside quiet hours (or the default night, when kept): (their
        end, whether that end is on the next day). None when prompting at `moment` is
        fine."""
        found = self.quiet_why(moment)
        return None if found is None else found[:2]

    def quiet_why(self, moment: time) -> tuple[time, bool, str] | None:
        """`quiet_until`, with the code the hours are named by in a reason: "quiet_hours"
        (the person's own) or "night" (the default night, `with_night`). The person's
        own are looked at first."""
        own = _inside(self.quiet_start, self.quiet_end, moment)
        if own is not None:
            return (*own, "quiet_hours")
        night = None if self.night is None else _inside(*self.night, moment)
        return None if night is None else (*night, "night")


NIGHT = (time(21), time(7))
"""The night that what is sent at a moment no rule chose waits out for someone whose
quiet hours do not cover one: (start, end), local wall times. A prompt planned normally
is placed at its rule's local time, so no one meets it at night; one caught up after
downtime (`bot.cadence.late`), and a nudge (`bot.cadence.nudges`), go out when coachbot
gets to them, and "no quiet hours" (or quiet hours at lunch) means "no special hours",
not "wake me at 01:00". 21:00–07:00 is the README's own example of quiet hours."""


def own_night(cal: Calendar) -> bool:
    """Whether the person's own quiet hours are a night: they run over midnight
    (22:00–06:00), begin at it (00:00–06:00), or last as long as the default night or
    longer (07:00–21:00: someone who works nights; the default night beside them would
    leave no moment, or an hour at dawn). Quiet hours inside the day (12:00–13:00,
    17:00–19:00) are not."""
    start, end = cal.quiet_start, cal.quiet_end
    if start is None or end is None or start == end:
        return False
    return start > end or start == time.min or _minutes(start, end) >= _minutes(*NIGHT)


def _minutes(start: time, end: time) -> int:
    """Minutes from `start` to `end`, local wall times, over midnight if need be."""
    return (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % (24 * 60)


def with_night(cal: Calendar) -> Calendar:
    """`cal` as a late prompt or a nudge reads it: with the default `NIGHT` kept
    besides its own quiet hours, unless those are a night of their own (`own_night`),
    which then replaces it. Returns `cal` itself when nothing is added."""
    if own_night(cal) or cal.night == NIGHT:
        return cal
    return replace(cal, night=NIGHT)


def _inside(start: time | None, end: time | None, moment: time) -> tuple[time, bool] | None:
    """(end, on the next day) when `moment` is in [start, end) (which may cross
    midnight); None otherwise, or when there are no such hours."""
    if start is None or end is None or start == end:
        return None
    if start < end:
        return (end, False) if start <= moment < end else None
    if moment >= start:
        return (end, True)
    if moment < end:
        return (end, False)
    return None


class Calendars(Mapping[int, Calendar]):
    """person id -> their Calendar, for a whole population, built from shared shapes.

    Most of a sales organisation shares a zone, a working week, a holiday country and
    quiet hours, and has no absence in the window: those people share one *shape* (a
    Calendar with person id 0 and no join date) and differ only by id and join date.
    The planner groups by shape (`shape_of`, one object per distinct shape), and a
    person's own Calendar is built the first time it is asked for: at 100,000 people,
    building every one of them up front cost more than planning their day.
    """

    def __init__(self, shapes: dict[int, Calendar], joined: dict[int, datetime | None]) -> None:
        """`shapes`: person id -> shared shape (equal shapes should be the same object);
        `joined`: person id -> nothing is planned before this (aware UTC) or None."""
        self._shapes = shapes
        self._joined = joined
        self._built: dict[int, Calendar] = {}

    @classmethod
    def of(cls, calendars: Mapping[int, Calendar]) -> Calendars:
        """From per-person calendars (a few people, a test's fixture)."""
        if isinstance(calendars, Calendars):
            return calendars
        shared: dict[Calendar, Calendar] = {}
        shapes = {pid: shared.setdefault(s, s) for pid, s in
                  ((pid, replace(cal, person_id=0, not_before=None)) for pid, cal in calendars.items())}
        return cls(shapes, {pid: cal.not_before for pid, cal in calendars.items()})

    def shape_of(self, person_id: int) -> Calendar:
        """The person's calendar without their id and join date (shared; KeyError)."""
        return self._shapes[person_id]

    def joined(self, person_id: int) -> datetime | None:
        return self._joined[person_id]

    def __getitem__(self, person_id: int) -> Calendar:
        found = self._built.get(person_id)
        if found is None:
            s = self._shapes[person_id]
            found = self._built[person_id] = Calendar(
                person_id, s.timezone, s.working_days, s.country, s.quiet_start, s.quiet_end,
                s.absences, self._joined[person_id], s.also_holidays, s.night)
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self._shapes)

    def __len__(self) -> int:
        return len(self._shapes)

    def __contains__(self, person_id: object) -> bool:
        return person_id in self._shapes


@lru_cache(maxsize=4096)
def _holidays(country: str, year: int) -> dict[date, str]:
    import holidays

    code, _, subdiv = country.upper().partition("-")
    try:
        found = holidays.country_holidays(code, subdiv=subdiv or None, years=year)
    except (NotImplementedError, KeyError, ValueError):
        log.warning("no public holidays known for %r", country)
        return {}
    return dict(found.items())


def holiday_name(country: str | None, day: date) -> str | None:
    """The public holiday on `day` in `country` ("NO", "US" or "US-CA"), or None."""
    if not country:
        return None
    return _holidays(country, day.year).get(day)


def localise(wall: datetime, tz: ZoneInfo) -> datetime:
    """Attach `tz` to a naive wall time. A time skipped by a spring-forward switch
    moves forward by the gap (02:30 -> 03:30); a repeated one takes its first pass."""
    aware = wall.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz)


def available_at(cal: Calendar, moment: datetime) -> datetime:
    """The first instant at or after `moment` when the person may be prompted: on an
    available day and outside quiet hours (a nudge or a snooze that lands on Saturday
    night waits for Monday morning)."""
    tz = cal.zone
    candidate = moment.astimezone(tz)
    for _ in range(400):
        if cal.day_off(candidate.date()) is not None:
            day = candidate.date() + timedelta(days=1)
            candidate = localise(datetime.combine(day, candidate.time().replace(tzinfo=None)), tz)
            continue
        quiet = cal.quiet_until(candidate.time().replace(tzinfo=None))
        if quiet is not None:
            day = candidate.date() + timedelta(days=1 if quiet[1] else 0)
            candidate = localise(datetime.combine(day, quiet[0]), tz)
            continue
        return candidate.astimezone(UTC)
    return moment.astimezone(UTC)


def add_working_hours(cal: Calendar, start: datetime, hours: float) -> datetime:
    """`start` plus `hours` counted only on the person's available days (working days
    that are neither holidays nor vacation), in their zone, then moved out of quiet
    hours. 24 working hours after Friday 09:30 is Monday 09:30. Counted on the wall
    clock: a day on which daylight saving time starts or ends counts as 24 hours, so
    Thursday 09:30 + 24 h over the night the clocks go back is still Sunday 09:30 (a
    Sun–Thu week), not 08:30."""
    tz = cal.zone
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(tz).replace(tzinfo=None)  # naive wall time
    for _ in range(800):
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), time.min)
        if cal.day_off(cursor.date()) is None:
            span = next_midnight - cursor
            if remaining <= span:
                return available_at(cal, localise(cursor + remaining, tz))
            remaining -= span
        cursor = next_midnight
    return available_at(cal, start + timedelta(hours=hours))


def next_working_morning(cal: Calendar, moment: datetime, at: time) -> datetime:
    """'tomorrow': the next available day after `moment`'s local day, at local `at`."""
    tz = cal.zone
    day = moment.astimezone(tz).date() + timedelta(days=1)
    for _ in range(400):
        if cal.day_off(day) is None:
            return available_at(cal, localise(datetime.combine(day, at), tz))
        day += timedelta(days=1)
    return moment


def catch_up_at(cal: Calendar, moment: datetime, at: time) -> tuple[datetime, list[str]]:
    """When a prompt that should have gone out before `moment` (coachbot was down) may
    go out: `moment` itself when the person is available then; else, as a slot is
    moved (`bot.cadence.rules.place`), the next available day at the prompt's own
    local time `at`, or the end of the quiet hours. Returns (that instant, aware UTC;
    the reason codes of what was passed over, in order: "quiet_hours:07:00",
    "day_off:6", "holiday:…", "absence:…", "night:07:00" for the default night when
    `cal` keeps it: `with_night`; days off after the first left out).
    Gives up after 400 steps with `moment` (a calendar with no available day)."""
    tz = cal.zone
    candidate = moment.astimezone(tz)
    reasons: list[str] = []
    for _ in range(400):
        why = cal.day_off(candidate.date())
        if why is not None:
            if not reasons or (why not in reasons and not why.startswith("day_off")):
                reasons.append(why)
            candidate = localise(datetime.combine(candidate.date() + timedelta(days=1), at), tz)
            continue
        until = cal.quiet_why(candidate.time().replace(tzinfo=None))
        if until is not None:
            code = f"{until[2]}:{until[0].strftime('%H:%M')}"
            reasons += [code] if code not in reasons else []
            day = candidate.date() + timedelta(days=1 if until[1] else 0)
            candidate = localise(datetime.combine(day, until[0]), tz)
            continue
        return candidate.astimezone(UTC), reasons
    return moment.astimezone(UTC), reasons
