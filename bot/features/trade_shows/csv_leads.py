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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.markup import clean
from bot.features.trade_shows.leads import capture_lead
from bot.features.trade_shows.parsing import LIMITS, ParsedLead, map_headers, temperature_of, too_long
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
    """The rows of a badge-scanner export, and every problem with its line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        return [], [Problem(1, "empty")]
    columns = map_headers(header)
    if isinstance(columns, str):
        return [], [Problem(1, columns, ", ".join(header))]

    def cell(values: list[str], name: str) -> str:
        index = columns.get(name)  # type: ignore[union-attr]
        return from_spreadsheet(clean(values[index]).strip()) if index is not None and index < len(values) else ""

    rows: list[Row] = []
    problems: list[Problem] = []
    for line, values in enumerate(reader, start=2):
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


async def import_leads(db: Database, event: Event, text: str, default_owner: int,
                       moment: datetime) -> tuple[int, int, list[Problem]]:
    """Import a file for `event`: (new leads, merged duplicates, problems). With any
    problem nothing is stored. An owner column names people by e-mail."""
    rows, problems = read_leads(text)
    async with db.session() as session:
        directory = await conversations.directory(session, event.org_id)
    by_email = {str(p["email"]).lower(): int(p["id"]) for p in directory}
    owners: dict[int, int] = {}
    for row in rows:
        if row.owner_email is None:
            owners[row.line] = default_owner
        elif row.owner_email.lower() in by_email:
            owners[row.line] = by_email[row.owner_email.lower()]
        else:
            problems.append(Problem(row.line, "unknown_owner", row.owner_email))
    if problems:
        return 0, 0, sorted(problems, key=lambda p: p.line)
    added = merged = 0
    for row in rows:
        _, was_merged = await capture_lead(db, event, row.lead, owners[row.line], moment)
        merged += was_merged
        added += not was_merged
    return added, merged, []


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
