"""What every part of the trade-show feature shares: the `Feature` they register on,
finding an event from what was typed, and the working-day arithmetic in each
person's own calendar (zone, working week, public holidays, absences, from
`bot.cadence.calendar`).

Rules (seed 003, and issue #14): the team is prompted `prep_days` working days before
the event; the day after it ends each lead gets its owner and a deadline at the end
(18:00 local) of the owner's `follow_up_days`-th working day, counting the first
working day after the event as day one (Friday end, Monday return: Wednesday 18:00).
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import prompts
from bot import cadence
from bot.cadence.calendar import localise
from bot.cadence.population import load_population
from bot.core.clock import local_day, zone
from bot.core.coach import Turn
from bot.core.feature import Feature
from bot.core.messages import Choice, Message
from bot.features.access import may_see_event
from bot.features.prompt_answers import ACTION_PREFIX
from storage import event_names
from storage import trade_shows as store
from storage.db import AsyncSession, Database
from storage.models import Event, Lead, Person

feature = Feature("trade shows")

MORNING = time(9, 0)  # prompts before and after an event, local time
DAY_END = time(18, 0)  # a follow-up deadline, local time
WORKDAY = (time(8, 0), time(18, 0))  # when a prompt that comes late may still go out, local time
LEAD_ACTION = "lead:"
OUTCOMES = ("followed", "meeting", "opportunity", "notfit", "snooze")


async def calendars(db: Database, person_ids: Iterable[int], moment: datetime) -> dict[int, cadence.Calendar]:
    """Each person's calendar (three queries whatever the head count)."""
    population = await load_population(db, moment, list(set(person_ids)), days=90)
    return population.calendars


def morning_of(cal: cadence.Calendar, day: date) -> datetime:
    """09:00 on `day` in the person's zone, out of quiet hours (UTC)."""
    return cadence.available_at(cal, localise(datetime.combine(day, MORNING), cal.zone))


def next_available(cal: cadence.Calendar, moment: datetime) -> datetime:
    """When a prompt whose morning has passed goes out (UTC): at `moment` when the
    person may be prompted then (an available day: no weekend, holiday or absence;
    outside quiet hours) within their working day (08:00–18:00 their time, as
    reminders: `bot.cadence.planner.reachable_now`), else 09:00 on their next
    available day. Never at 23:15 their time, nor while they are away."""
    candidate = cadence.available_at(cal, moment)
    for _ in range(400):
        local = candidate.astimezone(cal.zone)
        if local.time() < WORKDAY[0]:
            candidate = morning_of(cal, local.date())
        elif local.time() >= WORKDAY[1]:
            candidate = morning_of(cal, first_day_after(cal, local.date()))
        else:
            return candidate
    return candidate


def working_days_before(cal: cadence.Calendar, day: date, count: int) -> date:
    """The `count`-th available day before `day` (5 before Monday 11th: Monday 4th)."""
    cursor, found = day, 0
    for _ in range(400):
        cursor -= timedelta(days=1)
        if cal.day_off(cursor) is None:
            found += 1
            if found >= count:
                return cursor
    return cursor


def first_day_after(cal: cadence.Calendar, day: date) -> date:
    """The first available day after `day` (the day back from the event)."""
    cursor = day + timedelta(days=1)
    for _ in range(400):
        if cal.day_off(cursor) is None:
            return cursor
        cursor += timedelta(days=1)
    return cursor


def deadline(cal: cadence.Calendar, first: date, count: int) -> datetime:
    """18:00 local on the `count`-th available day, `first` (available) being day one."""
    cursor, found = first, 0
    for _ in range(400):
        if cal.day_off(cursor) is None:
            found += 1
            if found >= count:
                break
        cursor += timedelta(days=1)
    return localise(datetime.combine(cursor, DAY_END), cal.zone).astimezone(zone("UTC"))


def lead_deadline(cal: cadence.Calendar, event: Event, moment: datetime) -> datetime:
    """A lead's deadline: counted from the first working day after the event, or from
    today for a lead logged later (a late CSV import)."""
    first = first_day_after(cal, event.ends_on)
    today = local_day(moment, cal.timezone)
    if today > first:
        first = today if cal.day_off(today) is None else first_day_after(cal, today)
    return deadline(cal, first, event.follow_up_days)


def venue_day(event: Event, moment: datetime) -> date:
    return local_day(moment, event.timezone)


async def visible(session: AsyncSession, person: Person, found: Iterable[Event]) -> list[Event]:
    """Of these events, in their order, those `person` may see and log leads into
    (`access.may_see_event`); one query for their attendees."""
    found = list(found)
    team = await store.attendees_by_event(session, [e.id for e in found])  # type: ignore[misc]
    return [e for e in found if may_see_event(person, e, team.get(e.id, []))]  # type: ignore[arg-type]


async def events_from_args(turn: Turn, args: str) -> tuple[list[Event], list[str]]:
    """The events the asker may see (`visible`) whose name starts what was typed (the
    longest match, quotes optional; a name then a first day, YYYY-MM-DD, picks among
    events sharing a name: `event_names.events_named`), and the words after it: `NRF 2027
    report` -> ([NRF 2027], ["report"]). Several only where events registered before
    names were kept distinct share one; none for an event of another team."""
    try:
        tokens = shlex.split(args)
    except ValueError:
        tokens = args.split()
    async with turn.db.session() as session:
        every = await store.events(session, turn.person.org_id)  # type: ignore[arg-type]
        for end in range(len(tokens), 0, -1):
            found = event_names.named_among(every, " ".join(tokens[:end]))
            if found and (seen := await visible(session, turn.person, found)):
                return seen, tokens[end:]
    return [], tokens


def several(name: str, found: list[Event], line: str | None = None, rest: str = "") -> Message:
    """The question when a typed name fits several events (registered before names
    were kept distinct): each with its days and place, and how to name one by its
    first day — in `/okr lead in …: line` when a lead waits, else `/okr event … rest`."""
    return Message(prompts.render("trade_shows/several_events", name=name, events=found, line=line, rest=rest),
                   private=True)


def lead_row(lead: Lead, tz: str) -> dict[str, Any]:
    """A lead as plain values (kept in a prompt's payload, drawn on its card)."""
    due = lead.due_at.astimezone(zone(tz)).strftime("%a %d %b %H:%M") if lead.due_at else None
    return {"id": lead.id, "name": lead.name, "company": lead.company, "temperature": lead.temperature,
            "due": due, "notes": lead.notes, "status": lead.status}


def lead_cards(rows: list[dict[str, Any]]) -> list[Message]:
    """One card per lead with its five answers, so each lead is settled with a tap.
    Each drawing is a card of its own (`bot.core.cards`: the lead's key with a short
    nonce, 24 random bits, unique among one lead's few drawings; short, as a listing
    must fit one Slack message), so a lead listed again has buttons that work though
    one of an older list was pressed."""
    cards: list[Message] = []
    for row in rows:
        choices = [Choice(prompts.render("trade_shows/lead_button", value=value),
                          f"{LEAD_ACTION}{value}:{row['id']}",
                          "primary" if value == "followed" else "danger" if value == "notfit" else "default")
                   for value in OUTCOMES]
        cards.append(Message(prompts.render("trade_shows/lead_card", lead=row), choices=choices,  # type: ignore[arg-type]
                             key=f"lead:{row['id']}:{secrets.token_urlsafe(3)}"))
    return cards


# Leads listed with their buttons in one reply (`/okr lead`, the after-event prompt):
# the most urgent ones. Three Slack blocks a lead (divider, text, buttons) keep the
# reply in one message under Slack's 50 blocks with the header and the lead form;
# on Teams each lead is a small card of its own (a card is capped at about 28 KB).
# The rest are counted, per event, with the export command that lists them all.
LISTED = 10


async def lead_listing(db: Database, owner_ids: list[int], tz: str, team: bool = False,
                       names: dict[int, str] | None = None, events_by: int | None = None) -> list[Message]:
    """The open leads of these owners (`store.open_leads`), the `LISTED` most urgent
    with their cards (each with its owner's name when `names` is given), and a header
    counting them all; when more are open, how many per event and how to export them."""
    async with db.session() as session:
        found = await store.open_leads(session, owner_ids, events_by=events_by, limit=LISTED)
        counts = await store.open_lead_counts(session, owner_ids, events_by) if len(found) >= LISTED else []
    rows = [lead_row(lead, tz) for lead in found]
    for row, lead in zip(rows, found, strict=True):
        if names is not None:
            row["owner"] = names.get(lead.owner_id)
    total = sum(count for _, count in counts) or len(rows)
    events = [(name, count) for name, count in counts if name is not None]
    return [Message(prompts.render("trade_shows/my_leads", leads=rows, team=team, total=total, events=events),
                    private=True), *lead_cards(rows)]


def prompt_choices(occurrence_id: int) -> list[Choice]:
    """The usual answers of a scheduled prompt (start, later, tomorrow, skip), so the
    prompt answers feature handles them as it does for every other kind."""
    return [Choice(prompts.render("cadence/label", value=value), f"{ACTION_PREFIX}{value}:{occurrence_id}",
                   style, means="yes" if value == "start" else None)  # type: ignore[arg-type]
            for value, style in (("start", "primary"), ("later", "default"), ("tomorrow", "default"),
                                 ("skip", "danger"))]
