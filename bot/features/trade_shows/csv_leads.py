"""Badge-scanner CSV in, CRM CSV out. Columns are found by their header names (see
`parsing.HEADERS`: "Full Name" or "First Name" + "Last Name", "Company", "Email",
"Phone", "Rating", "Notes", "Scanned By" …), in any order; unknown columns are
ignored. Every problem is reported with its line number (the header is line 1) and
nothing is imported until the file is clean, so a fixed file can simply be run
again (duplicates merge).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from bot.core import csv_files
from bot.core.markup import clean
from bot.features.trade_shows.base import venue_day
from bot.features.trade_shows.leads import late_deadlines, new_lead
from bot.features.trade_shows.parsing import LIMITS, ParsedLead, is_header, map_headers, temperature_of, too_long
from storage import conversations
from storage import trade_shows as store
from storage.db import Database
from storage.export import from_spreadsheet, spreadsheet_cell
from storage.models import Event, Lead

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EXPORT_COLUMNS = ["lead_id", "event", "name", "company", "email", "phone", "temperature", "notes",
                  "owner_email", "captured_by_email", "status", "outcome", "value", "currency",
                  "captured_at", "due_at", "followed_up_at"]


@dataclass(frozen=True)
class Problem:
    line: int
    code: str
    detail: str = ""


@dataclass(frozen=True)
class Row:
    line: int
    lead: ParsedLead
    owner_email: str | None


def read_leads(text: str) -> tuple[list[Row], list[Problem]]:
    """The rows of a badge-scanner export, and every problem with its line. Comma,
    semicolon or tab separated, Excel's `sep=;` line and a BOM are read as the team
    import reads them (`bot.core.csv_files`); a header without a name column is
    reported with the header as read and the separator used."""
    reader, delimiter, skip = csv_files.reader(text, is_header)
    try:
        header = next(reader, None)
    except csv.Error as error:
        return [], [Problem(1 + skip, "unreadable", str(error))]
    if not header or not any(h.strip() for h in header):
        return [], [Problem(1 + skip, "empty")]
    columns = map_headers(header)
    if isinstance(columns, str):
        found = f"{csv_files.DELIMITER_NAMES.get(delimiter, repr(delimiter))}|{csv_files.shown_header(header)}"
        return [], [Problem(1 + skip, "no_name_column", found)]

    def cell(values: list[str], name: str) -> str:
        index = columns.get(name)  # type: ignore[union-attr]
        return from_spreadsheet(clean(values[index]).strip()) if index is not None and index < len(values) else ""

    rows: list[Row] = []
    problems: list[Problem] = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(reader.line_num + skip, "unreadable", str(error)))  # type: ignore[attr-defined]
            break
        line = reader.line_num + skip  # type: ignore[attr-defined]
        if not any(v.strip() for v in values):
            continue
        name = cell(values, "name") or " ".join(p for p in (cell(values, "first"), cell(values, "last")) if p)
        email = cell(values, "email") or None
        rating = cell(values, "temperature")
        temperature = temperature_of(rating) if rating else None
        if not name:
            problems.append(Problem(line, "no_name"))
        if email and not _EMAIL.match(email):
            problems.append(Problem(line, "bad_email", email))
        if rating and temperature is None:
            problems.append(Problem(line, "bad_temperature", rating))
        lead = ParsedLead(name, cell(values, "company") or None, temperature, cell(values, "note") or None,
                          email, cell(values, "phone")[:64] or None)
        longer = too_long(lead)
        if longer:
            problems.append(Problem(line, longer, str(LIMITS[longer.removesuffix("_too_long")])))
        if name:
            rows.append(Row(line, lead, cell(values, "owner") or None))
    return rows, problems


class NotStarted(ValueError):
    """Leads are imported into an event that has begun at its venue (a file before
    that is a mistaken event, or a list of invitees rather than of people met)."""

    def __init__(self, event: Event) -> None:
        super().__init__(f"{event.name} starts on {event.starts_on}")
        self.starts_on = event.starts_on


class Imported(NamedTuple):
    """An import's outcome: new leads, merged duplicates, problems (any one: nothing
    stored) and notices (stored anyway, e.g. an owner not at the event)."""

    added: int
    merged: int
    problems: list[Problem]
    notices: Sequence[Problem] = ()


async def import_leads(db: Database, event: Event, text: str, default_owner: int, moment: datetime,
                       advance: Callable[[int], None] = lambda _n: None) -> Imported:
    """Import a file for `event` in one unit of work: the event's leads are read once,
    duplicates (of those and of earlier rows) matched in memory, new leads inserted
    in batches; `advance(n)` counts rows written (a progress bar). With any problem
    nothing is stored.

    The owner column names people by e-mail; an empty cell gives the row to
    `default_owner` (the command's `--owner`, else the event's creator). An owner
    must be at the event (`may_own`); anyone else's row goes to `default_owner` and
    is named in the notices with its line. Raises NotStarted before the event's
    first day at the venue. After the event's leads were assigned, new ones get their
    deadline at once, in their owner's calendar (one lookup per owner)."""
    if venue_day(event, moment) < event.starts_on:
        raise NotStarted(event)
    rows, problems = read_leads(text)
    async with db.session() as session:
        directory = await conversations.directory(session, event.org_id)
        attending = [person.id for _, person in await store.attendees(session, event.id)]  # type: ignore[arg-type]
    allowed = may_own(event, attending, directory)
    by_email = {str(p["email"]).lower(): int(p["id"]) for p in directory}
    owners: dict[int, int] = {}
    notices: list[Problem] = []
    for row in rows:
        found = by_email.get(row.owner_email.lower()) if row.owner_email else default_owner
        if found is None:
            problems.append(Problem(row.line, "unknown_owner", row.owner_email or ""))
        elif found not in allowed and row.owner_email:
            notices.append(Problem(row.line, "owner_not_at_event", row.owner_email))
            owners[row.line] = default_owner
        else:
            owners[row.line] = found
    if problems:
        return Imported(0, 0, sorted(problems, key=lambda p: p.line))
    leads = [new_lead(event, row.lead, owners[row.line], moment) for row in rows]
    async with db.session() as session:
        fresh, merged = store.match_many(await store.leads_of_event(session, event.id), leads)  # type: ignore[arg-type]
        await late_deadlines(db, event, [*fresh, *merged], moment)
        await store.store_many(session, fresh, merged, advance)
    return Imported(len(fresh), len(leads) - len(fresh), [], notices)


def may_own(event: Event, attending: Iterable[int], directory: Iterable[Mapping[str, Any]]) -> set[int]:
    """Who may own a lead of `event`: its attendees, its creator, and the managers of
    its attendees (who may reassign their reports' leads anyway)."""
    people = set(attending)
    managers = {int(p["manager_id"]) for p in directory if p["id"] in people and p.get("manager_id")}
    return people | managers | {event.created_by}


def write_leads(leads: Iterable[Lead], event_name: str, emails: Mapping[int, str]) -> str:
    """The leads as CSV for a CRM import (instants in ISO 8601 UTC)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for lead in leads:
        values: dict[str, Any] = {
            "lead_id": lead.id, "event": event_name, "name": lead.name, "company": lead.company or "",
            "email": lead.email or "", "phone": lead.phone or "", "temperature": lead.temperature or "",
            "notes": lead.notes or "", "owner_email": emails.get(lead.owner_id, ""),
            "captured_by_email": emails.get(lead.captured_by or 0, ""), "status": lead.status,
            "outcome": lead.outcome or "", "value": "" if lead.value is None else lead.value,
            "currency": lead.currency or ""}
        for name in ("captured_at", "due_at", "followed_up_at"):
            instant = getattr(lead, name)
            values[name] = instant.isoformat() if instant is not None else ""
        writer.writerow({k: spreadsheet_cell(v) for k, v in values.items()})
    return out.getvalue()


async def export_leads(db: Database, event: Event) -> str:
    async with db.session() as session:
        leads = await store.leads_of_event(session, event.id)  # type: ignore[arg-type]
        directory = await conversations.directory(session, event.org_id)
    return write_leads(leads, event.name, {int(p["id"]): str(p["email"]) for p in directory})


def problem_lines(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [{"line": p.line, "code": p.code, "detail": p.detail} for p in problems]
