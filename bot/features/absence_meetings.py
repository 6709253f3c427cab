"""The one-on-ones a saved absence moves or skips (newcomer review F22): listed in the
saved-absence reply beside the prompts, and told to the other person of each meeting
in one short DM, so neither finds a meeting gone or moved without a word.

A 1:1 is not a stored occurrence: `bot.cadence.meetings` places each series in the
rep's calendar (either person's absence or holiday moves or skips it), so this reads
the meetings after the absence is saved, as the manager's brief and `/okr 1on1` do."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import prompts
from bot.cadence.meetings import Meeting, one_on_one_meetings
from bot.core.coach import Coach
from bot.core.messages import Message
from storage import people
from storage.db import Database


async def moved_meetings(db: Database, person_id: int, first: date, last: date,
                         now: datetime, horizon: timedelta) -> list[dict[str, Any]]:
    """The 1:1s (of `person_id`, as rep or manager) whose regular day falls in
    [first, last], each {"meeting", "day" (its regular date), "skipped", "moved_to"
    (the aware UTC instant it now takes place, None when skipped), "next" (the next
    one held, UTC, when skipped)}; those the absence left alone are not listed."""
    found = await one_on_one_meetings(db, now - timedelta(days=1), now + horizon, [person_id])
    out: list[dict[str, Any]] = []
    for meeting in found:
        day = meeting.slot.nominal.date()
        if not first <= day <= last:
            continue
        held = meeting.slot.due_at
        if held is not None and held.astimezone(meeting.slot.nominal.tzinfo).date() == day:
            continue  # still on its day: the absence did not touch it
        later = [m.slot.due_at for m in found if m.series_id == meeting.series_id
                 and m.slot.due_at is not None and m.slot.nominal.date() > day]
        out.append({"meeting": meeting, "day": day, "skipped": held is None, "moved_to": held,
                    "next": min(later) if later else None})
    return out


def shown_for(changes: list[dict[str, Any]], person_id: int, timezone: str) -> list[dict[str, Any]]:
    """`changes` as the person `person_id` reads them: the other person's name and the
    new day and time in `timezone` (for the saved-absence reply and the DM)."""
    out = []
    for change in changes:
        meeting: Meeting = change["meeting"]
        other = meeting.manager_name if meeting.rep_id == person_id else meeting.rep_name
        moved, following = (None if t is None else t.astimezone(ZoneInfo(timezone))
                            for t in (change["moved_to"], change["next"]))
        out.append({"with": other, "day": change["day"], "skipped": change["skipped"],
                    "moved_to": moved, "at": moved.strftime("%H:%M") if moved else None,
                    "next": following, "next_at": following.strftime("%H:%M") if following else None})
    return out


async def tell_the_other(coach: Coach, absent: Any, first: date, last: date,
                         changes: list[dict[str, Any]]) -> int:
    """One DM to the other person of each moved or skipped 1:1 (the manager when a rep
    is away, the rep when their manager is), naming who is away and the meeting's new
    day and time in their own zone; answers how many were sent (a failed copy is
    logged by `Coach.send_copy`, never raised: the absence is saved already)."""
    sent = 0
    by_other: dict[int, list[dict[str, Any]]] = {}
    for change in changes:
        meeting: Meeting = change["meeting"]
        other = meeting.manager_id if meeting.rep_id == absent.id else meeting.rep_id
        by_other.setdefault(other, []).append(change)
    for other_id, theirs in by_other.items():
        async with coach.db.session() as session:
            other = await people.get(session, other_id)
        if other is None:
            continue
        text = prompts.render("one_on_ones/moved_by_absence", away=absent.name, first=first, last=last,
                              changes=shown_for(theirs, other_id, other.timezone or "UTC"))
        sent += int(await coach.send_copy(other_id, [Message(text, private=True)]))
    return sent
