"""`/okr event`: list the events, register one in a line, show one, set its
objectives (seed 003's four aims) and per-attendee targets, and its report.

    /okr event                                     the events the asker may see
    /okr event add "NRF 2027" 2027-01-12..2027-01-14 New York @ravi @sam
    /okr event NRF 2027                            the event, its team and targets
    /okr event NRF 2027 objectives new 10 existing 5 customers 8 partners 2   (creator, admin)
    /okr event NRF 2027 targets @ravi meetings 4 leads 25   (no @: everyone the asker leads)
    /okr event NRF 2027 rename NRF 2027 New York   (creator, admin)

Names are kept distinct within the organisation (`add` refuses one in use, suggesting
another); events registered before that under one name are told apart by their first
day (`NRF 2027 2027-01-12`) and renamed apart with `rename`.

Who sees an event (`access.may_see_event`): its attendees, their managers now, its
creator and admins; to anyone else it does not exist. Who may change what
(`access.may_see`): an attendee's targets, that attendee, their manager now or an
admin; the event's objectives and name, its creator or an admin.
    /okr event NRF 2027 report                     the result (managers)
"""

from __future__ import annotations

from datetime import date, timedelta

import prompts
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import EVERYONE
from bot.core.messages import Field, Message
from bot.features.access import may_see
from bot.features.trade_shows import report, schedule
from bot.features.trade_shows.base import events_from_args, feature, several, visible
from bot.features.trade_shows.parsing import parse_event
from conversations.dates import NoSuchDay
from conversations.horizon import EVENT_YEARS, meant_day, next_same_day, too_far, years_after
from conversations.validators import find_person
from storage import conversations, event_names, people
from storage import trade_shows as store
from storage.db import AsyncSession
from storage.models import Event, Person

OBJECTIVES = {"new": "new_prospects", "prospects": "new_prospects", "existing": "existing_prospects",
              "customers": "customers", "customer": "customers", "partners": "partners",
              "partner": "partners", "channel": "partners"}
TARGETS = {"meetings": "meetings", "meeting": "meetings", "leads": "leads", "lead": "leads"}
LEADING = ("manager", "admin")


@feature.command("event", "/okr event [add NAME FROM..TO PLACE @people | NAME [report|rename NEW]]", EVERYONE)
async def event_command(turn: Turn, args: str) -> list[Message]:
    words = args.strip()
    if not words:
        return await list_events(turn)
    if words.split()[0].lower() == "add":
        return await add_event(turn, words[3:].strip())
    found, rest = await events_from_args(turn, words)
    if not found:
        return [Message(prompts.render("trade_shows/no_such_event", given=" ".join(rest)), private=True)]
    if len(found) > 1:
        return [several(found[0].name, found, rest=" ".join(rest))]
    event, verb = found[0], rest[0].lower() if rest else ""
    if verb and turn.person.role not in LEADING:
        return [Message(prompts.render("trade_shows/leaders_only"), private=True)]
    if verb == "rename":
        return await rename(turn, event, " ".join(rest[1:]))
    if verb == "report":
        return await report.report_messages(turn.db, event, turn.now, viewer=turn.person)
    if verb in ("objectives", "objective"):
        return await set_objectives(turn, event, rest[1:])
    if verb in ("targets", "target"):
        return await set_targets(turn, event, rest[1:])
    if verb:
        return [_help("verb", verb, event.name)]
    return await show_event(turn, event)


def _help(problem: str, given: str, example: str | None, **values: object) -> Message:
    """The re-ask for `/okr event`. Its examples that act on a registered event name
    `example`, a real one of the organisation, or a placeholder when there is none:
    never an event that does not exist. A "no_such_day:…" problem carries the day
    its month lacks (conversations.dates.NoSuchDay)."""
    missing = NoSuchDay.from_code(problem)
    return Message(prompts.render("trade_shows/event_help", problem=problem.partition(":")[0], given=given,
                                  example=example, missing=missing, **values), private=True)


async def _seen(turn: Turn) -> list[Event]:
    """The organisation's events the asker may see (`access.may_see_event`), latest first."""
    async with turn.db.session() as session:
        return await visible(session, turn.person, await store.events(session, turn.person.org_id))  # type: ignore[arg-type]


async def _example(turn: Turn) -> str | None:
    """An event the asker may see to name in examples: one running or ahead (the
    soonest), else the latest; None when they see none."""
    found = await _seen(turn)
    today = turn.now.date()
    ahead = [e for e in found if e.ends_on >= today]
    return (ahead[-1] if ahead else found[0]).name if found else None


async def list_events(turn: Turn) -> list[Message]:
    """The events the asker may see, latest first: never another team's."""
    return [Message(prompts.render("trade_shows/event_list", events=await _seen(turn)), private=True)]


async def _free_name(session: AsyncSession, org_id: int, name: str, location: str | None, first: date) -> str:
    """A name no event of the organisation has, offered when `name` is taken: the
    name with the place ("NRF 2026 Oslo"), else with the month, else numbered."""
    place = " ".join((location or "").split()[:3])
    month = f"{first:%B} {first.year}" if str(first.year) not in name else f"{first:%B}"
    tries = [f"{name} {place}" if place else "", f"{name} {month}", f"{name} {place} {month}" if place else ""]
    for candidate in [t for t in tries if t] + [f"{name} ({n})" for n in range(2, 10)]:
        if not await event_names.events_named(session, org_id, candidate):
            return candidate
    return f"{name} {first}"


async def add_event(turn: Turn, args: str) -> list[Message]:
    """Register an event with its team; the venue's zone comes from the place (or is
    typed after it). Plans the prompts before it at once. An event already over at
    the venue is refused ("past"), and so is one starting more than
    `horizon.EVENT_YEARS` years ahead ("too_far": a year typed wrongly), with the same
    dates within the year ahead as the example. A name another event of the
    organisation has, even one over or of another team, is refused ("name_taken",
    with a free name offered: `_free_name`): chat and the command line find an event
    by its name for its whole life (late imports, exports and reports come after it
    ends), so one name must mean one event."""
    if turn.person.role not in LEADING:
        return [Message(prompts.render("trade_shows/leaders_only"), private=True)]
    parsed = parse_event(args)
    if isinstance(parsed, str):
        return [_help(parsed, args, await _example(turn))]
    if len(parsed.name) > NAME_LIMIT or len(parsed.location or "") > PLACE_LIMIT:  # refused, never cut
        long_name = len(parsed.name) > NAME_LIMIT
        return [_help("name_length" if long_name else "place_length",
                      parsed.name if long_name else parsed.location or "", await _example(turn),
                      limit=NAME_LIMIT if long_name else PLACE_LIMIT)]
    if parsed.timezone is None:
        return [_help("zone", parsed.location or "", await _example(turn))]
    today = local_day(turn.now, parsed.timezone)
    if parsed.ends_on < today:  # over at the venue; a running event (ends today or later) is welcome
        return [_help("past", parsed.name, await _example(turn), ends_on=parsed.ends_on, today=today)]
    if too_far(parsed.starts_on, today, EVENT_YEARS):  # "2207-01-12": a year typed wrongly, asked again
        first = meant_day(parsed.starts_on, today, EVENT_YEARS)
        last = next_same_day(parsed.ends_on, first - timedelta(days=1))  # the end follows its start
        return [_help("too_far", parsed.name, await _example(turn), starts_on=parsed.starts_on,
                      latest=years_after(today, EVENT_YEARS), years=EVENT_YEARS,
                      dates=f"{first}..{last}" if last != first else str(first))]
    async with turn.db.session() as session:
        directory = await conversations.directory(session, turn.person.org_id)  # type: ignore[arg-type]
        taken = await event_names.events_named(session, turn.person.org_id, parsed.name)  # type: ignore[arg-type]
        free = await _free_name(session, turn.person.org_id, parsed.name, parsed.location,  # type: ignore[arg-type]
                                parsed.starts_on) if taken else ""
    same = [e for e in taken
            if e.starts_on == parsed.starts_on and event_names.name_key(e.name) == event_names.name_key(parsed.name)]
    if same:
        return [_help("exists", parsed.name, same[0].name)]
    if taken:  # one name, one event, in the whole organisation and for good (see `rename`)
        return [_help("name_taken", parsed.name, await _example(turn), suggestion=free)]
    team, unknown, others = [], [], []
    for mention in parsed.mentions:
        person = find_person(mention, directory)
        if person is None:
            unknown.append(mention)
        elif not may_see(turn.person, person):  # another manager's rep: not ours to bring
            others.append(person["name"])
        else:
            team.append(person["id"])
    if unknown or not team and not others:
        return [_help("people", " ".join(unknown), await _example(turn))]
    if others:
        return [_help("not_yours", ", ".join(others), await _example(turn), count=len(others))]
    event = Event(org_id=turn.person.org_id, name=parsed.name, starts_on=parsed.starts_on,  # type: ignore[arg-type]
                  ends_on=parsed.ends_on, location=parsed.location, timezone=parsed.timezone,
                  created_by=turn.person.id)  # type: ignore[arg-type]
    async with turn.db.session() as session:
        added = await event_names.add_event(session, event, team)
    if added is None:  # another manager took the name since it was checked above
        async with turn.db.session() as session:
            free = await _free_name(session, turn.person.org_id, parsed.name, parsed.location,  # type: ignore[arg-type]
                                    parsed.starts_on)
        return [_help("name_taken", parsed.name, await _example(turn), suggestion=free)]
    event = added
    await schedule.plan_before(turn.db, event, turn.now)
    names = [p["name"] for p in directory if p["id"] in team]
    return [Message(prompts.render("trade_shows/event_added", event=event, names=names), private=True)]


async def show_event(turn: Turn, event: Event) -> list[Message]:
    """The event, its team and targets. Each attendee's rehearsal and lead count only
    for people the viewer may see (`access.may_see`); the lead total counts the
    viewer's own and their reports' leads (everyone's for an admin)."""
    async with turn.db.session() as session:
        team = await store.attendees(session, event.id)  # type: ignore[arg-type]
        leads = await store.leads_of_event(session, event.id)  # type: ignore[arg-type]
        directory = {int(p["id"]): p for p in await conversations.directory(session, turn.person.org_id)}  # type: ignore[arg-type]
    leading = turn.person.role in LEADING
    visible = [lead for lead in leads if lead.owner_id == turn.person.id
               or (leading and may_see(turn.person, directory.get(lead.owner_id)))]
    people = [{"name": p.name, "targets": a.targets, "prep": a.prep, "shown": may_see(turn.person, p),
               "leads": sum(1 for lead in leads if (lead.captured_by or lead.owner_id) == p.id)}
              for a, p in team]
    fields = [Field(prompts.render("trade_shows/objective_label", key=k), str(v))
              for k, v in event.objectives.items()]
    return [Message(prompts.render("trade_shows/event_detail", event=event, people=people,
                                   leads=len(visible), leading=leading),
                    title=event.name, fields=fields, private=True)]


async def rename(turn: Turn, event: Event, new: str) -> list[Message]:
    """Give an event a name no other event of the organisation has (the way out when
    two share one, from before names were kept distinct): its creator or an admin
    (`may_set_objectives`). Pending prompts are re-planned to carry the new name."""
    if not may_set_objectives(turn.person, event):
        return [_help("rename_owner", event.name, f"{event.name} {event.starts_on}")]
    new = " ".join(new.split()).strip("\"'“”")
    async with turn.db.session() as session:
        taken = [e for e in await event_names.events_named(session, turn.person.org_id, new) if e.id != event.id]  # type: ignore[arg-type]
        place = await _free_name(session, turn.person.org_id, event.name, event.location,  # type: ignore[arg-type]
                                 event.starts_on)
        shared = len(await event_names.events_named(session, turn.person.org_id, event.name)) > 1  # type: ignore[arg-type]
    if len(new) > NAME_LIMIT:
        return [_help("name_length", new, event.name, limit=NAME_LIMIT)]
    if not new or taken:
        return [_help("rename_name", new if taken else "", event.name, place=place[len(event.name):].strip(),
                      target=f"{event.name} {event.starts_on}" if shared else event.name)]
    old = event.name
    async with turn.db.session() as session:
        renamed = await event_names.rename_event(session, event, new)
    if not renamed:  # another event took the name since it was checked above
        return [_help("rename_name", new, event.name, place=place[len(event.name):].strip(),
                      target=f"{event.name} {event.starts_on}" if shared else event.name)]
    await schedule.plan_before(turn.db, event, turn.now)
    return [Message(prompts.render("trade_shows/event_renamed", old=old, event=event), private=True)]


NAME_LIMIT = 200  # Event.name's column length
PLACE_LIMIT = 200  # Event.location's column length
MAX_TARGET = 10_000  # more contacts than anyone meets at a show: a typo, re-asked


def _numbers(words: list[str], names: dict[str, str]) -> dict[str, int] | None:
    """`new prospects 20 existing 5` as {kind: count}, or None unless every group of
    words names one known kind and is followed by a whole number from 0 to
    MAX_TARGET ("-5", "1e400" and a stray word are re-asked, never dropped or read as
    their first digits)."""
    tokens = " ".join(words).replace("=", " ").replace(":", " ").replace(",", " ").split()
    found: dict[str, int] = {}
    kinds: set[str] = set()
    for token in tokens:
        if token.lower() in names:
            kinds.add(names[token.lower()])
        elif len(kinds) == 1 and token.isascii() and token.isdigit() and int(token) <= MAX_TARGET:
            found[kinds.pop()] = int(token)
        else:
            return None
    return found if found and not kinds else None


def may_set_objectives(person: Person, event: Event) -> bool:
    """The event's aims are the registering manager's plan: only they or an admin change
    them (another manager's targets for their own reps go through `set_targets`)."""
    return person.role == "admin" or person.id == event.created_by


async def set_objectives(turn: Turn, event: Event, words: list[str]) -> list[Message]:
    """How many contacts of each of seed 003's four kinds the team aims for; set by
    the event's creator or an admin only (`may_set_objectives`)."""
    if not may_set_objectives(turn.person, event):
        async with turn.db.session() as session:
            creator = await people.get(session, event.created_by)
        return [_help("objectives_owner", event.name, event.name, creator=creator.name if creator else None)]
    found = _numbers(words, OBJECTIVES)
    if found is None:
        return [_help("objectives", " ".join(words), event.name)]
    event.objectives = {**event.objectives, **found}
    async with turn.db.session() as session:
        await store.save(session, event)
    await schedule.plan_before(turn.db, event, turn.now)
    return await show_event(turn, event)


async def set_targets(turn: Turn, event: Event, words: list[str]) -> list[Message]:
    """Targets for one attendee (`@ravi meetings 4 leads 25`) or, without a mention,
    for every attendee the asker may see (`access.may_see`: themselves, their direct
    reports, anyone for an admin); the others are left alone and counted in the reply.
    Only those attendees' preparation prompts are re-planned."""
    mention = next((w for w in words if w.startswith("@")), None)
    found = _numbers([w for w in words if w != mention], TARGETS)
    async with turn.db.session() as session:
        team = await store.attendees(session, event.id)  # type: ignore[arg-type]
        directory = await conversations.directory(session, turn.person.org_id)  # type: ignore[arg-type]
    chosen = list(team)
    if mention is not None:
        person = find_person(mention, directory)
        chosen = [(a, p) for a, p in chosen if person is not None and a.person_id == person["id"]]
    if found is None or not chosen:
        return [_help("targets", " ".join(words), event.name)]
    mine = [(a, p) for a, p in chosen if may_see(turn.person, p)]
    if not mine:
        problem = "targets_not_yours" if mention is not None else "targets_none_yours"
        return [_help(problem, ", ".join(p.name for _, p in chosen), event.name, count=len(chosen))]
    async with turn.db.session() as session:
        for row, _ in mine:
            row.targets = {**row.targets, **found}
            await store.save(session, row)
    await schedule.plan_before(turn.db, event, turn.now, only={p.id for _, p in mine})  # type: ignore[misc]
    shown = await show_event(turn, event)
    left = len(chosen) - len(mine)
    if left:
        shown.append(Message(prompts.render("trade_shows/targets_left_alone", count=left, changed=len(mine)),
                             private=True))
    return shown
