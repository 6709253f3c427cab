"""How long a prompt is worth retrying, and the admins' daily summary of prompts that
could not be delivered for good.

A prompt a platform could not take now (5xx, 429, a reset, a timeout) is retried
until its own deadline: the person's next prompt of the same cadence, or the end of
their working day (`end_of_working_day`), whichever comes first; a retry that would
fall in quiet hours inside the day waits for their end. A prompt first tried late,
after downtime, keeps the default night as a late prompt does (`calendar.with_night`):
tried at 19:00 by someone without quiet hours, it is retried until 21:00, not
midnight. After that it is `failed`: a check-in asked at night or after its successor
would be noise, not coaching.

A burst of refusals (a revoked token, a team that never installed the app) must not
become one DM per rep: each organisation's admins get at most one summary per UTC
day, listing every person whose prompt failed since the last one. "At most once a
day" holds across processes: the day's summary is claimed as a processed event
(`coachbot-summary`, `<org>:<date>`) before it is sent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

import prompts
from bot.cadence.calendar import Calendar, available_at, localise, with_night
from bot.cadence.late import LATE_AFTER
from bot.cadence.population import load_population
from bot.core.coach import Coach
from bot.core.messages import Message
from storage import dispatching, events, occurrences, people
from storage import schedule as store
from storage.claims import Claimed
from storage.models import Occurrence

log = logging.getLogger(__name__)

SUMMARY = "coachbot-summary"
LOOK_BACK = timedelta(days=7)
DAY_END = time(18, 0)  # the end of a working day, local, for people without quiet hours


def end_of_working_day(calendar: Calendar, moment: datetime) -> datetime:
    """The end (UTC) of the person's working day that `moment` falls in, in their own
    zone: the start of their quiet hours when those run over midnight (21:00–07:00:
    the night), else 18:00 local. Quiet hours inside the day (12:00–13:00,
    08:00–10:00) interrupt it rather than end it (retries wait for their end:
    `retry_time`), unless they run over 18:00 (17:00–19:00 ends the day at 17:00).
    A moment already past that end (a prompt sent late, after downtime, or by a rule
    in the evening) gets the rest of that local day: until the default night begins
    when `calendar` keeps it (`calendar.with_night`: 21:00), else until midnight. DST
    days are handled by `localise` (wall time -> instant)."""
    tz = calendar.zone
    local = moment.astimezone(tz)
    wall = local.time().replace(tzinfo=None)
    start, stop = calendar.quiet_start, calendar.quiet_end
    end = DAY_END
    if start is not None and stop is not None and (start > stop or start <= DAY_END < stop):
        end = start  # the night, or quiet hours over 18:00
    ends = sorted([end] if calendar.night is None else [end, calendar.night[0]])
    for candidate in ends:
        if candidate > wall:
            return localise(datetime.combine(local.date(), candidate), tz).astimezone(moment.tzinfo)
    return localise(datetime.combine(local.date() + timedelta(days=1), time.min), tz).astimezone(moment.tzinfo)


def retry_time(calendar: Calendar | None, wanted: datetime, deadline: datetime) -> datetime:
    """When to retry a prompt the platform could not take: at `wanted` (the back-off),
    or, when that falls inside the person's quiet hours (12:00–13:00 in the middle of
    their day), at their end; never after `deadline` (the last retry is at it).
    Without a calendar, `wanted` capped by the deadline."""
    if calendar is not None:
        wanted = available_at(calendar, wanted)
    return min(deadline, wanted)


def retry_deadline(calendar: Calendar | None, due_at: datetime, first_try: datetime,
                   next_due: datetime | None) -> datetime:
    """Until when a prompt due at `due_at`, first tried at `first_try` (later than
    `due_at` after downtime), may still be retried: the next prompt of its cadence
    (`next_due`, None if none is planned) or the end of the working day of the
    first try, whichever comes first. A first try more than `late.LATE_AFTER` after
    `due_at` is a late prompt's: its day keeps the default night (`with_night`), so
    it ends at 21:00 for someone without quiet hours first tried in the evening.
    Without a calendar (the person was removed meanwhile) the day ends at 18:00 UTC."""
    base = max(due_at, first_try)
    if calendar is None:
        calendar = Calendar(person_id=0)
    if first_try - due_at > LATE_AFTER:
        calendar = with_night(calendar)
    deadline = end_of_working_day(calendar, base)
    if next_due is not None and next_due > due_at:
        deadline = min(deadline, next_due)
    return deadline


async def deadline_of(coach: Coach, calendar: Calendar | None, person_id: int, kind: str,
                      due_at: datetime, first_try: datetime) -> datetime:
    """`retry_deadline` with the person's next prompt of the same cadence read from
    the planned occurrences (and their calendar read if the caller had none)."""
    if calendar is None:
        calendar = (await load_population(coach.db, due_at, [person_id], days=1)).calendars.get(person_id)
    async with coach.db.session() as session:
        following = await dispatching.next_due(session, person_id, kind, due_at)
    return retry_deadline(calendar, due_at, first_try, following)


async def retry_until(coach: Coach, calendar: Calendar | None, occurrence: Claimed, payload: dict[str, Any],
                      now: datetime) -> datetime:
    """The deadline of `occurrence`'s retries (aware UTC), stored in `payload` (with
    `first_try`) at its first failure, `now`. A stored deadline before the prompt's
    due time is an earlier day's: the retry was claimed after it (coachbot down) and
    moved to the person's next available moment (`bot.cadence.late`), so it is
    worked out anew, from `now`."""
    stored = payload.get("deadline")
    if stored is not None and datetime.fromisoformat(stored) < occurrence.due_at:
        payload.pop("deadline"), payload.pop("first_try", None)
    if "deadline" not in payload:
        first = datetime.fromisoformat(payload.setdefault("first_try", now.isoformat()))
        payload["deadline"] = (await deadline_of(coach, calendar, occurrence.person_id, occurrence.kind,
                                                 occurrence.due_at, first)).isoformat()
    return datetime.fromisoformat(payload["deadline"])


async def summarise_failures(coach: Coach, moment: datetime) -> int:
    """Send each organisation with unreported failures its summary for today, unless
    one went out today already. Returns how many admins were told."""
    async with coach.db.session() as session:
        failed = await occurrences.unreported_failures(session, moment - LOOK_BACK)
    by_org: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in failed:
        by_org[occurrence.org_id].append(occurrence)
    told = 0
    for org_id, rows in by_org.items():
        async with coach.db.session() as session:
            if not await events.claim_event(session, SUMMARY, f"{org_id}:{moment.date().isoformat()}"):
                continue  # today's summary went out; these wait for tomorrow's
            admins = await store.admins(session, org_id)
            named = {p.id: p for p in [await people.get(session, r.person_id) for r in rows] if p is not None}
            await occurrences.mark_reported(session, rows)
        lines = [{"name": named[r.person_id].name if r.person_id in named else f"#{r.person_id}",
                  "email": named[r.person_id].email if r.person_id in named else "",
                  "kind": r.kind, "problem": (r.payload or {}).get("error") or r.reason or ""}
                 for r in rows]
        message = [Message(prompts.render("cadence/delivery_failures", failures=lines))]
        for admin in admins:
            try:
                await coach.deliver(admin.id, message)  # type: ignore[arg-type]
                told += 1
            except Exception as error:  # DeliveryError, or a platform timeout
                log.warning("could not send the failure summary to admin %s: %s", admin.email, error)
    return told
