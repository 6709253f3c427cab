"""Planning: everyone's cadence rules -> occurrence rows in the database.

Rules are expanded in each person's calendar (`bot.cadence.rules`) into `Occurrence`
rows with a unique key, written insert-or-ignore, so every process may plan the same
slots and the database stays the one source of truth for what is due. Features read
the same population for their own needs (a person's calendar for a snooze, the next
prompt for the home view).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot import cadence
from bot.cadence import Calendar, Rule, Slot
from bot.cadence.calendar import Calendars
from bot.core.clock import now as clock_now
from storage import occurrences, planning
from storage import schedule as store
from storage.db import Database
from storage.models import CadenceRule

log = logging.getLogger(__name__)


# --- planning: rules -> occurrence rows -------------------------------------------------


@dataclass
class Population:
    """Everyone's calendar and rules, loaded once per refresh and reused by each tick.
    `calendars` may be given as a plain dict (a few people, a test); it is kept as
    `Calendars`, whose shared shapes the grouped planner groups by."""

    people: dict[int, store.PersonSchedule]
    calendars: Mapping[int, Calendar]
    rules: dict[int, list[Rule]]
    everyone: bool = False  # the whole active population, not a chosen few

    def __post_init__(self) -> None:
        self.calendars = Calendars.of(self.calendars)
        self._groups: list[tuple[Calendar, list[Rule], list[int]]] | None = None

    def groups(self) -> list[tuple[Calendar, list[Rule], list[int]]]:
        """Everyone as (calendar shape, rule list, members), made once per population:
        each tick plans its new minute of horizon for a few hundred groups, not for
        100,000 people one by one."""
        if self._groups is None:
            self._groups = _grouped(self, self.calendars)
        return self._groups

    @property
    def shared(self) -> Calendars:
        return self.calendars  # type: ignore[return-value]  # always Calendars, see __post_init__

    def fingerprints(self) -> dict[int, int]:
        """person id -> a hash of everything that places their prompts (calendar,
        absences, rules): a person whose hash changed since the last refresh (an edited
        rule, a new vacation, a move) is re-planned; the others are not. Each shared
        shape and rule list is hashed once."""
        shapes: dict[int, int] = {}
        lists: dict[int, int] = {}
        marks: dict[int, int] = {}
        calendars = self.shared
        for pid, person in self.people.items():
            shape, rules = calendars.shape_of(pid), self.rules[pid]
            a = shapes.get(id(shape))
            if a is None:
                a = shapes[id(shape)] = hash(shape)
            b = lists.get(id(rules))
            if b is None:
                b = lists[id(rules)] = hash(tuple(rules))
            marks[pid] = hash((a, b, calendars.joined(pid), person.org_id))
        return marks


def to_rule(row: CadenceRule, source: str) -> Rule:
    return Rule(row.kind, row.rrule if row.enabled else "", cadence.parse_local_time(row.local_time),
                row.timezone, row.anchor_on, source)


def calendar_of(person: store.PersonSchedule, absences: Sequence[tuple[Any, Any]] = ()) -> Calendar:
    """A person's calendar. Holidays: the person's country, else the country of their
    time zone, else the organisation's."""
    quiet_start = cadence.parse_local_time(person.quiet_start) if person.quiet_start else None
    quiet_end = cadence.parse_local_time(person.quiet_end) if person.quiet_end else None
    return Calendar(
        person_id=person.id,
        timezone=person.timezone or person.org_timezone or "UTC",
        working_days=cadence.parse_working_days(person.working_days),
        country=person.country or cadence.country_of_zone(person.timezone) or person.org_country,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        absences=tuple(sorted(absences)),
        not_before=person.created_at,
    )


def rules_for(person: store.PersonSchedule, stored: Sequence[CadenceRule], working_days: frozenset[int],
              kinds: Iterable[str] = cadence.PROMPT_KINDS) -> list[Rule]:
    """The rule of each cadence kind that applies to the person (most specific wins).
    Team, organisation and built-in rules are for reps; a manager or admin is prompted
    only by a rule made for them personally."""
    candidates: list[Rule] = []
    for row in stored:
        if row.org_id != person.org_id:
            continue
        if person.role != "rep" and row.person_id != person.id:
            continue
        if row.person_id is not None:
            if row.person_id == person.id:
                candidates.append(to_rule(row, "person"))
        elif row.team_manager_id is not None:
            if row.team_manager_id == person.manager_id:
                candidates.append(to_rule(row, "team"))
        else:
            candidates.append(to_rule(row, "org"))
    if person.role != "rep":
        kinds = [kind for kind in kinds if any(rule.kind == kind for rule in candidates)]
    found = [cadence.resolve_rules(kind, candidates, working_days) for kind in kinds]
    return [rule for rule in found if rule is not None]


async def load_population(db: Database, now: datetime, person_ids: Iterable[int] | None = None,
                          email: str | None = None, days: int = 400) -> Population:
    """Read people, absences and rules (three queries, whatever the head count)."""
    ids = list(person_ids) if person_ids is not None else None
    async with db.session() as session:
        found = await store.people_to_schedule(session, ids, email)
        chosen = [p.id for p in found] if (ids is not None or email is not None) else None
        first = (now - timedelta(days=days)).date()
        last = (now + timedelta(days=days)).date()
        absences = await store.absences_between(session, first, last, chosen)
        stored = await store.cadence_rules(session, {p.org_id for p in found})
    # Each person is offered only the rows that can concern them (their own, and their
    # organisation's team and org rules), in stored order: with personal rules for
    # everyone, offering every row to every person made a restart's first plan
    # quadratic (1,000 people: ~6 s of CPU before anything was sent).
    personal: dict[int, list[CadenceRule]] = {}
    shared: dict[int, list[CadenceRule]] = {}
    for row in stored:
        if row.person_id is not None:
            personal.setdefault(row.person_id, []).append(row)
        else:
            shared.setdefault(row.org_id, []).append(row)
    # Most people share their calendar's settings and their rules with many others:
    # each distinct (zone, week, country, quiet hours) is parsed once, and each
    # distinct (organisation, role, manager, week) without personal rules resolved
    # once (70,000 people took 12-15 s one by one). People with the same settings and
    # no absence share one calendar shape; their own Calendar (id, join date) is built
    # only when asked for (`Calendars`).
    shapes: dict[int, Calendar] = {}
    joined: dict[int, datetime | None] = {}
    rules: dict[int, list[Rule]] = {}
    templates: dict[tuple[Any, ...], Calendar] = {}
    resolved: dict[tuple[Any, ...], list[Rule]] = {}
    for person in found:
        setting = (person.timezone, person.org_timezone, person.working_days, person.country,
                   person.org_country, person.quiet_start, person.quiet_end)
        shape = templates.get(setting)
        if shape is None:
            shape = templates[setting] = replace(calendar_of(person), person_id=0, not_before=None)
        away = absences.get(person.id)
        if away:  # someone on vacation has a shape of their own
            shape = replace(shape, absences=tuple(sorted(away)))
        shapes[person.id], joined[person.id] = shape, person.created_at
        if person.id in personal:
            offered = personal[person.id] + shared.get(person.org_id, [])
            rules[person.id] = rules_for(person, offered, shape.working_days)
            continue
        group = (person.org_id, person.role, person.manager_id, shape.working_days)
        found_rules = resolved.get(group)
        if found_rules is None:
            found_rules = resolved[group] = rules_for(person, shared.get(person.org_id, []), shape.working_days)
        rules[person.id] = found_rules  # shared: the planner groups by the list
    return Population({p.id: p for p in found}, Calendars(shapes, joined), rules,
                      everyone=ids is None and email is None)


def plan_population(population: Population, start: datetime, end: datetime) -> list[Slot]:
    """Every slot of everyone whose effective time is in [start, end), person by person.
    The reference the grouped planner (`plan_rows`) must agree with; previews and
    tests use it for a few people."""
    slots: list[Slot] = []
    for person_id, calendar in population.calendars.items():
        for rule in population.rules[person_id]:
            try:
                planned = cadence.plan(calendar, rule, start, end)
            except cadence.CadenceError as error:
                log.warning("cadence %s of person %s is broken: %s", rule.kind, person_id, error)
                continue
            for slot in planned:  # the prompt's words follow the rhythm ("a month has gone by")
                slot.extra["every"] = rhythm(rule.rrule)
            slots.extend(planned)
    return slots


def plan_groups(population: Population, start: datetime, end: datetime,
                person_ids: Iterable[int] | None = None) -> list[tuple[dict[str, Any], list[int], list[int]]]:
    """The occurrence rows of [start, end) for everyone (or `person_ids`), planned by
    group: people who share a rule list and a calendar shape (zone, working week,
    holiday country, quiet hours, absences) get the same slots, so each distinct
    (rule, shape) is placed once per window and each member only gets their key and
    the "not before they joined" filter. Most of a sales organisation shares a handful
    of groups; someone on vacation forms a group of one.

    Returns (row without key and person, person ids, their organisation ids) per
    planned slot; `plan_rows` spells the rows out. Same rows as `plan_population` (a
    property test holds them equal)."""
    calendars = population.shared
    groups = population.groups() if person_ids is None else _grouped(
        population, (pid for pid in dict.fromkeys(person_ids) if pid in calendars))
    people = population.people
    placed: dict[tuple[Rule, int], list[tuple[Slot, dict[str, Any]]]] = {}
    out: list[tuple[dict[str, Any], list[int], list[int]]] = []
    for shape, rules, members in groups:
        for rule in rules:
            templates = placed.get((rule, id(shape)))
            if templates is None:
                templates = placed[(rule, id(shape))] = _place(shape, rule, start, end, len(members))
            for slot, row in templates:
                chosen_ids = [pid for pid in members if (joined := calendars.joined(pid)) is None
                              or slot.nominal >= joined]
                if chosen_ids:
                    out.append((row, chosen_ids, [people[pid].org_id for pid in chosen_ids]))
    return out


def _grouped(population: Population, person_ids: Iterable[int]) -> list[tuple[Calendar, list[Rule], list[int]]]:
    """(shape, rule list, members) of the people who share both (the same objects)."""
    calendars = population.shared
    groups: dict[tuple[int, int], tuple[Calendar, list[Rule], list[int]]] = {}
    for person_id in person_ids:
        shape, rules = calendars.shape_of(person_id), population.rules[person_id]
        group = groups.get((id(shape), id(rules)))
        if group is None:
            group = groups[(id(shape), id(rules))] = (shape, rules, [])
        group[2].append(person_id)
    return list(groups.values())


def _place(shape: Calendar, rule: Rule, start: datetime, end: datetime,
           members: int) -> list[tuple[Slot, dict[str, Any]]]:
    try:
        planned = cadence.plan(shape, rule, start, end)
    except cadence.CadenceError as error:
        log.warning("cadence %s of %d people is broken: %s", rule.kind, members, error)
        return []
    every = rhythm(rule.rrule)
    return [(slot, {**slot_row(slot, 0), "nominal_day": slot.nominal.date(),
                    "payload": {"every": every} if every else {}}) for slot in planned]


def plan_rows(population: Population, start: datetime, end: datetime,
              person_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """`plan_groups`, one row per person and slot (key, person_id and org_id set)."""
    rows: list[dict[str, Any]] = []
    for row, people, orgs in plan_groups(population, start, end, person_ids):
        common = {k: v for k, v in row.items() if k != "nominal_day"}
        day = row["nominal_day"]
        rows.extend({**common, "key": cadence.occurrence_key(row["kind"], pid, day), "person_id": pid,
                     "org_id": org} for pid, org in zip(people, orgs, strict=True))
    return rows


def rhythm(rrule: str) -> str:
    """"weekly", "biweekly", "monthly" … for a rule's RRULE, as the prompt names it."""
    parts = dict(p.split("=", 1) for p in rrule.upper().split(";") if "=" in p)
    interval = parts.get("INTERVAL", "1")
    freq = parts.get("FREQ", "WEEKLY")
    if freq == "WEEKLY":
        return {"1": "weekly", "2": "biweekly", "3": "triweekly"}.get(interval, f"every {interval} weeks")
    if freq == "MONTHLY":
        return "monthly" if interval == "1" else f"every {interval} months"
    return freq.lower()


def slot_row(slot: Slot, org_id: int) -> dict[str, Any]:
    local_day = slot.local.date() if slot.local is not None else slot.nominal.date()
    return {
        "key": slot.key,
        "org_id": org_id,
        "person_id": slot.person_id,
        "kind": slot.kind,
        "due_at": slot.effective,
        "local_date": local_day,
        "status": occurrences.SKIPPED if slot.status == "skipped" else occurrences.PENDING,
        "reason": slot.reason,
        "payload": {"every": slot.extra["every"]} if slot.extra.get("every") else {},
    }


async def materialise(db: Database, population: Population, start: datetime, end: datetime,
                      prune: bool = False, now: datetime | None = None,
                      person_ids: Iterable[int] | None = None) -> int:
    """Write the slots of [start, end) as occurrences (idempotent: keys are unique), for
    everyone in `population` or only `person_ids`.

    With `prune`, pending occurrences in the window that today's rules can no longer
    produce (an admin moved the WIG from Monday to Wednesday, or switched a cadence
    off) are skipped with the reason `rule_changed`, so the old time never fires.
    """
    chosen = None if person_ids is None else list(person_ids)
    groups = plan_groups(population, start, end, chosen)
    async with db.session() as session:
        planned = await planning.save_planned(session, groups, now or clock_now())
        if prune:
            await _prune(session, population, start, end, chosen)
    return planned


async def keep_planned_until(db: Database, end: datetime, now: datetime) -> None:
    """Remember in the table that everyone is planned until `end`: a restarted process
    that finds it past now delivers what is due before it re-plans anyone."""
    async with db.session() as session:
        await planning.keep_horizon(session, end, now)


async def population_stamp(db: Database) -> int:
    """Changes whenever anyone's prompts may move (`storage.schedule.schedule_stamp`)."""
    async with db.session() as session:
        return await store.schedule_stamp(session)


async def planned_until(db: Database) -> datetime | None:
    """Until when the table holds everyone's occurrences (None: never planned)."""
    async with db.session() as session:
        horizon = await planning.plan_horizon(session)
    return horizon[0] if horizon else None


async def _prune(session: Any, population: Population, start: datetime, end: datetime,
                 person_ids: list[int] | None = None) -> int:
    if person_ids is None and not population.everyone:
        person_ids = list(population.people)
    pending = await planning.planned_pending(session, start, end, person_ids)
    if not pending:
        return 0
    orphans: list[int] = []
    for occurrence_id, key, person_id in pending:
        if person_id not in population.calendars:
            continue
        kind, _, rest = key.partition(":")  # "wig:42:2027-01-11"
        day = rest.rpartition(":")[2]
        rule = next((r for r in population.rules[person_id] if r.kind == kind), None)
        try:
            nominal = date.fromisoformat(day)
        except ValueError:
            continue  # not a key the planner makes
        if rule is None or nominal not in cadence.nominal_days(rule, start, end):
            orphans.append(occurrence_id)
    return await planning.skip_pending(session, orphans, "rule_changed") if orphans else 0


async def replan(db: Database, person_ids: Iterable[int], now: datetime | None = None,
                 horizon: timedelta = timedelta(days=15)) -> int:
    """Re-plan some people's pending occurrences after their calendar or rules changed
    (a new vacation, `/okr out`, new working days, a new rule): moved or skipped before
    anyone claims them."""
    moment = now or clock_now()
    population = await load_population(db, moment, person_ids)
    return await materialise(db, population, moment, moment + horizon, prune=True, now=moment)


REMINDER_HOURS = (8, 18)  # a reminder is not a prompt: only in the local working day


async def reachable_now(db: Database, person_ids: Iterable[int], moment: datetime) -> set[int]:
    """Who may get a reminder at `moment`: a working day that is not a holiday or an
    absence, outside their quiet hours, between 08:00 and 18:00 their time. The others
    are tried again at the next run, so a Friday-evening silence is reminded on Monday."""
    ids = set(person_ids)
    if not ids:
        return set()
    population = await load_population(db, moment, ids, days=1)
    reachable: set[int] = set()
    for person_id in ids:
        calendar = population.calendars.get(person_id)
        if calendar is None or cadence.available_at(calendar, moment) > moment:
            continue
        if REMINDER_HOURS[0] <= moment.astimezone(calendar.zone).hour < REMINDER_HOURS[1]:
            reachable.add(person_id)
    return reachable
