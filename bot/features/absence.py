"""Absences: `/okr out on July 4th`, `… from March 1 to March 5`, `… until Friday`,
`… for 3 days`, `… next week` (conversations.spans reads them), or `back`. The exact
first and last day away are read back with Save / Cancel buttons, and only a Save
stores them; prompts already planned for those local days are then re-planned (moved
or skipped) at once, by the same rule as a holiday (docs/cadence.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import prompts
from bot.cadence import Calendar, country_of_zone, holiday_name, parse_working_days, week_start
from bot.cadence.planner import replan
from bot.cadence.population import calendar_of
from bot.cadence.rules import REASON_SEPARATOR
from bot.core import commands
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import BEFORE_CONVERSATION, Feature
from bot.core.messages import Choice, Message, leaves_card_open
from bot.features.absence_meetings import moved_meetings, shown_for, tell_the_other
from bot.features.absence_reading import (
    MAX_ABSENCE_DAYS,
    check_passed,
    example_days,
    next_working,
    passed_start,
    start_reason,
    typed_until,
    year_fixed,
)
from conversations.dates import NoSuchDay
from conversations.horizon import ABSENCE_YEARS, years_after
from conversations.spans import read_absence
from storage import occurrences, unconfirmed
from storage import schedule as store

feature = Feature("absence")
ACTION_PREFIX = "absence:"
# The saved-absence message lists this many changed prompts, then "and N more": a
# fortnight of daily prompts fits, a long absence does not fill the screen.
SHOWN_CHANGES = 6


def parse_absence(args: str, today: date, timezone: str, country: str | None = None,
                  working_days: str | None = None, calendar: Calendar | None = None) -> tuple[date, date] | str:
    """(first, last) local day away, or a problem code (conversations.spans, and
    "passed:DAY" or "too_long" past `MAX_ABSENCE_DAYS`: bot.features.absence_reading,
    which also reads a start day that has passed as today). "for 3 days" counts
    working days by the cadence's calendar (`Calendar.working_day`: the working week
    and the public holidays of `country`, else of the zone's country)."""
    days = parse_working_days(working_days)
    calendar = calendar or Calendar(0, timezone, days, country or country_of_zone(timezone))
    parsed = read_absence(args, today, timezone, country=country, working_days=days, week_start=week_start(days),
                          working=calendar.working_day)
    return check_passed(args, parsed, today, timezone, country, days)


async def person_calendar(turn: Turn) -> Calendar:
    """The person's calendar as the cadence planner builds it (their country, else
    their zone's, else their organisation's holidays), without their absences."""
    async with turn.db.session() as session:
        found = await store.people_to_schedule(session, [turn.person.id])  # type: ignore[list-item]
    if found:
        return calendar_of(found[0])
    tz = turn.person.timezone or "UTC"
    return Calendar(0, tz, parse_working_days(turn.person.working_days), turn.person.country or country_of_zone(tz))


def _choices(first: date, last: date, why: str | None) -> list[Choice]:
    span = f"{first.isoformat()}:{last.isoformat()}" + (f":{why}" if why else "")
    # a typed "yes" is Save, a "no" Cancel: the card asks "Save it?"
    return [Choice(prompts.render("cadence/out_label", value="save"), f"{ACTION_PREFIX}save:{span}", means="yes"),
            Choice(prompts.render("cadence/out_label", value="cancel"), f"{ACTION_PREFIX}cancel:{span}",
                   means="no")]


@feature.command("out", "/okr out on DATE | until DATE | for 3 days | next week")
async def out_command(turn: Turn, args: str) -> list[Message]:
    """/okr out …: read the days away back in words, with Save / Cancel; `back` ends
    an absence now."""
    person = turn.person
    tz = person.timezone or "UTC"
    today = local_day(turn.now, tz)
    if args.strip().lower() in {"back", "cancel", "off", "over"}:
        async with turn.db.session() as session:
            ended = await store.end_absences(session, person.id, today)  # type: ignore[arg-type]
        if not ended:
            return [Message(prompts.render("cadence/out_none"))]
        await replan(turn.db, [person.id], turn.now)  # type: ignore[list-item]
        # "Welcome back" only after days really away; an absence still ahead was just called off
        return [Message(prompts.render("cadence/out_back", away=any(first <= today for first, _ in ended),
                                       planned=[(first, last) for first, last in ended if first > today]))]
    calendar = await person_calendar(turn)
    soon, later = example_days(today, calendar.working_day)
    parsed = parse_absence(args, today, tz, person.country, person.working_days, calendar)
    if isinstance(parsed, str):
        code, _, day = parsed.partition(":")
        problem = "" if code == "missing" else prompts.render(  # nothing typed: the help alone asks
            "cadence/out_problem", code=code, missing=NoSuchDay.from_code(parsed), given=args.strip()[:60],
            day=date.fromisoformat(day) if code in ("far", "passed", "too_far") else None, today=today,
            latest=years_after(today, ABSENCE_YEARS), years=ABSENCE_YEARS,
            soon=soon, later=later, longest=MAX_ABSENCE_DAYS, until=typed_until(args),
            **(_year_fixed(args, date.fromisoformat(day), today, tz, person.country, person.working_days, calendar)
               if code == "too_far" else {}),
            next_year_works=code == "passed" and calendar.working_day(_year_on(date.fromisoformat(day))))
        # a specific refusal is its reason and one example; the general help only when nothing could be read
        return [Message(prompts.render("cadence/out_help", problem=problem, general=code in ("missing", "unreadable"),
                                       soon=soon, later=later), private=True)]
    first, last = parsed
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    working = sum(1 for day in span if calendar.working_day(day))
    if not working:  # only public holidays and days off: nothing is planned then, nothing to save
        until = next_working(last + timedelta(days=7), calendar.working_day)  # the example ends on a working day
        return [Message(prompts.render("cadence/out_nothing", first=first, last=last, until=until,
                                       days=[(day, holiday_name(calendar.country, day)) for day in span]),
                        private=True)]
    why = start_reason(args, first, today, calendar.working_day)
    async with turn.db.session() as session:  # until Save or Cancel: typing on says it is not saved
        await unconfirmed.hold(session, person.id, f"{ACTION_PREFIX}{first}:{last}")  # type: ignore[arg-type]
    return [Message(prompts.render("cadence/out_confirm", first=first, last=last, working=working,
                                   holiday=holiday_name(calendar.country, first), why=why,
                                   holiday_today=holiday_name(calendar.country, today), soon=soon, later=later,
                                   started=passed_start(args, first, today, tz, person.country)),
                    choices=_choices(first, last, why), private=True,
                    key=f"absence:{first}:{last}:{uuid.uuid4().hex[:8]}")]  # each request is its own card


def _year_fixed(args: str, day: date, today: date, timezone: str, country: str | None, working_days: str | None,
                calendar: Calendar) -> dict[str, Any]:
    """What the re-ask of a day typed years ahead (`day`, "too_far") offers: `meant`
    (the same day within reach) and `suggestion`, the command typed with that day in
    the form typed (`absence_reading.year_fixed`; the most likely year first, else the
    next likely one within reach), only when `/okr out` would read it
    back to be saved (its span fits `MAX_ABSENCE_DAYS`, a working day in it); else
    `suggestion` None and `suggested`, the code that refuses it ("too_long": "until
    1 June 2027" on 30 Nov 2026 is 184 days), so the re-ask gives no command that
    would be refused next."""
    # the most likely year first, then the others within reach: the first /okr out accepts
    offers: list[tuple[date, str]] = []
    for rank in range(ABSENCE_YEARS + 1):
        pieces, fixed = year_fixed(args, today, timezone, country, rank)
        if day not in fixed or any(fixed[day] == offered[0] for offered in offers):
            break
        suggestion = prompts.render("cadence/out_command", pieces=pieces)
        read = parse_absence(str(suggestion), today, timezone, country, working_days, calendar)
        if isinstance(read, tuple) and not any(calendar.working_day(read[0] + timedelta(days=i))
                                               for i in range((read[1] - read[0]).days + 1)):
            read = "days_off"
        if isinstance(read, tuple):
            return {"meant": fixed[day], "suggestion": suggestion, "suggested": None}
        offers.append((fixed[day], str(read).partition(":")[0]))
    if not offers:
        return {"meant": None, "suggestion": None, "suggested": None}
    return {"meant": offers[0][0], "suggestion": None, "suggested": offers[0][1]}


def _year_on(day: date) -> date:
    """The same day a year later (29 February: 28 February)."""
    return day.replace(year=day.year + 1, day=min(day.day, 28 if day.month == 2 else day.day))


async def _save(turn: Turn, first: date, last: date, why: str | None = None) -> list[Message]:
    """Store the days away read back (`why`: `absence_reading.start_reason` of the
    read-back, None on cards made before it was carried) and say what changed."""
    person = turn.person
    today = local_day(turn.now, person.timezone or "UTC")
    calendar = await person_calendar(turn)
    if last < today:
        soon, later = example_days(today, calendar.working_day)
        problem = prompts.render("cadence/out_problem", code="past", today=today, soon=soon, later=later)
        return [Message(prompts.render("cadence/out_help", problem=problem, general=False), private=True)]
    first = max(first, today)
    if why is None or first == today:  # saved a day later, or an older card: said again from the days
        why = start_reason(None, first, today, calendar.working_day)
    async with turn.db.session() as session:
        await store.add_absence(session, person.id, first, last, "out of office")  # type: ignore[arg-type]
    horizon = timedelta(days=(last - today).days + 16)
    await replan(turn.db, [person.id], turn.now, horizon)  # type: ignore[list-item]
    async with turn.db.session() as session:
        rows = await occurrences.occurrences_between(
            session, turn.now - timedelta(days=1), turn.now + horizon, [person.id])  # type: ignore[list-item]
    meetings = await moved_meetings(turn.db, person.id, first, last, turn.now, horizon)  # type: ignore[arg-type]
    told = await tell_the_other(turn.coach, person, first, last, meetings) if meetings else 0
    return [Message(prompts.render("cadence/out_recorded", first=first, last=last, why=why,
                                   holiday_today=holiday_name(calendar.country, today),
                                   changes=affected(rows, first, last), shown=SHOWN_CHANGES,
                                   meetings=shown_for(meetings, person.id, person.timezone or "UTC"),  # type: ignore[arg-type]
                                   told=told > 0))]


def affected(rows: list[Any], first: date, last: date) -> list[dict[str, Any]]:
    """What the planner did to each prompt the days away [first, last] touch, as the
    saved-absence message tells it: those whose regular (nominal) local day falls in
    them, and those an earlier move (a public holiday) had put on one of them (Kiri's
    Monday WIG prompt, moved to Tuesday by Boxing Day, moved again by a Tuesday away:
    its stored reason names the absence after the holiday, `rules.join_reasons`). Each
    is moved (to the local day it now goes out, `moved_to`; `before`: the reasons it
    had moved already, in words) or skipped (with the next regular prompt of the same
    kind, `next`, when one is planned). Read from the occurrence rows the re-planning
    just wrote, so the message says what will happen, not what was meant to (rules:
    `bot.cadence.rules`, moved at most halfway to the next regular one)."""
    def nominal(row: Any) -> date | None:
        try:
            return date.fromisoformat(row.key.rpartition(":")[2])
        except ValueError:
            return None

    def pushed(row: Any) -> list[str] | None:
        """The reasons before this absence, when it moved or skipped a prompt due
        before `first` that an earlier move had put on a day away; else None."""
        parts = (row.reason or "").split(REASON_SEPARATOR)
        at = next((i for i, part in enumerate(parts) if _absence_end(part) is not None
                   and _absence_end(part) >= first), None)  # type: ignore[operator]
        return parts[:at] if at else None

    out: list[dict[str, Any]] = []
    for row in rows:
        day = nominal(row)
        if day is None or row.status not in (occurrences.PENDING, occurrences.SKIPPED):
            continue
        before = pushed(row) if day < first else None
        if not first <= day <= last and before is None:
            continue
        change: dict[str, Any] = {"kind": row.kind, "day": day,
                                  "before": prompts.render("cadence/reason", reason=REASON_SEPARATOR.join(before))
                                  if before else None}
        if row.status == occurrences.SKIPPED:
            later = [(d, r.local_date) for r in rows if r.kind == row.kind and r.status == occurrences.PENDING
                     and (d := nominal(r)) is not None and d > day]
            out.append(change | {"skipped": True, "next": min(later)[1] if later else None})
        elif row.local_date != day:
            out.append(change | {"skipped": False, "moved_to": row.local_date})
    return sorted(out, key=lambda change: (change["day"], change["kind"]))


def _absence_end(reason: str) -> date | None:
    code, _, detail = reason.partition(":")
    try:
        return date.fromisoformat(detail) if code == "absence" else None
    except ValueError:
        return None


class AbsenceButtons:
    """Save / Cancel under a read-back absence; claimed before a conversation in
    progress could take the click for an answer to its own question."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        action = turn.event.action or ""
        if not action.startswith(ACTION_PREFIX):
            return None
        verb, _, span = action[len(ACTION_PREFIX):].partition(":")
        first, _, rest = span.partition(":")
        last, _, why = rest.partition(":")  # why: "off" / "named" since it was carried, absent on older cards
        async with turn.db.session() as session:
            await unconfirmed.settle(session, turn.person.id, f"{ACTION_PREFIX}{first}:{last}")  # type: ignore[arg-type]
        if verb == "save":
            try:
                return await _save(turn, date.fromisoformat(first), date.fromisoformat(last),
                                   why if why in ("off", "named") else None)
            except ValueError:
                pass
        return [Message(prompts.render("cadence/out_cancelled"), private=True)]


feature.responder(BEFORE_CONVERSATION, AbsenceButtons())


def unsaved(turn: Turn, waiting: list[tuple[str, datetime]]) -> list[Message]:
    """Days away read back and neither saved nor cancelled, when the person types
    something else: told once, naming the days. In the terminal the card's numbers
    are retired by a reply that answers the line, so they are not saved; a line
    that answers nothing leaves the card open (`messages.leaves_card_open`, told
    after the reply is known), and then, as on Slack and Teams where the card
    stays under its message, its Save still stores them (a click is claimed once,
    `bot.core.cards`), so the note says so. Days already over are
    dropped without a word: their Save would be refused anyway, and so are the
    days of a card `/okr out` typed again replaces (what the card itself invites
    when the days are wrong: the person is at it, and gets a new card)."""
    if (commands.parse(turn.text) or ("", ""))[0] == "out":
        return []
    today = local_day(turn.now, turn.person.timezone or "UTC")
    console = turn.event.platform == "console"
    retired = console and not leaves_card_open(turn.replies)
    notes: list[Message] = []
    for what, _ in waiting:
        first, _, last = what.removeprefix(ACTION_PREFIX).partition(":")
        try:
            span = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            continue
        if span[1] >= today:
            notes.append(Message(prompts.render("cadence/out_not_saved", first=span[0], last=span[1],
                                                retired=retired, console=console), private=True))
    return notes


feature.holds(unconfirmed.KIND, unsaved)  # taken at every typed turn, told here
