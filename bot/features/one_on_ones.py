"""One-on-one series and what happens around each meeting.

`/okr 1on1` lists a manager's series; `/okr 1on1 @rep every other Tuesday 10:00`
sets one (the manager's zone; the first meeting is the next such slot to come, and a
slot outside either person's working time is set but said: `meeting_hours`),
`… move to Thursday [11:00]` moves it, `… skip next`
skips the next meeting, `… notes` opens what was agreed in the last one (as its card
does), `… off` ends the series (no more briefs or prompts; its
meetings, notes and action items are kept) and `/okr 1on1 @rep` alone shows it.
Each meeting is placed by the cadence planner in the rep's calendar (holidays,
either person's absence) and shown in `coachbot schedule preview`. Around it, once
each (a conditional update claims every step):

* the day before, the rep is asked "anything you want to discuss?" (the agenda);
* `brief_minutes_before` it, the manager gets the brief (`briefs.py`);
* after it, the manager is asked "what did you agree?": notes, private or shared,
  and action items with owners and due dates; the rep gets what is theirs.

`/okr actions [@rep]` lists open action items, `/okr done N` closes one; each is reminded
on its due day, in the owner's working hours.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import prompts
from bot.cadence.meetings import one_on_one_meetings
from bot.cadence.planner import reachable_now
from bot.cadence.population import load_population
from bot.core.clock import now as clock_now
from bot.core.clock import zone
from bot.core.coach import Coach, Turn
from bot.core.feature import BEFORE_CONVERSATION, LEADERS, OWN_MANAGER, Feature
from bot.core.flows import start_flow
from bot.core.messages import Choice, Message
from bot.core.people import first_name
from bot.features.access import own_report_example, resolve_report
from bot.features.action_items import open_notes
from bot.features.briefs import brief_time, build_briefs, may_read
from bot.features.meeting_hours import outside_working_time
from conversations.locales import ascii_digits
from conversations.meeting_rule import parse_day, parse_meeting_rule, parse_time
from conversations.validators import row_number
from storage import one_on_ones as store
from storage import people
from storage.models import Meeting, Person

feature = Feature("one-on-ones")

ACTION = "oneonone:"
AGENDA_BEFORE = timedelta(hours=24)
NOTES_WITHIN = timedelta(days=3)  # after that, asking what was agreed is too late
LOOK = (timedelta(days=4), timedelta(days=2))  # meetings looked at: back, ahead


def _help(problem: str = "", **values: Any) -> list[Message]:
    return [Message(prompts.render("one_on_ones/help", problem=problem, **values), private=True)]


@feature.command("1on1", "/okr 1on1 [@rep [every other Tuesday 10:00 | move to Thu | skip next | notes | off]]",
                 LEADERS, OWN_MANAGER)
async def one_on_one_command(turn: Turn, args: str) -> list[Message]:
    """/okr 1on1 …: list, show, set, move, skip or end one-on-ones with a direct report."""
    text = args.strip()
    if not text:
        return await _list(turn)
    who, _, rest = text.partition(" ")
    if who.lower() in {"brief", "lead"}:
        return await _lead(turn, rest)
    report = await resolve_report(turn, who)
    if report is None or report.get("manager_id") != turn.person.id:
        return _help("who", given=who, example=await own_report_example(turn))
    words = rest.strip().lower()
    async with turn.db.session() as session:
        series = await store.series_for(session, turn.person.id, report["id"])  # type: ignore[arg-type]
    if not words:
        return await _show(turn, series, report)
    if words in OFF_WORDS:
        return await _end(turn, series, report)
    if words == "notes":
        return await _notes(turn, series, report)
    if words.startswith("skip"):
        return await _skip(turn, series, report)
    if words.startswith(("move", "to ")):
        if series is None:
            return _help("none_yet", rep=report["name"])
        if parse_day(words) is None and parse_time(words) is None:  # "move to 03/04": no weekday, no time
            return _help("move_how", given=rest.strip(), rep=report["name"])
        day = parse_day(words) or series_day(series.rrule)
        at = parse_time(words) or parse_time(series.local_time)
        weeks = int(series.rrule.partition("INTERVAL=")[2][:1] or 1)
        rule = f"every {weeks} weeks on {DAY_NAMES[day]} {at:%H:%M}" if day and at else ""
    else:
        rule = words
    parsed = parse_meeting_rule(rule, turn.now.astimezone(zone(turn.person.timezone)))  # the next slot to come
    if isinstance(parsed, str):
        return _help(parsed, given=rest.strip())
    async with turn.db.session() as session:
        series = await store.set_series(session, turn.person.org_id, turn.person.id, report["id"], parsed.rrule,  # type: ignore[arg-type]
                                        parsed.at.strftime("%H:%M"), turn.person.timezone, parsed.first)
        rep = await people.get(session, report["id"])
    assert series is not None  # reopen=True: always a series
    # set as asked, but said when it is outside either person's working days or hours
    outside = outside_working_time(parsed.first, parsed.at, turn.person.timezone,
                                   [turn.person, *([rep] if rep is not None else [])])
    return [Message(prompts.render("one_on_ones/set", rep=report["name"], weeks=parsed.weeks,
                                   day=parsed.first.strftime("%A"), at=parsed.at.strftime("%H:%M"),
                                   first=parsed.first.strftime("%a %d %b"), zone=turn.person.timezone,
                                   lead=series.brief_minutes_before, me=turn.person.id, outside=outside))]


OFF_WORDS = {"off", "end", "stop"}
DAY_NAMES = {1: "monday", 2: "tuesday", 3: "wednesday", 4: "thursday", 5: "friday", 6: "saturday", 7: "sunday"}


def series_day(rrule: str) -> int | None:
    """The ISO weekday of a stored weekly rule ("…;BYDAY=TU" -> 2)."""
    code = rrule.rpartition("BYDAY=")[2][:2]
    return next((n for n, name in DAY_NAMES.items() if name[:2].upper() == code), None)


async def _list(turn: Turn, only: Any = None) -> list[Message]:
    """The manager's running series (or just `only`), each with its next meeting."""
    if only is None:
        async with turn.db.session() as session:
            series = await store.series_of(session, turn.person.id)  # type: ignore[arg-type]
    else:
        series = [only]
    if not series:
        return _help("empty")
    meetings = await one_on_one_meetings(turn.db, turn.now, turn.now + timedelta(days=60), [turn.person.id])  # type: ignore[list-item]
    rows = []
    for row in series:
        upcoming = next((m for m in meetings if m.series_id == row.id and m.slot.due_at is not None), None)
        day = series_day(row.rrule)
        rows.append({"rep": next((m.rep_name for m in meetings if m.series_id == row.id), ""),
                     "weeks": int(row.rrule.partition("INTERVAL=")[2][:1] or 1),
                     "day": DAY_NAMES[day].capitalize() if day else row.rrule, "at": row.local_time,
                     "lead": row.brief_minutes_before, "rep_id": row.rep_id,
                     "next": upcoming.slot.due_at.astimezone(zone(turn.person.timezone)).strftime("%a %d %b %H:%M")  # type: ignore[union-attr]
                     if upcoming else None,
                     # moved off its regular day (an absence, a holiday): from when, and why
                     "moved_from": upcoming.slot.nominal.date() if upcoming and upcoming.slot.reason else None,
                     "why": upcoming.slot.reason if upcoming else None})
    async with turn.db.session() as session:
        for row in rows:
            if not row["rep"]:
                person = await people.get(session, row["rep_id"])
                row["rep"] = person.name if person else "?"
    return [Message(prompts.render("one_on_ones/list", rows=rows, one=only is not None), private=True)]


async def _show(turn: Turn, series: Any, report: dict[str, Any]) -> list[Message]:
    """/okr 1on1 @rep: that rep's series (or that there is none, or it ended)."""
    if series is None or series.ended_at is not None:
        ended = series.ended_at.astimezone(zone(turn.person.timezone)).strftime("%d %b %Y") if series else None
        return [Message(prompts.render("one_on_ones/no_series", rep=report["name"], ended=ended), private=True)]
    return await _list(turn, series)


async def _end(turn: Turn, series: Any, report: dict[str, Any]) -> list[Message]:
    """/okr 1on1 @rep off: end the series; its history (meetings, notes, action items) stays."""
    if series is None:
        return _help("none_yet", rep=report["name"])
    async with turn.db.session() as session:
        ended = await store.end_series(session, series.id, turn.now)
    return [Message(prompts.render("one_on_ones/ended", rep=report["name"], already=not ended), private=True)]


async def _notes(turn: Turn, series: Any, report: dict[str, Any]) -> list[Message]:
    """/okr 1on1 @rep notes: what was agreed in the last one-on-one with that rep, as
    its card opens it (`action_items.open_notes`), without the card."""
    if series is None:
        return _help("none_yet", rep=report["name"])
    async with turn.db.session() as session:
        meeting = await store.last_meeting(session, series.id, turn.now)
        rep = await people.get(session, report["id"])
    if meeting is None or rep is None:
        return _help("no_meeting", rep=report["name"])
    return await open_notes(turn, meeting, rep)


_LEAD = re.compile(r"(?P<minus>[-\u2212]\s*)?(?P<n>[0-9]{1,4})\s*(?P<unit>h|hrs?|hours?|m|mins?|minutes?)?",
                   re.IGNORECASE)


def brief_lead(text: str) -> int | None:
    """"3h", "90 min", "2 hours", "3" (hours) -> minutes, 15 min to 72 h; None for
    anything else, whole: "3 nuts", "-3h", "3.5h", "3h30" are asked again, never
    read as their first digits. Digits of other scripts read as digits."""
    found = brief_lead_reading(text)
    return found if isinstance(found, int) else None


def brief_lead_reading(text: str) -> int | str:
    """Minutes as `brief_lead` reads them, or why not, for the re-ask: "negative",
    "short" (under 15 minutes), "long" (over 72 hours) or "unreadable"."""
    found = _LEAD.fullmatch(ascii_digits(text).strip())
    if found is None:
        return "unreadable"
    if found.group("minus"):
        return "negative"
    unit = (found.group("unit") or "h").lower()
    minutes = int(found.group("n")) * (1 if unit.startswith("m") else 60)
    return "short" if minutes < 15 else "long" if minutes > 72 * 60 else minutes


async def _lead(turn: Turn, text: str) -> list[Message]:
    """/okr 1on1 brief 3h: how long before each of my one-on-ones my brief arrives."""
    minutes = brief_lead_reading(text)
    if isinstance(minutes, str):
        return _help("lead", why=minutes, given=text.strip()[:40])
    async with turn.db.session() as session:
        changed = await store.set_brief_lead(session, turn.person.id, minutes)  # type: ignore[arg-type]
    return [Message(prompts.render("one_on_ones/lead_set", minutes=minutes, changed=changed), private=True)]


async def _skip(turn: Turn, series: Any, report: dict[str, Any]) -> list[Message]:
    if series is None:
        return _help("none_yet", rep=report["name"])
    meetings = await one_on_one_meetings(turn.db, turn.now, turn.now + timedelta(days=120), [report["id"]])
    upcoming = next((m for m in meetings if m.series_id == series.id and m.slot.due_at is not None), None)
    if upcoming is None:
        return _help("nothing_to_skip", rep=report["name"])
    async with turn.db.session() as session:
        await store.skip_meeting(session, series, upcoming.slot.nominal.date(), upcoming.slot.due_at)  # type: ignore[arg-type]
    local = upcoming.slot.due_at.astimezone(upcoming.slot.nominal.tzinfo)  # type: ignore[union-attr]
    return [Message(prompts.render("one_on_ones/skipped", rep=report["name"], when=local.strftime("%a %d %b %H:%M")))]


# --- around each meeting ---------------------------------------------------------------


@feature.job("one-on-one agendas, briefs and notes", every=timedelta(minutes=5))
async def meeting_steps(coach: Coach) -> int:
    """Each meeting's three steps, each once: the rep's agenda prompt the day before,
    the manager's brief, the manager's "what did you agree?" after it. A series whose
    rep is no longer the manager's (moved, left) is not planned and is ended first."""
    moment = clock_now()
    await end_lost_series(coach, moment)
    meetings = [m for m in await one_on_one_meetings(coach.db, moment - LOOK[0], moment + LOOK[1])
                if m.slot.due_at is not None]
    if not meetings:
        return 0
    async with coach.db.session() as session:
        org = await store.orgs_of(session, {m.manager_id for m in meetings})
        rows = await store.ensure_meetings(session, [
            {"org_id": org.get(m.manager_id, 0), "series_id": m.series_id, "manager_id": m.manager_id,
             "rep_id": m.rep_id, "nominal_on": m.slot.nominal.date(), "starts_at": m.slot.due_at} for m in meetings
            if m.manager_id in org])
    population = await load_population(coach.db, moment, {m.manager_id for m in meetings}, days=7)
    awake = await reachable_now(coach.db, {m.rep_id for m in meetings} | {m.manager_id for m in meetings}, moment)
    reached, briefs_due = 0, []
    for meeting in meetings:
        row = rows.get((meeting.series_id, meeting.slot.nominal.date()))
        start = meeting.slot.due_at
        if row is None or row.status != store.PLANNED or start is None:
            continue
        calendar = population.calendars.get(meeting.manager_id)
        brief_at = brief_time(start, meeting.brief_minutes_before, calendar) if calendar else start
        if start - AGENDA_BEFORE <= moment < min(start, brief_at) and row.agenda_asked_at is None \
                and meeting.rep_id in awake:
            reached += await _step(coach, row, "agenda_asked_at", moment, meeting.rep_id, _agenda_card(row, meeting))
        if brief_at <= moment < start and row.brief_at is None:
            briefs_due.append(row)
        end = start + timedelta(minutes=meeting.duration_minutes)
        if end <= moment < end + NOTES_WITHIN and row.notes_asked_at is None and meeting.manager_id in awake:
            reached += await _step(coach, row, "notes_asked_at", moment, meeting.manager_id, _notes_card(row, meeting))
    return reached + await _send_briefs(coach, briefs_due, moment)


async def end_lost_series(coach: Coach, moment: datetime) -> int:
    """End each running series whose rep moved to another manager or left (or whose
    manager left), with the reason, and tell its manager once, in one line, in their
    working hours (until then the series is already neither planned nor listed:
    `storage.one_on_ones.still_theirs`). Returns how many managers were told."""
    async with coach.db.session() as session:
        lost = await store.stale_series(session)
    if not lost:
        return 0
    awake = await reachable_now(coach.db, {m.id for _, _, m, _ in lost if m.active}, moment)  # type: ignore[misc]
    told = 0
    for series, rep, manager, reason in lost:
        if manager.active and manager.id not in awake:
            continue
        async with coach.db.session() as session:
            if not await store.end_series(session, series.id, moment, reason):  # type: ignore[arg-type]
                continue  # another process ended it, and told the manager
        if manager.active:
            text = prompts.render("one_on_ones/series_lost", rep=rep.name, reason=reason)
            told += int(await coach.send_copy(manager.id, [Message(text, private=True)]))  # type: ignore[arg-type]
    return told


async def _still_theirs(session: Any, row: Meeting) -> tuple[Person, Person] | None:
    """(manager, rep) when the manager may still read the rep (`briefs.may_read`, read
    now, at send time) and the series runs; None otherwise: nothing is sent."""
    manager = await people.get(session, row.manager_id)
    rep = await people.get(session, row.rep_id)
    if manager is None or rep is None or not rep.active or not may_read(manager, rep, None, False):
        return None
    return (manager, rep) if await store.series_running(session, row.series_id) else None


async def _step(coach: Coach, row: Meeting, step: str, moment: datetime, person_id: int,
                messages: list[Message]) -> int:
    async with coach.db.session() as session:
        if await _still_theirs(session, row) is None:
            return 0
        if not await store.claim_step(session, row.id, step, moment):  # type: ignore[arg-type]
            return 0
    return int(await coach.send_copy(person_id, messages))


async def _send_briefs(coach: Coach, rows: list[Meeting], moment: datetime) -> int:
    """Claim each due brief (once, whatever the number of processes), build the
    claimed ones together (their figures read in one round of queries) and send them."""
    claimed = []
    async with coach.db.session() as session:
        for row in rows:
            pair = await _still_theirs(session, row)  # checked when sent, not only when the series was set
            if pair is None or not await store.claim_step(session, row.id, "brief_at", moment):  # type: ignore[arg-type]
                continue
            fresh = await store.get_meeting(session, row.id)  # type: ignore[arg-type]
            if fresh is not None:
                claimed.append((*pair, fresh))
    if not claimed:
        return 0
    sent = 0
    for (manager, _, fresh), brief in zip(claimed, await build_briefs(coach, claimed, moment), strict=True):
        if await coach.send_copy(manager.id, brief):  # type: ignore[arg-type]
            sent += 1
            async with coach.db.session() as session:
                await store.mark_brief_sent(session, fresh.id, clock_now())  # type: ignore[arg-type]
    return sent


def _agenda_card(row: Meeting, meeting: Any) -> list[Message]:
    return [Message(prompts.render("one_on_ones/agenda_prompt", manager=first_name(meeting.manager_name),
                                   when=meeting.slot.local.strftime("%a %d %b, %H:%M")),
                    choices=[Choice(prompts.render("one_on_ones/label", value="agenda"), f"{ACTION}agenda:{row.id}",
                                    "primary")], key=f"oneonone:agenda:{row.id}")]


def _notes_card(row: Meeting, meeting: Any) -> list[Message]:
    return [Message(prompts.render("one_on_ones/notes_prompt", rep=first_name(meeting.rep_name)),
                    choices=[Choice(prompts.render("one_on_ones/label", value="notes"), f"{ACTION}notes:{row.id}",
                                    "primary")], key=f"oneonone:notes:{row.id}")]


class MeetingButtons:
    """A click on an agenda or notes card opens its short conversation, for the card's
    own person while the rep still reports to the meeting's manager (read at the click)."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        action = turn.event.action or ""
        if not action.startswith(ACTION):
            return None
        verb, _, number = action[len(ACTION):].partition(":")
        async with turn.db.session() as session:
            row = await store.get_meeting(session, found) if (found := row_number(number)) is not None else None
            other = await people.get(session, (row.manager_id if verb == "agenda" else row.rep_id)) if row else None
            manager = await people.get(session, row.manager_id) if row else None
            rep = await people.get(session, row.rep_id) if row else None
        owner = row.rep_id if verb == "agenda" else row.manager_id if row else None
        # read at the click: a rep moved to another manager (or gone) is no longer this manager's
        theirs = manager is not None and rep is not None and rep.active and may_read(manager, rep, None, False)
        if row is None or other is None or owner != turn.person.id or not theirs:
            return [Message(prompts.render("one_on_ones/not_yours"), private=True)]
        if verb != "agenda":
            return await open_notes(turn, row, rep)  # type: ignore[arg-type]
        base = {"meeting_id": row.id, "other": first_name(other.name), "subject": f"oneonone:{verb}:{row.id}"}
        return await start_flow(turn, "one_on_one_agenda", base)


feature.responder(BEFORE_CONVERSATION, MeetingButtons())
