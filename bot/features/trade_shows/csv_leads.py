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
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from bot.core import csv_files
from bot.core.markup import clean
from bot.features.trade_shows.base import venue_day
from bot.features.trade_shows.leads import late_deadlines, new_lead
from bot.features.trade_shows.parsing import (
    LIMITS,
    ParsedLead,
    header_key,
    is_header,
    map_headers,
    temperature_of,
    too_long_fields,
)
from conversations.people import hidden_character
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
    """A line's problem (nothing imported) or notice (imported anyway). A notice about
    an owner also says where the row's lead ended: `owner` is the e-mail of the person
    it is with after the import; `merged_into` the id of the lead already logged that
    it merged into (which kept its owner), `merged_with` the line of an earlier row of
    the file whose new lead it merged into; neither: a new lead."""

    line: int
    code: str
    detail: str = ""
    owner: str = ""
    merged_into: int | None = None
    merged_with: int | None = None


@dataclass(frozen=True)
class Row:
    line: int
    lead: ParsedLead
    owner_email: str | None


def _unreadable(error: csv.Error, first: int, last: int) -> Problem:
    """A line the csv module cannot read: a cell over its size limit (`csv.field_size_limit`,
    as "cell_too_large" with the limit and the line the cell starts on, `first`: an
    unclosed quote makes the rest of the file one cell) or anything else, with its
    message, at `last`, where reading stopped."""
    if "field larger than field limit" in str(error):
        return Problem(first, "cell_too_large", str(csv.field_size_limit()))
    return Problem(last, "unreadable", str(error))


def read_leads(text: str) -> tuple[list[Row], list[Problem]]:
    """The rows of a badge-scanner export, and every problem with its line. Comma,
    semicolon or tab separated, Excel's `sep=;` line and a BOM are read as the team
    import reads them (`bot.core.csv_files`); a header without a name column is
    reported with the header as read and the separator used; a header with no row
    under it is a problem too ("no_rows"), not an import of nothing. Every field is
    held to `LIMITS` (refused with the limit, never cut)."""
    reader, delimiter, skip = csv_files.reader(text, is_header)
    try:
        header = next(reader, None)
    except csv.Error as error:
        return [], [_unreadable(error, 1 + skip, reader.line_num + skip)]  # type: ignore[attr-defined]
    if not header or not any(h.strip() for h in header):
        return [], [Problem(1 + skip, "empty")]
    keys = [header_key(h) for h in header]
    repeated: dict[str, str] = {}  # key -> the first spelling of a column named twice
    for cell, key in zip(header, keys, strict=True):
        if is_header(key) and keys.count(key) > 1:
            repeated.setdefault(key, cell.strip())
    if repeated:  # the first copy was read and the rest silently ignored
        return [], [Problem(1 + skip, "duplicate_column", ", ".join(repeated.values()))]
    columns = map_headers(header)
    if isinstance(columns, str):
        found = f"{csv_files.DELIMITER_NAMES.get(delimiter, repr(delimiter))}|{csv_files.shown_header(header)}"
        return [], [Problem(1 + skip, "no_name_column", found)]

    def cell(values: list[str], name: str) -> str:
        index = columns.get(name)  # type: ignore[union-attr]
        return from_spreadsheet(clean(values[index]).strip()) if index is not None and index < len(values) else ""

    rows: list[Row] = []
    problems: list[Problem] = []
    header_line = reader.line_num + skip  # type: ignore[attr-defined]
    filled = False
    while True:
        first = reader.line_num + skip + 1  # type: ignore[attr-defined]
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(_unreadable(error, first, reader.line_num + skip))  # type: ignore[attr-defined]
            filled = True
            break
        line = reader.line_num + skip  # type: ignore[attr-defined]
        if not any(v.strip() for v in values):
            continue
        filled = True
        name = cell(values, "name") or " ".join(p for p in (cell(values, "first"), cell(values, "last")) if p)
        email = cell(values, "email") or None
        rating = cell(values, "temperature")
        temperature = temperature_of(rating) if rating else None
        if not name:
            problems.append(Problem(line, "no_name"))
        hidden = hidden_character(email) if email else None
        if hidden is not None:  # what `clean` leaves: a soft hyphen, a direction mark …
            problems.append(Problem(line, "hidden_in_email", f"U+{ord(hidden[1]):04X}|{hidden[0] + 1}"))
        elif email and not _EMAIL.match(email):
            problems.append(Problem(line, "bad_email", email))
        if rating and temperature is None:
            problems.append(Problem(line, "bad_temperature", rating))
        lead = ParsedLead(name, cell(values, "company") or None, temperature, cell(values, "note") or None,
                          email, cell(values, "phone") or None)
        problems += [Problem(line, code, str(LIMITS[code.removesuffix("_too_long")])) for code in too_long_fields(lead)]
        if name:
            rows.append(Row(line, lead, cell(values, "owner") or None))
    if not filled:
        problems.append(Problem(header_line, "no_rows"))
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
    must be at the event (`may_own`); a row naming anyone else ("owner_not_at_event")
    or an e-mail nobody in the team has ("owner_not_on_team": scanners often hold a
    staff name or a device id there) goes to `default_owner` all the same, and is
    named in the notices with its line and where its lead ended (`Problem`: a new
    lead given to `default_owner`, or merged into a lead that kept its owner). Raises
    NotStarted before the event's first day at the venue. After the event's leads
    were assigned, new ones get their deadline at once, in their owner's calendar
    (one lookup per owner)."""
    if venue_day(event, moment) < event.starts_on:
        raise NotStarted(event)
    rows, problems = read_leads(text)
    if problems:
        return Imported(0, 0, sorted(problems, key=lambda p: p.line))
    async with db.session() as session:
        directory = await conversations.directory(session, event.org_id)
        attending = [person.id for _, person in await store.attendees(session, event.id)]  # type: ignore[arg-type]
    allowed = may_own(event, attending, directory)
    by_email = {str(p["email"]).lower(): int(p["id"]) for p in directory}
    owners: dict[int, int] = {}
    notices: dict[int, Problem] = {}
    for row in rows:
        found = by_email.get(row.owner_email.lower()) if row.owner_email else default_owner
        if found is None or found not in allowed:
            code = "owner_not_on_team" if found is None else "owner_not_at_event"
            notices[row.line] = Problem(row.line, code, row.owner_email or "")
            found = default_owner
        owners[row.line] = found
    leads = [new_lead(event, row.lead, owners[row.line], moment) for row in rows]
    async with db.session() as session:
        await store.hold_leads(session, event.id)  # matched and written as one step, as `capture` is
        fresh, merged, landed = store.match_many(await store.leads_of_event(session, event.id), leads)  # type: ignore[arg-type]
        await late_deadlines(db, event, [*fresh, *merged], moment)
        await store.store_many(session, fresh, merged, advance)
    emails = {int(p["id"]): str(p["email"]) for p in directory}
    line_of = {id(lead): row.line for row, lead in zip(rows, leads, strict=True)}
    told = [replace(notice, owner=emails.get(lead.owner_id, ""), merged_into=lead.id,
                    merged_with=None if lead.id is not None or line_of[id(lead)] == row.line else line_of[id(lead)])
            for row, lead in zip(rows, landed, strict=True) if (notice := notices.get(row.line)) is not None]
    return Imported(len(fresh), len(leads) - len(fresh), [], told)


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
    """Problems or notices as plain values for a template."""
    return [{"line": p.line, "code": p.code, "detail": p.detail, "owner": p.owner, "merged_into": p.merged_into,
             "merged_with": p.merged_with} for p in problems]
