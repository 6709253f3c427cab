"""The population: everyone the dispatcher plans for, read once per refresh.

People, their calendars (shared shapes, `bot.cadence.calendar.Calendars`) and the
cadence rule of each kind that applies to them, in three queries whatever the head
count; and the groups the planner (`bot.cadence.planner`) expands once each: people
who share a calendar shape and a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from bot import cadence
from bot.cadence import Calendar, Rule
from bot.cadence.calendar import Calendars
from storage import schedule as store
from storage.db import Database
from storage.models import CadenceRule


@dataclass
class Population:
    """Everyone's calendar and rules, loaded once per refresh and reused by each tick.
    `calendars` may be given as a plain dict (a few people, a test); it is kept as
    `Calendars`, whose shared shapes the grouped planner groups by."""

    people: dict[int, store.PersonSchedule]
    calendars: Mapping[int, Calendar]
    rules: dict[int, list[Rule]]
    everyone: bool = False  # the whole active population, not a chosen few
    # the planner's placements of the current UTC day, per (rule, shape): see
    # `bot.cadence.planner.plan_groups`
    placed: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.calendars = Calendars.of(self.calendars)
        self._pairs: list[tuple[Calendar, Rule, list[int]]] | None = None
        self._members: dict[int, Members] = {}

    def pairs(self) -> list[tuple[Calendar, Rule, list[int]]]:
        """Everyone as (calendar shape, rule, members), made once per population: each
        tick plans its new minutes of horizon for a few dozen pairs, not for 100,000
        people one by one (see `pair_groups`)."""
        if self._pairs is None:
            self._pairs = pair_groups(group_people(self, self.calendars))
        return self._pairs

    def members_of(self, pair: int) -> Members:
        """For `pairs()[pair]`, worked out once per population: `member_facts` of
        its members."""
        if pair not in self._members:
            self._members[pair] = member_facts(self, self.pairs()[pair][2])
        return self._members[pair]

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


def group_people(population: Population, person_ids: Iterable[int]) -> list[tuple[Calendar, list[Rule], list[int]]]:
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


class Members(NamedTuple):
    """What the planner needs of one pair's members (`member_facts`): `first`, the
    earliest time any joined when every one of them has a join time (else None);
    `last`, the latest join time (None: none has one); `orgs`, their organisation ids
    in the order of the members. Times aware UTC. A slot before `first` is planned for
    none of them and one at or after `last` for all, without a check per person."""

    first: datetime | None
    last: datetime | None
    orgs: list[int]


def member_facts(population: Population, members: list[int]) -> Members:
    calendars = population.shared
    joined = [calendars.joined(pid) for pid in members]
    known = [at for at in joined if at is not None]
    return Members(min(known) if known and len(known) == len(joined) else None, max(known, default=None),
                   [population.people[pid].org_id for pid in members])


def pair_groups(groups: list[tuple[Calendar, list[Rule], list[int]]]) -> list[tuple[Calendar, Rule, list[int]]]:
    """(shape, rule, members) per distinct (rule, shape): everyone one rule places the
    same way, whatever their other rules. A tick's window is mostly empty, so it costs
    one placement per pair (a few dozen), not one pass over every group."""
    pairs: dict[tuple[Rule, int], tuple[Calendar, Rule, list[int]]] = {}
    for shape, rules, members in groups:
        for rule in rules:
            pair = pairs.get((rule, id(shape)))
            if pair is None:
                pair = pairs[(rule, id(shape))] = (shape, rule, [])
            pair[2].extend(members)
    return list(pairs.values())
