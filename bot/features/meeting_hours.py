"""Whether a one-on-one's slot falls in both people's working time, for the warning
`/okr 1on1 @rep …` adds to its reply. The series is set either way (the manager
decides); a slot at 02:30, on a Sunday for a Monday–Friday person, or at 20:30 for a
rep nine hours away is said, not refused.

Working time is what the rest of the bot already uses for people: their working
days (`Person.working_days`, holidays aside: a series is weekly, a holiday is one
day) and their working hours, from the end to the start of their quiet hours when
they set some, else 08:00–18:00 their time (`bot.cadence.planner.REMINDER_HOURS`,
the hours reminders keep to).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from bot import cadence
from bot.cadence.planner import REMINDER_HOURS
from storage.models import Person


def working_hours(person: Person) -> tuple[time, time]:
    """(start, end) of the person's working day, local wall times: their quiet hours'
    end and start, or 08:00 and 18:00 without (or with unreadable) quiet hours."""
    if person.quiet_start and person.quiet_end:
        try:
            return cadence.parse_local_time(person.quiet_end), cadence.parse_local_time(person.quiet_start)
        except cadence.CadenceError:
            pass
    return time(REMINDER_HOURS[0]), time(REMINDER_HOURS[1])


def _in_hours(moment: time, hours: tuple[time, time]) -> bool:
    start, end = hours
    if start == end:  # quiet hours of no length: any hour
        return True
    return start <= moment < end if start < end else (moment >= start or moment < end)


def outside_working_time(first: date, at: time, timezone: str, people: Sequence[Person]) -> list[dict[str, Any]]:
    """For each of `people` whose first meeting (`first` at `at`, wall time in
    `timezone`) falls on a day they do not work or outside their working hours:
    {"id", "name", "when" ("Sun 20:30", their time), "day_off", "off_hours",
    "hours" ("08:00–18:00"), "other_zone" (their zone is not `timezone`)}, in the
    order given. Empty when the slot suits everyone."""
    moment = cadence.localise(datetime.combine(first, at), cadence.zone(timezone))
    found = []
    for person in people:
        local = moment.astimezone(cadence.zone(person.timezone))
        hours = working_hours(person)
        day_off = local.isoweekday() not in cadence.parse_working_days(person.working_days)
        off_hours = not _in_hours(local.time().replace(tzinfo=None), hours)
        if day_off or off_hours:
            found.append({"id": person.id, "name": person.name, "when": local.strftime("%a %H:%M"),
                          "day_off": day_off, "off_hours": off_hours,
                          "hours": f"{hours[0]:%H:%M}–{hours[1]:%H:%M}", "other_zone": person.timezone != timezone})
    return found
