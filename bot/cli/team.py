"""Team files: read and check a CSV of people completely before anything is stored.

An admin fixing a 200-line export wants every problem at once, each with its line
number, and a file with any problem imports nothing. Storage does the writing
(`storage.people.upsert_team`), so a re-import updates people instead of duplicating.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import typer

import prompts
from bot.cli.common import fail, ready_database, settings
from bot.core.clock import local_day, now
from conversations.meeting_rule import parse_meeting_rule
from storage import one_on_ones as meeting_store
from storage import people
from storage.models import ROLES, SELLING_ROLES
from storage.people import TeamRow

REQUIRED = ("email", "name", "role", "manager_email", "timezone")
OPTIONAL = ("slack_user_id", "teams_user_id", "working_days", "country", "selling_role")
EXPORT_COLUMNS = REQUIRED + OPTIONAL

_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a team file, where it is, and a sentence for the admin."""

    line: int
    code: str
    values: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return prompts.render("team/problem", line=self.line, code=self.code, **dict(self.values))


class TeamFileError(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


def _problem(line: int, code: str, **values: str) -> Problem:
    return Problem(line, code, tuple(values.items()))


def parse_working_days(text: str) -> str:
    """"Sun-Thu", "mon,tue,wed", "1-5" or "7,1,2,3,4" -> ISO weekdays "1,2,3,4,7".

    Ranges wrap around the week end, so a Sunday–Thursday week is written naturally.
    """
    days: set[int] = set()
    for part in re.split(r"[,\s;]+", text.strip().lower()):
        if not part:
            continue
        first, _, last = part.partition("-")
        start, end = _day(first), _day(last) if last else _day(first)
        span = (end - start) % 7
        days.update((start - 1 + i) % 7 + 1 for i in range(span + 1))
    if not days:
        raise ValueError(text)
    return ",".join(str(d) for d in sorted(days))


def _day(token: str) -> int:
    token = token.strip()[:3]
    if token.isdigit() and 1 <= int(token) <= 7:
        return int(token)
    if token in _DAYS:
        return _DAYS[token]
    raise ValueError(token)


def decode(data: bytes) -> str:
    """A team file's bytes as text. It must be UTF-8 (with or without Excel's BOM); a
    file saved in another encoding is a problem with a line number, not a traceback."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TeamFileError([_problem(data[:error.start].count(b"\n") + 1, "not_utf8")]) from None


def read_team(text: str, existing_emails: Iterable[str] = ()) -> list[TeamRow]:
    """Parse and check a whole team file; raise TeamFileError listing every problem.

    `existing_emails` are people already stored, who may be named as managers by a
    partial re-import.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise TeamFileError([_problem(1, "missing_columns", columns=", ".join(missing))])
    reader.fieldnames = header

    problems: list[Problem] = []
    rows: list[TeamRow] = []
    lines: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        value = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(value.values()):
            continue
        row, row_problems = _check_row(line, value)
        problems.extend(row_problems)
        if row is None:
            continue
        if row.email in lines:
            problems.append(_problem(line, "duplicate_email", email=row.email, first=str(lines[row.email])))
            continue
        lines[row.email] = line
        rows.append(row)

    known = set(lines) | {e.lower() for e in existing_emails}
    for row in rows:
        if row.manager_email and row.manager_email not in known:
            problems.append(_problem(lines[row.email], "unknown_manager", manager=row.manager_email))
        elif row.manager_email == row.email:
            problems.append(_problem(lines[row.email], "own_manager", email=row.email))
    problems.extend(_cycles(rows, lines))
    if not rows and not problems:
        problems.append(_problem(1, "empty"))
    if problems:
        raise TeamFileError(sorted(problems, key=lambda p: p.line))
    return rows


def _check_row(line: int, value: dict[str, str]) -> tuple[TeamRow | None, list[Problem]]:
    problems: list[Problem] = []
    email = value.get("email", "").lower()
    if not _EMAIL.match(email):
        problems.append(_problem(line, "bad_email", email=value.get("email", "")))
    if not value.get("name"):
        problems.append(_problem(line, "no_name"))
    role = value.get("role", "").lower()
    if role not in ROLES:
        problems.append(_problem(line, "bad_role", role=value.get("role", ""), roles=", ".join(ROLES)))
    zone = value.get("timezone", "")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(_problem(line, "bad_timezone", timezone=zone))
    working_days = None
    if value.get("working_days"):
        try:
            working_days = parse_working_days(value["working_days"])
        except ValueError:
            problems.append(_problem(line, "bad_working_days", days=value["working_days"]))
    country = value.get("country", "").upper() or None
    if country and not _known_country(country):
        problems.append(_problem(line, "bad_country", country=country))
    rhythm = value.get("one_on_one", "")
    if rhythm and (isinstance(parse_meeting_rule(rhythm, date.today()), str) or not value.get("manager_email")):
        problems.append(_problem(line, "bad_one_on_one", rhythm=rhythm,
                                 no_manager="yes" if not value.get("manager_email") else ""))
    selling_role = value.get("selling_role", "").strip().lower() if "selling_role" in value else None
    if selling_role and selling_role not in SELLING_ROLES:
        problems.append(_problem(line, "bad_selling_role", selling_role=value["selling_role"],
                                 roles=", ".join(SELLING_ROLES)))
    if problems:
        return None, problems
    manager = value.get("manager_email", "").lower() or None
    return TeamRow(
        email=email, name=value["name"], role=role, manager_email=manager, timezone=zone,
        working_days=working_days, country=country,
        slack_user_id=value.get("slack_user_id") or None,
        teams_user_id=value.get("teams_user_id") or None,
        selling_role=selling_role,
    ), []


def _known_country(country: str) -> bool:
    """"NO", "US", or a subdivision such as "US-CA" (which the cadences understand)."""
    code, dash, subdivision = country.partition("-")
    supported = holidays.list_supported_countries()
    if code not in supported:
        return False
    return not dash or subdivision in supported[code]


def _cycles(rows: Sequence[TeamRow], lines: dict[str, int]) -> list[Problem]:
    """Reporting lines must end at someone without a manager; report each loop once."""
    manager_of = {r.email: r.manager_email for r in rows if r.manager_email not in (None, r.email)}
    reported: set[frozenset[str]] = set()
    problems: list[Problem] = []
    for start in manager_of:
        path: list[str] = []
        current: str | None = start
        while current is not None and current not in path:
            path.append(current)
            current = manager_of.get(current)
        if current is None:
            continue
        loop = path[path.index(current):]
        if frozenset(loop) in reported:
            continue
        reported.add(frozenset(loop))
        first = min(loop, key=lambda e: lines[e])
        i = loop.index(first)
        ordered = loop[i:] + loop[:i] + [first]
        problems.append(_problem(lines[first], "cycle", chain=" → ".join(ordered)))
    return problems


def write_team(rows: Iterable[dict[str, str]]) -> str:
    """The team as CSV in the import format, so an export can be edited and re-imported."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


team_app = typer.Typer(help="Import and export the team (who reports to whom, time zones).",
                       no_args_is_help=True)
DEFAULT_ORG = "Default"


async def import_one_on_ones(session: Any, org_id: int, text: str) -> int:
    """The optional `one_on_one` column ("every other Tue 10:00", in the manager's
    zone): each rep's series with their manager, set or replaced. Checked by
    `read_team` first, so every value here parses."""
    count = 0
    for raw in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        value = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not value.get("one_on_one"):
            continue
        rep = await people.by_email(session, value["email"], org_id)
        manager = await people.get(session, rep.manager_id) if rep is not None and rep.manager_id else None
        if rep is None or manager is None:
            continue
        rule = parse_meeting_rule(value["one_on_one"], local_day(now(), manager.timezone))
        assert not isinstance(rule, str)
        await meeting_store.set_series(session, org_id, manager.id, rep.id, rule.rrule,  # type: ignore[arg-type]
                                       rule.at.strftime("%H:%M"), manager.timezone, rule.first)
        count += 1
    return count


@team_app.command("import")
def team_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[str, typer.Option(help="Organisation to import into.")] = DEFAULT_ORG,
) -> None:
    """Import or update the team from a CSV (email,name,role,manager_email,timezone[,…])."""
    config = settings()

    async def go() -> tuple[int, int]:
        db = await ready_database(config)
        try:
            async with db.session() as session:
                organisation = await people.ensure_org(session, org, config.timezone, config.country)
                existing = [p.email for p in await people.team(session, organisation.id)]  # type: ignore[arg-type]
                text = decode(file.read_bytes())
                rows = read_team(text, existing)
                counts = await people.upsert_team(session, organisation.id, rows)  # type: ignore[arg-type]
                await import_one_on_ones(session, organisation.id, text)  # type: ignore[arg-type]
                return counts
        finally:
            await db.dispose()

    try:
        created, updated = asyncio.run(go())
    except TeamFileError as error:
        raise fail(prompts.render("cli/import_failed", path=file, problems=error.problems)) from None
    typer.echo(prompts.render("cli/imported", created=created, updated=updated, org=org))


@team_app.command("export")
def team_export(
    org: Annotated[str, typer.Option(help="Organisation to export.")] = DEFAULT_ORG,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: stdout).")] = None,
) -> None:
    """Write the team as CSV in the import format."""
    config = settings()

    async def go() -> str:
        db = await ready_database(config)
        try:
            async with db.session() as session:
                organisation = await people.ensure_org(session, org, config.timezone, config.country)
                everyone = await people.team(session, organisation.id)  # type: ignore[arg-type]
                ids = await people.identities(session, organisation.id)  # type: ignore[arg-type]
        finally:
            await db.dispose()
        email_of = {p.id: p.email for p in everyone}
        return write_team(
            {
                "email": p.email, "name": p.name, "role": p.role,
                "manager_email": email_of.get(p.manager_id, "") if p.manager_id else "",
                "timezone": p.timezone, "working_days": p.working_days, "country": p.country or "",
                "selling_role": p.selling_role or "",
                "slack_user_id": ids.get(p.id, {}).get("slack", ""),  # type: ignore[arg-type]
                "teams_user_id": ids.get(p.id, {}).get("teams", ""),  # type: ignore[arg-type]
            }
            for p in everyone
        )

    text = asyncio.run(go())
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
