"""`coachbot event …`: leads of a trade show in and out of coachbot.

    coachbot event import-leads "NRF 2027" badges.csv [--owner rep@example.com]
    coachbot event export-leads --event "NRF 2027" [--output leads.csv]

`export_leads_command` is also meant for a `coachbot export` group (as
`coachbot export leads --event NAME`) once one exists: it takes the same options.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import prompts
from bot.cli.common import fail, ready_database, settings
from bot.cli.team import progress_bar
from bot.core import csv_files
from bot.core.clock import now
from storage import conversations, people
from storage import trade_shows as store

if TYPE_CHECKING:  # the trade-show feature is loaded by the event commands only
    from storage.db import Database
    from storage.models import Event

event_app = typer.Typer(rich_markup_mode=None, help="Trade shows: import and export their leads.", no_args_is_help=True)


async def _event(db: Database, name: str) -> Event:
    async with db.session() as session:
        found = await store.events_called(session, name)
    if len(found) != 1:
        raise fail(prompts.render("trade_shows/cli_no_event", name=name, count=len(found)))
    return found[0]


def _text(file: Path) -> str:
    """The file as text: UTF-8 (BOM or not) or UTF-16 with its BOM, as the team import
    reads it (`bot.core.csv_files.decode`); anything else is refused with its line."""
    try:
        return csv_files.decode(file.read_bytes())
    except csv_files.NotUTF8 as error:
        raise fail(prompts.render("trade_shows/cli_not_utf8", file=str(file), line=error.line)) from None


@event_app.command("import-leads")
def import_leads_command(
    name: Annotated[str, typer.Argument(help="The event's name, as registered.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    owner: Annotated[str | None, typer.Option(help="E-mail of the owner of rows without one, and of rows "
                                                     "naming someone not at the event (default: whoever "
                                                     "registered the event).")] = None,
) -> None:
    """Import a badge-scanner CSV export (comma, semicolon or tab separated); columns
    are matched by their header names. Problems are listed by line and nothing is
    imported until there are none. Refused before the event's first day."""
    config = settings()
    text = _text(file)

    async def go() -> tuple[object, list[dict[str, object]], list[dict[str, object]]]:
        db = await ready_database(config)
        try:
            event = await _event(db, name)
            from bot.features.trade_shows.csv_leads import NotStarted, import_leads, may_own, problem_lines

            owner_id = event.created_by
            if owner:
                async with db.session() as session:
                    person = await people.by_email(session, owner, event.org_id)
                    directory = await conversations.directory(session, event.org_id)
                    attending = [p.id for _, p in await store.attendees(session, event.id)]  # type: ignore[arg-type]
                if person is None:
                    raise fail(prompts.render("cli/unknown_email", email=owner))
                if person.id not in may_own(event, attending, directory):  # type: ignore[arg-type]
                    raise fail(prompts.render("trade_shows/cli_owner_not_at_event", email=owner, name=event.name))
                owner_id = person.id  # type: ignore[assignment]
            rows = max(text.count("\n") - 1, 0)
            with progress_bar(rows, prompts.render("trade_shows/cli_import_progress", name=event.name)) as advance:
                try:
                    done = await import_leads(db, event, text, owner_id, now(), advance)
                except NotStarted as early:
                    raise fail(prompts.render("trade_shows/cli_not_started", name=event.name,
                                              starts_on=early.starts_on)) from None
            return done, problem_lines(done.problems), problem_lines(done.notices)
        finally:
            await db.dispose()

    done, problems, notices = asyncio.run(go())
    if problems:
        raise fail(prompts.render("trade_shows/cli_import_failed", problems=problems, file=str(file)))
    typer.echo(prompts.render("trade_shows/cli_imported", added=done.added, merged=done.merged,  # type: ignore[attr-defined]
                              name=name, notices=notices, owner=owner))


@event_app.command("export-leads")
def export_leads_command(
    event: Annotated[str, typer.Option("--event", help="The event's name, as registered.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Write an event's leads as CSV, for the CRM."""
    config = settings()

    async def go() -> str:
        db = await ready_database(config)
        try:
            from bot.features.trade_shows.csv_leads import export_leads

            return await export_leads(db, await _event(db, event))
        finally:
            await db.dispose()

    text = asyncio.run(go())
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(prompts.render("trade_shows/cli_exported", path=str(output)), err=True)
