"""Planning: everyone's cadence rules -> occurrence rows in the database.

Rules are expanded in each person's calendar (`bot.cadence.rules`) into `Occurrence`
rows with a unique key, written insert-or-ignore, so every process may plan the same
slots and the database stays the one source of truth for what is due. Features read
the same population for their own needs (a person's calendar for a snooze, the next
prompt for the home view).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from bot import cadence
from bot.cadence import Calendar, Rule, Slot
from bot.cadence.population import Population, group_people, load_population, member_facts, pair_groups
from bot.core.clock import now as clock_now
from storage import occurrences, planning
from storage import schedule as store
from storage.db import Database

log = logging.getLogger(__name__)


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
            for slot in planned:  # the prompt's words follow the rhythm ("once a month")
                slot.extra["every"] = rhythm(rule.rrule)
            slots.extend(planned)
    return slots


def plan_groups(population: Population, start: datetime, end: datetime,
                person_ids: Iterable[int] | None = None) -> list[tuple[dict[str, Any], list[int], list[int]]]:
    """The occurrence rows of [start, end) for everyone (or `person_ids`), planned by
    group: people who share a rule and a calendar shape (zone, working week, holiday
    country, quiet hours, absences) get the same slots, so each distinct (rule, shape)
    is placed once per window and each member only gets their key and the "not before
    they joined" filter; someone on vacation has a shape of their own. The filter is
    checked person by person only for a slot between the pair's first and last join
    (`Population.members_of`): before it nobody gets the slot, after it everyone.

    Returns (row without key and person, person ids, their organisation ids) per
    planned slot; `plan_rows` spells them out. Same rows as `plan_population` (a
    property test holds them equal)."""
    calendars = population.shared
    pairs = population.pairs() if person_ids is None else pair_groups(group_people(
        population, (pid for pid in dict.fromkeys(person_ids) if pid in calendars)))
    people = population.people
    out: list[tuple[dict[str, Any], list[int], list[int]]] = []
    for pair, (shape, rule, members) in enumerate(pairs):
        placed = _placed(population, shape, rule, start, end, len(members))
        if not placed:
            continue
        first, last, orgs = population.members_of(pair) if person_ids is None else member_facts(population, members)
        for slot, row in placed:
            if first is not None and slot.nominal < first:  # before anyone joined
                continue
            if last is None or slot.nominal >= last:  # everyone had joined: no check each
                out.append((row, members, orgs))
                continue
            chosen_ids = [pid for pid in members if (joined := calendars.joined(pid)) is None
                          or slot.nominal >= joined]
            if chosen_ids:
                out.append((row, chosen_ids, [people[pid].org_id for pid in chosen_ids]))
    return out


def _placed(population: Population, shape: Calendar, rule: Rule, start: datetime, end: datetime,
            members: int) -> list[tuple[Slot, dict[str, Any]]]:
    """`_place` for a window within one UTC day: the pair is placed over the whole day
    once and each window takes its slots (the same ones: a slot's place does not
    depend on the window). A running dispatcher plans 288 five-minute windows a day;
    placing each pair in each of them was most of its planning CPU."""
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if end > day + timedelta(days=1) or start.utcoffset() != timedelta(0):
        return _place(shape, rule, start, end, members)
    cache = population.placed
    if cache.get("day") != day:
        cache.clear()
        cache["day"] = day
    templates = cache.get((rule, id(shape)))
    if templates is None:
        templates = cache[(rule, id(shape))] = _place(shape, rule, day, day + timedelta(days=1), members)
    return [(slot, row) for slot, row in templates if start <= slot.effective < end]


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
    produce are skipped, so the old time never fires: with the reason `rule_changed`
    when an admin moved the rule (the WIG from Monday to Wednesday), `rule_off` when
    the cadence was switched off. Future ones the planner had already skipped (a
    holiday, an absence) take the same reason: their old one no longer applies.
    """
    chosen = None if person_ids is None else list(person_ids)
    groups = plan_groups(population, start, end, chosen)
    if not groups and not prune:
        return 0  # most of a tick's minutes of horizon: no session, no round trip
    async with db.session() as session:
        if prune:  # first: it reads the pending rows, so not the ones about to be written
            await _prune(session, population, start, end, chosen, now or clock_now())
        planned = await planning.save_planned(session, groups, now or clock_now())
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
                 person_ids: list[int] | None = None, now: datetime | None = None) -> int:
    if person_ids is None and not population.everyone:
        person_ids = list(population.people)
    moment = now or clock_now()
    pending = await planning.planned_pending(session, start, end, person_ids, skipped_after=moment)
    if not pending:
        return 0
    orphans: dict[str, list[int]] = {"rule_changed": [], "rule_off": []}
    # Most people share their rule list and so their nominal days: each (rule list,
    # kind) is looked up once, not once per pending row.
    # None: no rule of that kind for them any more (the cadence is switched off).
    nominal_of: dict[tuple[int, str], frozenset[date] | None] = {}
    for occurrence_id, key, person_id in pending:
        if person_id not in population.calendars:
            continue
        kind, _, rest = key.partition(":")  # "wig:42:2027-01-11"
        day = rest.rpartition(":")[2]
        rules = population.rules[person_id]
        if (id(rules), kind) not in nominal_of:
            rule = next((r for r in rules if r.kind == kind), None)
            nominal_of[(id(rules), kind)] = cadence.nominal_days(rule, start, end) if rule is not None else None
        days = nominal_of[(id(rules), kind)]
        try:
            nominal = date.fromisoformat(day)
        except ValueError:
            continue  # not a key the planner makes
        if days is None or nominal not in days:
            orphans["rule_off" if days is None else "rule_changed"].append(occurrence_id)
    return sum([await planning.skip_pending(session, ids, reason, skipped_after=moment)
                for reason, ids in orphans.items() if ids])


async def replan(db: Database, person_ids: Iterable[int], now: datetime | None = None,
                 horizon: timedelta = timedelta(days=15)) -> int:
    """Re-plan some people's pending occurrences after their calendar or rules changed
    (a new vacation, `/okr out`, new working days, a new rule): moved or skipped before
    anyone claims them. Planned over `horizon`; rows planned further out earlier are
    pruned too (skipped with the reason when their rule is off or moved)."""
    moment = now or clock_now()
    ids = list(person_ids)
    population = await load_population(db, moment, ids)
    planned = await materialise(db, population, moment, moment + horizon, prune=True, now=moment)
    async with db.session() as session:  # rows planned further out (an absence, an early check-in)
        furthest = await planning.last_planned(session, ids)
        if furthest is not None and furthest >= moment + horizon:
            await _prune(session, population, moment + horizon, furthest + timedelta(seconds=1), ids, moment)
    return planned


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
