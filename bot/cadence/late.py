"""Prompts caught up after downtime: held for the person's next available moment.

A prompt planned normally is due inside the person's working time (`rules.place`
moved it out of days off and quiet hours), and goes out within a tick of that. One
claimed *late* — due more than `LATE_AFTER` before the claim, because coachbot was
down when it was due (or a long queue held it) — may now fall at night, inside quiet
hours or on a weekend: after an outage, a Kolkata rep would get Monday's WIG session
at 01:30. So before a late prompt is sent, its person's calendar is asked whether
now is an available moment. Someone who set no quiet hours, or only some inside the
day (12:00–13:00), still sleeps: for a late prompt they keep a default night (`NIGHT`,
21:00–07:00 local, besides their own quiet hours: `calendar.with_night`); quiet hours
that are a night of their own (22:00–06:00) replace it. If not available, the prompt is
treated as a slot is when planned:

* **moved** to the next available moment (`calendar.catch_up_at`: the end of the
  quiet hours or of the night, or the next available day at the prompt's own local
  time), stored back as pending with that due time and a reason `late:<when it was
  due, local>; <what was passed over>` (`quiet_hours:07:00`, or `night:07:00` for
  someone who set none); a re-plan does not pull it back into the past
  (`storage.planning`);
* **skipped**, with that reason, when that moment is later than halfway to the
  cadence's next regular slot (`rules.move_limit`): the next regular prompt covers the
  same ground. A snoozed prompt (the person chose its time) and one no rule made (a
  demo's, a feature's own) are moved, never skipped.

Cheap by construction: only late rows are looked at, the calendars are the
dispatcher's population (loaded in bulk; people it does not hold yet, e.g. before a
restarted process's first plan, are loaded in one query per batch), "available now?"
is asked once per calendar shape (the shape with the default night filled in is
made once per shape too), and the decision once per (shape, rule, slot).
Retries (a transient failure's claim, with its own deadline: `bot.cadence.failures`)
are left to their rule while that deadline holds; one claimed after it (coachbot was
down when it was due, and until past its deadline) is a caught-up prompt like any other.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.cadence.calendar import NIGHT as NIGHT  # the default night, re-exported
from bot.cadence.calendar import Calendar, available_at, catch_up_at, with_night
from bot.cadence.population import Population, load_population
from bot.cadence.rules import CadenceError, join_reasons, move_limit
from storage import dispatching
from storage.claims import Claimed
from storage.db import Database
from storage.planning import LATE

log = logging.getLogger(__name__)

# A prompt claimed this long after its due time was not sent on time: ticks come once
# a minute (and every 10 seconds for what fell due), so one due earlier than two
# minutes ago waited for coachbot, not for its tick.
LATE_AFTER = timedelta(minutes=2)

@dataclass(frozen=True)
class Hold:
    """What happens to a late prompt that may not go out now: due again at `due_at`
    (aware UTC; the person's local day `local_date`), or `skipped`; `reason` is
    stored either way."""

    due_at: datetime
    local_date: date
    reason: str
    skipped: bool = False


class LateCheck:
    """Decides, for the prompts of one claim, which may go out now (`hold`). One per
    batch: its caches are keyed by the identity of the population's shared objects."""

    def __init__(self, now: datetime, population: Population, late_after: timedelta = LATE_AFTER) -> None:
        self.now, self.population = now, population
        self.cutoff = now - late_after
        self._available: dict[int, bool] = {}  # id(calendar shape) -> available now
        # id(calendar shape) -> it with the default night (`with_night`); holding each
        # keeps its id stable for `_available` and `_decided`
        self._nights: dict[int, Calendar] = {}
        self._decided: dict[tuple[Any, ...], Hold] = {}

    def is_late(self, occurrence: Claimed) -> bool:
        """Due before the cutoff, and neither a retry whose deadline was not before it
        either (`bot.cadence.failures`: it keeps to that; its last try is at the
        deadline) nor a demo's prompt (`coachbot demo` asks for one now: a slow start is
        not downtime)."""
        payload = occurrence.payload or {}
        if occurrence.due_at >= self.cutoff or payload.get("demo"):
            return False
        deadline = payload.get("deadline")
        return deadline is None or datetime.fromisoformat(deadline) < self.cutoff

    def hold(self, occurrence: Claimed) -> Hold | None:
        """None when `occurrence` may be sent now (on time, a retry, the person is
        available now or no longer scheduled); else what to do with it."""
        if not self.is_late(occurrence):
            return None
        calendars = self.population.shared
        if occurrence.person_id not in calendars:
            return None  # left the team or inactive: the send path says so
        shape = self._with_night(calendars.shape_of(occurrence.person_id))
        free = self._available.get(id(shape))
        if free is None:
            free = self._available[id(shape)] = available_at(shape, self.now) <= self.now
        if free:
            return None
        rules = self.population.rules.get(occurrence.person_id, [])
        snoozed = int((occurrence.payload or {}).get("snoozes", 0)) > 0
        day = occurrence.key.rpartition(":")[2]
        key = (id(shape), id(rules), occurrence.kind, day, occurrence.due_at, snoozed)
        found = self._decided.get(key)
        if found is None:
            found = self._decided[key] = self._decide(shape, rules, occurrence, day, snoozed)
        return found

    def _with_night(self, shape: Calendar) -> Calendar:
        """`shape` with the default night kept (`calendar.with_night`): one object per
        shape object, kept for the batch."""
        found = self._nights.get(id(shape))
        if found is None:
            found = self._nights[id(shape)] = with_night(shape)
        return found

    def _decide(self, shape: Calendar, rules: Sequence[Any], occurrence: Claimed, day: str,
                snoozed: bool) -> Hold:
        tz = shape.zone
        was = occurrence.due_at.astimezone(tz)
        when, passed = catch_up_at(shape, self.now, was.time().replace(tzinfo=None))
        reason = join_reasons([f"{LATE}{was:%Y-%m-%d %H:%M}", *passed]) or LATE
        rule = next((r for r in rules if r.kind == occurrence.kind), None)
        if rule is not None and not snoozed:
            try:
                limit = move_limit(rule, date.fromisoformat(day), shape.timezone)
            except (ValueError, CadenceError):
                limit = None  # not a key the planner makes (a demo's), or a broken rule
            if limit is not None and when > limit:
                return Hold(when, when.astimezone(tz).date(), reason, skipped=True)
        return Hold(when, when.astimezone(tz).date(), reason)


async def hold_late(db: Database, instance: str, claimed: list[Claimed], now: datetime,
                    population: Population | None) -> tuple[list[Claimed], int]:
    """Split a claim into the prompts to send now and the late ones held back (stored
    at once: `storage.dispatching.hold_late`). `population`: the dispatcher's, or None
    before its first plan; people it lacks are loaded in one query. Returns (to send,
    how many were held or skipped)."""
    cutoff = now - LATE_AFTER
    late = {o.person_id for o in claimed if o.due_at < cutoff}
    if not late:
        return claimed, 0  # the usual case: nothing late, nothing loaded
    known = population
    missing = late if known is None else {pid for pid in late if pid not in known.calendars}
    checks: list[LateCheck] = []
    if known is not None:
        checks.append(LateCheck(now, known))
    if missing:
        checks.append(LateCheck(now, await load_population(db, now, missing, days=60)))
    held: dict[Hold, list[int]] = defaultdict(list)
    sendable: list[Claimed] = []
    for occurrence in claimed:
        check = checks[-1] if occurrence.person_id in missing else checks[0]
        decision = check.hold(occurrence)
        if decision is None:
            sendable.append(occurrence)
        else:
            held[decision].append(occurrence.id)
    count = 0
    if held:
        async with db.session() as session:
            for decision, ids in held.items():
                count += await dispatching.hold_late(session, instance, ids, decision.due_at,
                                                     decision.local_date, decision.reason, decision.skipped)
        log.info("held back %d late prompts for the people's next available moment", count)
    return sendable, count
