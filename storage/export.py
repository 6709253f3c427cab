"""Exports for spreadsheets and BI tools: one row per fact, streamed from the
database (a large export never sits in memory whole), as CSV or JSON.

Every instant is ISO 8601 in UTC with its offset ("2027-01-12T09:30:00+00:00");
every row about something a person did also carries that person's local date (their
IANA zone), because "Tuesday's check-in" means their Tuesday. The columns of each
kind are listed in COLUMNS and documented in docs/export.md.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import among
from storage.models import (
    CheckIn,
    CheckInAnswer,
    Commitment,
    KeyResult,
    LeadMeasure,
    LeadMeasureEntry,
    Objective,
    Person,
    Wig,
    WigReading,
)
from storage.privacy import is_forgotten

COLUMNS: dict[str, tuple[str, ...]] = {
    "checkins": ("checkin_id", "email", "name", "kind", "completed_at_utc", "local_date", "timezone",
                 "key_result_id", "key_result", "value", "confidence", "blockers", "change_next"),
    "okrs": ("key_result_id", "email", "name", "period", "objective", "priority", "status", "key_result",
             "start_value", "target_value", "current_value", "unit", "confidence", "due_on", "updated_at_utc"),
    "wig": ("fact", "wig_id", "wig", "week_start", "email", "name", "item", "value", "target", "kept",
            "recorded_at_utc", "local_date"),
    "people": ("email", "name", "role", "manager_email", "timezone", "country", "working_days", "active"),
}
KINDS = tuple(COLUMNS)
BATCH = 2_000  # rows fetched per round trip while streaming


@dataclass(frozen=True)
class Scope:
    """What to export: an organisation, optionally only some people (a manager's
    team), and optionally local dates `since`..`until` (both inclusive)."""

    org_id: int
    person_ids: frozenset[int] | None = None
    since: date | None = None
    until: date | None = None

    def keeps(self, day: date | None) -> bool:
        return day is None or ((self.since is None or day >= self.since) and (self.until is None or day <= self.until))


def _utc(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant is not None else None


def _local(instant: datetime | None, timezone: str) -> date | None:
    return instant.astimezone(ZoneInfo(timezone)).date() if instant is not None else None


async def team_of(session: AsyncSession, org_id: int, manager_id: int) -> frozenset[int]:
    """A manager and everyone under them, however deep (for `--team`)."""
    everyone = (await session.exec(select(Person.id, Person.manager_id).where(Person.org_id == org_id))).all()
    below: dict[int | None, list[int]] = {}
    for pid, manager in everyone:
        below.setdefault(manager, []).append(pid)  # type: ignore[arg-type]
    found, todo = {manager_id}, [manager_id]
    while todo:
        for pid in below.get(todo.pop(), []):
            if pid not in found:
                found.add(pid)
                todo.append(pid)
    return frozenset(found)


async def _people(session: AsyncSession, scope: Scope) -> dict[int, Person]:
    query = select(Person).where(Person.org_id == scope.org_id)
    return {p.id: p for p in (await session.exec(query)).all()  # type: ignore[misc]
            if scope.person_ids is None or p.id in scope.person_ids}


def _window(scope: Scope, column: Any) -> list[Any]:
    """A UTC range a day wider than the local dates asked for (zones reach ±14 h);
    rows are then kept by their exact local date."""
    out = []
    if scope.since is not None:
        out.append(column >= datetime.combine(scope.since - timedelta(days=1), time(), UTC))
    if scope.until is not None:
        out.append(column < datetime.combine(scope.until + timedelta(days=2), time(), UTC))
    return out


def _as_stored(unit: str) -> str:
    return unit


async def rows(session: AsyncSession, kind: str, scope: Scope,
               unit: Callable[[str], str] = _as_stored) -> AsyncIterator[dict[str, Any]]:
    """The rows of one kind, in a stable order; raises ValueError for an unknown kind.
    A value that is missing is None (an empty CSV cell, JSON null). `unit` gives a
    stored unit its exported form (callers pass `conversations.currencies.iso_unit`,
    so money is an ISO code even where a symbol was stored). A key result's start is
    given for a total only: the other kinds (a floor, a ceiling held as a level; a
    quota, a rate counted from zero) have none."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown export {kind!r}; one of {', '.join(KINDS)}")
    people = await _people(session, scope)
    ids = list(people)
    if kind == "people":
        # the anonymous remainder of someone forgotten is nobody to list
        for p in sorted((p for p in people.values() if not is_forgotten(p.email)), key=lambda p: p.email):
            manager = people.get(p.manager_id) if p.manager_id else None  # type: ignore[arg-type]
            yield {"email": p.email, "name": p.name, "role": p.role,
                   "manager_email": manager.email if manager else None, "timezone": p.timezone,
                   "country": p.country or None, "working_days": p.working_days, "active": p.active}
        return
    if not ids:
        return
    if kind == "checkins":
        # plain columns, not ORM instances: 100,000 rows stream in seconds
        query = (select(CheckIn.id, CheckIn.person_id, CheckIn.kind, CheckIn.completed_at, CheckIn.blockers,
                        CheckIn.change_next, CheckInAnswer.value, CheckInAnswer.confidence, KeyResult.id,
                        KeyResult.title)
                 .outerjoin(CheckInAnswer, col(CheckInAnswer.checkin_id) == col(CheckIn.id))
                 .outerjoin(KeyResult, col(KeyResult.id) == col(CheckInAnswer.key_result_id))
                 .where(CheckIn.org_id == scope.org_id, among(session, col(CheckIn.person_id), ids),
                        col(CheckIn.completed_at).is_not(None), *_window(scope, col(CheckIn.completed_at)))
                 .order_by(col(CheckIn.completed_at), col(CheckIn.id), col(CheckInAnswer.id)))
        zones = {pid: ZoneInfo(p.timezone) for pid, p in people.items()}
        async for cid, pid, what, completed, blockers, change, value, confidence, kr_id, kr_title in _stream(
                session, query):
            person = people[pid]
            day = completed.astimezone(zones[pid]).date()
            if scope.keeps(day):
                yield {"checkin_id": cid, "email": person.email, "name": person.name, "kind": what,
                       "completed_at_utc": _utc(completed), "local_date": day, "timezone": person.timezone,
                       "key_result_id": kr_id, "key_result": kr_title,
                       "value": value, "confidence": confidence or None,
                       "blockers": blockers or None, "change_next": change or None}
    elif kind == "okrs":
        query = (select(Objective, KeyResult).join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
                 .where(Objective.org_id == scope.org_id, among(session, col(Objective.owner_id), ids))
                 .order_by(col(Objective.owner_id), col(Objective.id), col(KeyResult.id)))
        async for objective, kr in _stream(session, query):
            person = people[objective.owner_id]
            if scope.keeps(_local(kr.updated_at, person.timezone)):
                yield {"key_result_id": kr.id, "email": person.email, "name": person.name, "period": objective.period,
                       "objective": objective.title, "priority": objective.priority or None, "status": objective.status,
                       "key_result": kr.title, "start_value": kr.start_value if kr.kind == "total" else None,
                       "target_value": kr.target_value, "current_value": kr.reading, "unit": unit(kr.unit) or None,
                       "confidence": kr.confidence, "due_on": kr.due_on, "updated_at_utc": _utc(kr.updated_at)}
    else:
        async for row in _wig_rows(session, scope, people, unit):
            yield row


async def _wig_rows(session: AsyncSession, scope: Scope, people: dict[int, Person],
                    unit: Callable[[str], str]) -> AsyncIterator[dict[str, Any]]:
    """WIG facts: each lag reading, each rep's weekly lead-measure number, each commitment."""
    ids = list(people)
    wigs = {w.id: w for w in (await session.exec(select(Wig).where(
        Wig.org_id == scope.org_id, among(session, col(Wig.manager_id), ids)))).all()}
    base = {"email": None, "name": None, "item": None, "value": None, "target": None, "kept": None, "local_date": None}

    def inside(week: date) -> bool:
        return scope.keeps(week) or scope.keeps(week + timedelta(days=6))

    if wigs:
        async for (reading,) in _stream(session, select(WigReading).where(col(WigReading.wig_id).in_(list(wigs)))
                                        .order_by(col(WigReading.week_start), col(WigReading.id))):
            wig = wigs[reading.wig_id]
            who = people.get(reading.recorded_by) if reading.recorded_by else None  # type: ignore[arg-type]
            if inside(reading.week_start):
                yield {**base, "fact": "lag", "wig_id": wig.id, "wig": wig.title, "week_start": reading.week_start,
                       "email": who.email if who else None, "name": who.name if who else None,
                       "item": unit(wig.unit) if wig.unit else None, "value": reading.value, "target": wig.to_value,
                       "recorded_at_utc": _utc(reading.recorded_at),
                       "local_date": _local(reading.recorded_at, who.timezone) if who else None}
    query = (select(LeadMeasureEntry, LeadMeasure).join(LeadMeasure, col(LeadMeasure.id) == col(
        LeadMeasureEntry.lead_measure_id)).where(among(session, col(LeadMeasureEntry.person_id), ids))
             .order_by(col(LeadMeasureEntry.week_start), col(LeadMeasureEntry.id)))
    async for entry, measure in _stream(session, query):
        person, wig = people[entry.person_id], wigs.get(measure.wig_id)
        if inside(entry.week_start):
            yield {**base, "fact": "lead_measure", "wig_id": measure.wig_id, "wig": wig.title if wig else None,
                   "week_start": entry.week_start, "email": person.email, "name": person.name, "item": measure.title,
                   "value": entry.value, "target": measure.weekly_target, "recorded_at_utc": _utc(entry.recorded_at),
                   "local_date": _local(entry.recorded_at, person.timezone)}
    async for (c,) in _stream(session, select(Commitment).where(among(session, col(Commitment.person_id), ids))
                              .order_by(col(Commitment.week_start), col(Commitment.id))):
        person, wig = people[c.person_id], wigs.get(c.wig_id)  # type: ignore[arg-type]
        if inside(c.week_start):
            yield {**base, "fact": "commitment", "wig_id": c.wig_id, "wig": wig.title if wig else None,
                   "week_start": c.week_start, "email": person.email, "name": person.name, "item": c.text,
                   "kept": c.kept, "recorded_at_utc": _utc(c.created_at),
                   "local_date": _local(c.created_at, person.timezone)}


async def _stream(session: AsyncSession, query: Any) -> AsyncIterator[Any]:
    """Rows in batches over a server-side cursor where the driver has one."""
    result = await session.stream(query.execution_options(yield_per=BATCH))
    async for partition in result.partitions(BATCH):
        for row in partition:
            yield row


_DATES = (date, datetime)


def _cell(value: Any) -> Any:
    return value.isoformat() if type(value) in _DATES else value


# Text a spreadsheet would run as a formula (OWASP, "CSV Injection"): starting with
# = + - @ or a tab or carriage return. A phone number or a signed figure ("+47 22 12
# 34 56", "-5") holds no function or link and is left as it is.
_FORMULA = re.compile(r"[=+\-@\t\r]")
_PLAIN_FIGURE = re.compile(r"[+\-][\d\s().\-/]*")


def spreadsheet_cell(value: Any) -> Any:
    """`value` as a CSV cell that Excel, Sheets or LibreOffice show and never evaluate:
    formula-like text gets a leading apostrophe (hidden by the spreadsheet, and taken
    off again by coachbot's own imports, `from_spreadsheet`); anything else as it is."""
    if isinstance(value, str) and _FORMULA.match(value) and not _PLAIN_FIGURE.fullmatch(value):
        return "'" + value
    return value


def from_spreadsheet(text: str) -> str:
    """A cell read back from a CSV: the apostrophe `spreadsheet_cell` put before
    formula-like text is removed (a spreadsheet saving the file drops it itself)."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text, 1) else text


async def write(kind: str, found: AsyncIterator[dict[str, Any]], fmt: str, out: TextIO) -> int:
    """Write rows as CSV (a header, then one line per row) or JSON (an array of
    objects), streaming; returns how many rows were written."""
    columns: Sequence[str] = COLUMNS[kind]
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        async for row in found:
            writer.writerow([spreadsheet_cell(_cell(row.get(k))) for k in columns])  # None: an empty cell
            count += 1
        return count
    if fmt != "json":
        raise ValueError(f"unknown format {fmt!r}; csv or json")
    out.write("[")
    async for row in found:
        out.write(("," if count else "") + "\n" + json.dumps({k: _cell(row.get(k)) for k in columns},
                                                            ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
