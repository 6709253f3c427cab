"""`coachbot export checkins|okrs|wig|people`: one row per fact as CSV or JSON, for
spreadsheets and BI tools (columns in docs/export.md). Streams from the database to
the file, so 100,000 check-ins never sit in memory at once."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer

import prompts
from bot.cli.common import fail, ready_database, settings
from bot.core.settings import Settings
from conversations.currencies import iso_unit
from storage import export, people


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(prompts.render("cli/export_bad_date", option=option, given=text), 2) from None


def export_command(
    kind: Annotated[str, typer.Argument(help="checkins, okrs, wig or people")],
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    since: Annotated[str | None, typer.Option("--from", help="First local date, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Last local date, YYYY-MM-DD")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this manager's team (their e-mail)")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: stdout)")] = None,
) -> None:
    """Write one kind of data, one row per fact, UTC instants and local dates."""
    if kind not in export.KINDS or fmt not in ("csv", "json"):
        raise fail(prompts.render("cli/export_usage", kind=kind, fmt=fmt, kinds=export.KINDS), 2)
    first, last = _day(since, "--from"), _day(until, "--to")
    if first and last and first > last:  # an empty export would look like "no data"
        raise fail(prompts.render("cli/export_reversed", first=first, last=last), 2)
    config = settings()
    out: TextIO = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        count = asyncio.run(run_export(config.database_url, kind, fmt, out, first, last, team))
    finally:
        if output:
            out.close()
    if output:
        typer.echo(prompts.render("cli/exported", count=count, kind=kind, path=str(output)), err=True)


async def run_export(url: str, kind: str, fmt: str, out: TextIO, since: date | None = None,
                     until: date | None = None, team: str | None = None) -> int:
    """Export to `out`; returns the number of rows. Raises typer.Exit for an unknown
    team e-mail or an install without exactly one organisation."""
    db = await ready_database(Settings(database_url=url))
    try:
        async with db.session() as session:
            if team:
                manager = await people.by_email(session, team)
                if manager is None:
                    raise fail(prompts.render("cli/unknown_email", email=team), 2)
                org_id = manager.org_id
                members = await export.team_of(session, org_id, manager.id)  # type: ignore[arg-type]
            else:
                org = await people.only_org(session)
                if org is None:
                    raise fail(prompts.render("cli/export_no_org"), 2)
                org_id, members = org.id, None  # type: ignore[assignment]
            scope = export.Scope(org_id, members, since, until)
            return await export.write(kind, export.rows(session, kind, scope, iso_unit), fmt, out)
    finally:
        await db.dispose()
