"""Schedule rules -> occurrences, in each person's own calendar. Pure: no I/O, no clock.

A cadence is stored as a *local* rule (IANA zone + RFC 5545 rrule + local wall time),
never as a UTC offset, so "Tuesday 09:30" stays 09:30 for the person across daylight
saving switches. dateutil's rrule produces the nominal wall times; each one is then
placed in the person's calendar:

* a nominal slot on an available day, outside quiet hours, is **due** as it is;
* a slot that falls on a day off (a non-working weekday, a public holiday of the
  person's country, a vacation) or inside quiet hours is **moved** to the next
  available moment at the same local time (the first working day back), *as long as
  that is no later than halfway to the cadence's next regular slot* (`latest_move`);
* otherwise it is **skipped**, with the reason, because the next regular prompt covers
  the same ground and two prompts back to back are noise.

Source of the halfway rule: PRODUCT.md and seed 003 hold an OKR check-in every two to
three weeks and a WIG session every week because the conversation needs the time in
between to have something to talk about. A check-in moved past the middle of its
interval would leave the next regular one less than half the rhythm later (a bi-weekly
check-in missed on Tue 29 Dec for an absence until 8 Jan would land on Mon 11 Jan, the
day before the regular 12 Jan one); so it is skipped and the next regular one covers
both. A WIG session missed on Monday moves up to Thursday (3 of 7 days), not Friday.

The occurrence key is built from the *nominal* local date, so a slot that moves (a
holiday added later, a vacation) is still the same occurrence: it can never be
delivered twice under two keys.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from bot.cadence.calendar import Calendar, localise
from bot.core.clock import zone
from conversations.working_week import week_start

log = logging.getLogger(__name__)

OKR_CHECKIN = "okr_checkin"
WIG = "wig"
ONE_ON_ONE = "one_on_one"
PROMPT_KINDS = (OKR_CHECKIN, WIG)

# Bi-weekly parity is counted from this Monday (ISO week 1 of 2024), so every process,
# every restart and every preview agrees on which weeks are "on" without storing state.
DEFAULT_ANCHOR = date(2024, 1, 1)

# Built-in defaults when an organisation has stored no rule for a kind. BYDAY is only a
# placeholder: `default_rule` adapts it to the person's own working week.
DEFAULTS: dict[str, tuple[str, time]] = {
    OKR_CHECKIN: ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", time(9, 30)),
    WIG: ("FREQ=WEEKLY;BYDAY=MO", time(9, 0)),
}

RRULE_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}

# How far around a window nominal slots are generated, so that a slot moved into the
# window from before it (and the next regular slot after it) is seen.
LOOK_AROUND = timedelta(days=35)

Status = Literal["due", "moved", "skipped"]


class CadenceError(ValueError):
    """A stored rule cannot be understood (bad rrule, time or zone)."""


def parse_local_time(text: str | time) -> time:
    """'09:30' -> time(9, 30); raises CadenceError with the offending text."""
    if isinstance(text, time):
        return text
    try:
        hours, _, minutes = text.strip().partition(":")
        return time(int(hours), int(minutes or 0))
    except ValueError:
        raise CadenceError(f"{text!r} is not a local time like 09:30") from None


def nth_working_day(working_days: frozenset[int], n: int) -> int:
    """The n-th (1-based) working weekday of the person's week, wrapping if short."""
    start = week_start(working_days)
    ordered = [((start - 1 + i) % 7) + 1 for i in range(7)]
    mine = [d for d in ordered if d in working_days] or [1]
    return mine[(n - 1) % len(mine)]


@dataclass(frozen=True)
class Rule:
    """A cadence rule resolved for one person. `timezone` None = the person's zone."""

    kind: str
    rrule: str
    local_time: time
    timezone: str | None = None
    anchor_on: date | None = None
    source: str = "default"


@lru_cache(maxsize=256)
def default_rule(kind: str, working_days: frozenset[int]) -> Rule:
    """The built-in rule for `kind`, adapted to the person's week: the WIG prompt on
    the first working day (the session sets up the week), the OKR check-in on the
    second (Monday is for planning; Tuesday in a Mon–Fri week, Monday in Sun–Thu)."""
    text, at = DEFAULTS[kind]
    day = nth_working_day(working_days, 1 if kind == WIG else 2)
    parts = [p for p in text.split(";") if not p.startswith("BYDAY=")]
    parts.append(f"BYDAY={RRULE_DAYS[day]}")
    return Rule(kind, ";".join(parts), at, None, DEFAULT_ANCHOR, "default")


@dataclass(frozen=True)
class Slot:
    """One computed prompt: when the rule says (`nominal`), when it actually goes out
    (`due_at`, None when skipped), and why it moved or was skipped."""

    person_id: int
    kind: str
    nominal: datetime  # aware, in the rule's zone
    status: Status
    due_at: datetime | None  # aware UTC
    local: datetime | None  # aware, in the person's zone
    reason: str | None = None
    source: str = "default"
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return occurrence_key(self.kind, self.person_id, self.nominal.date())

    @property
    def effective(self) -> datetime:
        """The instant that places the slot in a window: when it goes out, or for a
        skipped slot when it would have."""
        return self.due_at if self.due_at is not None else self.nominal.astimezone(UTC)


def occurrence_key(kind: str, person_id: int, nominal_day: date) -> str:
    """The unique key of an occurrence: one per cadence, person and nominal local day."""
    return f"{kind}:{person_id}:{nominal_day.isoformat()}"


@lru_cache(maxsize=1024)
def _compiled(text: str, anchor: date, at: time) -> rrule:
    body = "\n".join(
        line[6:] if line.upper().startswith("RRULE:") else line for line in text.strip().splitlines()
    )
    try:
        parsed = rrulestr(body, dtstart=datetime.combine(anchor, at))
    except (ValueError, TypeError) as error:
        raise CadenceError(f"{text!r} is not an rrule: {error}") from None
    if not isinstance(parsed, rrule):
        raise CadenceError(f"{text!r} must be a single RRULE")
    return parsed


def check_rule(text: str, at: str = "09:00", timezone: str | None = None) -> None:
    """Validate a rule before storing it; raises CadenceError naming what is wrong."""
    _compiled(text, DEFAULT_ANCHOR, parse_local_time(at))
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CadenceError(f"{timezone!r} is not an IANA time zone") from None


def weekly_rhythm(text: str) -> tuple[int, tuple[int, ...]] | None:
    """A plain weekly rule as (every how many weeks, ISO weekdays), for saying it in
    words ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU" -> (2, (2,)): "every other Tuesday");
    None for any other rule (monthly, a numbered BYDAY, more parts), said as written."""
    codes = {code: day for day, code in RRULE_DAYS.items()}
    parts = dict(part.partition("=")[::2] for part in text.strip().upper().removeprefix("RRULE:").split(";") if part)
    if parts.get("FREQ") != "WEEKLY" or set(parts) - {"FREQ", "INTERVAL", "BYDAY", "WKST"}:
        return None
    days = [codes.get(code) for code in parts.get("BYDAY", "").split(",")]
    interval = parts.get("INTERVAL", "1")
    if not days or None in days or not interval.isdigit() or int(interval) < 1:
        return None
    return int(interval), tuple(sorted(set(days)))  # type: ignore[arg-type]


@lru_cache(maxsize=8192)
def _nominals(
    text: str, anchor: date, at: time, first: date, last: date
) -> tuple[tuple[datetime, ...], datetime | None]:
    """Naive local wall times of the rule from `first` to `last` (inclusive), and the
    one after, so the last slot knows where its window ends. Cached: a population
    shares a handful of rules, so 10,000 people cost a handful of rrule expansions."""
    compiled = _compiled(text, anchor, at)
    found = compiled.between(
        datetime.combine(first, time.min), datetime.combine(last, time.max), inc=True
    )
    return tuple(found), compiled.after(datetime.combine(last, time.max))


def latest_move(nominal: datetime, next_nominal: datetime | None) -> datetime:
    """The latest naive local wall time (in the rule's zone) a slot nominally at
    `nominal` may be moved to: halfway to `next_nominal` (the module docstring says
    why; a 14-day check-in moves at most 7 days, a weekly WIG prompt 3.5 days). Wall
    times, so a daylight-saving switch in between moves nothing by an hour. Without a
    next slot (the rule ends) a week counts as the interval."""
    following = next_nominal if next_nominal is not None else nominal + timedelta(days=7)
    return nominal + (following - nominal) / 2


def move_limit(rule: Rule, nominal_day: date, person_zone: str) -> datetime:
    """The latest instant (aware UTC) the slot of `rule` nominally on `nominal_day` may
    go out, moved or late: halfway to the rule's next regular slot (`latest_move`,
    in the rule's zone, else `person_zone`), and before that slot. Raises CadenceError
    for a rule that is not an rrule."""
    at = rule.local_time
    nominal = datetime.combine(nominal_day, at)
    following = _compiled(rule.rrule, rule.anchor_on or DEFAULT_ANCHOR, at).after(nominal)
    return localise(latest_move(nominal, following), zone(rule.timezone, person_zone)).astimezone(UTC)


def place(cal: Calendar, rule: Rule, nominal: datetime, next_nominal: datetime | None) -> Slot:
    """Put one nominal slot into the person's calendar: due, moved or skipped."""
    rule_zone = zone(rule.timezone, cal.timezone)
    person_zone = cal.zone
    start = localise(nominal, rule_zone)
    limit = localise(next_nominal, rule_zone) if next_nominal is not None else start + timedelta(days=7)
    latest = latest_move(nominal, next_nominal)
    reasons: list[str] = []  # every distinct reason a day or hour was passed over, in order
    candidate = start
    for _ in range(400):
        if candidate >= limit or candidate.astimezone(rule_zone).replace(tzinfo=None) > latest:
            break
        local = candidate.astimezone(person_zone)
        why = cal.day_off(local.date())
        if why is not None:
            if not reasons or (why not in reasons and not why.startswith("day_off")):  # a weekend passed is no news
                reasons.append(why)
            day = candidate.date() + timedelta(days=1)
            candidate = localise(datetime.combine(day, nominal.time()), rule_zone)
            continue
        quiet = cal.quiet_until(local.time().replace(tzinfo=None))
        if quiet is not None:
            quiet_reason = f"quiet_hours:{quiet[0].strftime('%H:%M')}"
            reasons += [quiet_reason] if quiet_reason not in reasons else []
            day = local.date() + timedelta(days=1 if quiet[1] else 0)
            candidate = localise(datetime.combine(day, quiet[0]), person_zone)
            continue
        status: Status = "due" if candidate == start else "moved"
        return Slot(cal.person_id, rule.kind, start, status, candidate.astimezone(UTC), local,
                    join_reasons(reasons) if status == "moved" else None, rule.source)
    return Slot(cal.person_id, rule.kind, start, "skipped", None, None,
                join_reasons(reasons) or "no_slot", rule.source)


REASON_SEPARATOR = "; "


def join_reasons(reasons: list[str]) -> str | None:
    """The stored reason of a moved or skipped slot: each reason a day was passed
    over, in order, days off after the first left out (the weekend after a Friday
    holiday): "holiday:Boxing Day; absence:2026-12-29" is moved off Monday's holiday,
    then off Tuesday's absence, so the preview and the saved-absence message name both,
    not only the first. At most 300 characters (the column's width), whole reasons."""
    joined = ""
    for reason in reasons:
        longer = f"{joined}{REASON_SEPARATOR}{reason}" if joined else reason
        if len(longer) > 300:
            break
        joined = longer
    return joined or None


def plan(cal: Calendar, rule: Rule, start: datetime, end: datetime) -> list[Slot]:
    """Every slot of `rule` for this person whose effective instant is in [start, end).

    Slots before `cal.not_before` (when the person joined) are left out: a team
    imported today is not owed last month's prompts.
    """
    at = rule.local_time
    anchor = rule.anchor_on or DEFAULT_ANCHOR
    first = (start - LOOK_AROUND).date()
    last = (end + LOOK_AROUND).date()
    nominals, after = _nominals(rule.rrule, anchor, at, first, last)
    # A slot only ever moves forward, and never past the next regular one, so a nominal
    # whose next one is before the window, or which itself is after it, cannot land in
    # it. Wall times are compared to UTC with a day of slack (no zone is 14 h away).
    lower = start.replace(tzinfo=None) - timedelta(days=1)
    upper = end.replace(tzinfo=None) + timedelta(days=1)
    slots: list[Slot] = []
    for index, nominal in enumerate(nominals):
        following = nominals[index + 1] if index + 1 < len(nominals) else after
        if nominal > upper:
            break
        if following is not None and following < lower:
            continue
        slot = place(cal, rule, nominal, following)
        if not start <= slot.effective < end:
            continue
        if cal.not_before is not None and slot.nominal < cal.not_before:
            continue
        slots.append(slot)
    return slots


@lru_cache(maxsize=1024)
def _nominal_days(text: str, anchor: date, at: time, first: date, last: date) -> frozenset[date]:
    return frozenset(n.date() for n in _nominals(text, anchor, at, first, last)[0])


def nominal_days(rule: Rule, start: datetime, end: datetime) -> frozenset[date]:
    """The local days `rule` has a slot on near [start, end) (shared by everyone with
    the same rule): a pending occurrence keyed on another day was planned by a rule
    that has since changed."""
    return _nominal_days(rule.rrule, rule.anchor_on or DEFAULT_ANCHOR, rule.local_time,
                         (start - LOOK_AROUND).date(), (end + LOOK_AROUND).date())


def in_own_weeks(rule: Rule, working_days: frozenset[int]) -> Rule:
    """`rule` with weeks counted from the person's own first working day (RFC 5545
    WKST): for every-other-week, any day of one working week as the anchor selects the
    same weeks (a Sunday–Thursday team anchored on Tuesday 12 Jan 2027 gets Sunday 10
    and 24 Jan, as when anchored on Sunday 10 Jan; counted Monday-first it got 17 and
    31 Jan). A rule that names its WKST keeps it; a weekly rule is unaffected."""
    if not rule.rrule or "WKST=" in rule.rrule.upper() or "INTERVAL=" not in rule.rrule.upper():
        return rule
    return replace(rule, rrule=f"{rule.rrule};WKST={RRULE_DAYS[week_start(working_days)]}")


def resolve_rules(kind: str, candidates: Sequence[Rule], working_days: frozenset[int]) -> Rule | None:
    """The rule that applies: person beats team beats organisation beats built-in,
    with weeks counted from the person's first working day (`in_own_weeks`).
    `candidates` are the enabled stored rules of this kind that could apply. None means
    the cadence is switched off (a disabled rule at the most specific level)."""
    for source in ("person", "team", "org"):
        for rule in candidates:
            if rule.kind == kind and rule.source == source:
                return in_own_weeks(rule, working_days) if rule.rrule else None
    if kind in DEFAULTS:
        return in_own_weeks(default_rule(kind, working_days), working_days)
    return None
