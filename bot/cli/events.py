"""`coachbot event …`: leads of a trade show in and out of coachbot.

    coachbot event import-leads --event "NRF 2027" badges.csv [--owner rep@example.com]
    coachbot event export-leads --event "NRF 2027" [--output leads.csv]

Both commands take the event as `--event NAME` or as their first argument
(`import-leads "NRF 2027" badges.csv`, `export-leads "NRF 2027"`), the same way. Where
two events share a name (registered before names were kept distinct) a NAME followed
by the first day ("NRF 2027 2027-01-12") picks one (`event_names.events_named`).

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
from storage import conversations, event_names, people
from storage import trade_shows as store

if TYPE_CHECKING:  # the trade-show feature is loaded by the event commands only
    from storage.db import Database
    from storage.models import Event

event_app = typer.Typer(rich_markup_mode=None, help="Trade shows: import and export their leads.", no_args_is_help=True)


async def _event(db: Database, name: str) -> Event:
    async with db.session() as session:
        found = await event_names.events_called(session, name)
    if len(found) != 1:
        raise fail(prompts.render("trade_shows/cli_no_event", name=name, events=found))
    return found[0]


def _which(command: str, event: str | None, given: list[str], wanted: int) -> list[str]:
    """The event's name and the rest of the arguments, however it was given: the
    `--event` option followed by the `wanted - 1` other arguments, or the name first
    then them. Anything else (the name twice, or none) ends with how to write it."""
    if event is not None and len(given) == wanted - 1:
        return [event, *given]
    if event is None and len(given) == wanted:
        return given
    raise fail(prompts.render("trade_shows/cli_event_usage", command=command, twice=event is not None))


def _text(file: Path) -> str:
    """The file as text: UTF-8 (BOM or not) or UTF-16 with its BOM, as the team import
    reads it (`bot.core.csv_files.decode`); anything else is refused with its line."""
    try:
        return csv_files.decode(file.read_bytes())
    except csv_files.NotUTF8 as error:
        raise fail(prompts.render("trade_shows/cli_not_utf8", file=str(file), line=error.line)) from None


def _csv_file(name: str, typed: str, swappable: bool) -> Path:
    """The file to import; a folder, a missing file, or (`swappable`: both given as
    arguments) a file given first and an event name second are refused saying so."""
    file = Path(typed)
    if file.is_file():
        return file
    if swappable and Path(name).is_file():
        raise fail(prompts.render("trade_shows/cli_swapped", file=name, name=typed))
    if file.is_dir():
        raise fail(prompts.render("trade_shows/cli_not_a_file", file=typed))
    raise fail(prompts.render("trade_shows/cli_no_file", file=typed))


@event_app.command("import-leads")
def import_leads_command(
    first: Annotated[str, typer.Argument(metavar="NAME", show_default=False,
                                         help="The event's name, as registered; with --event, the CSV file.")],
    second: Annotated[str | None, typer.Argument(metavar="FILE", show_default=False,
                                                 help="The CSV file (after NAME).")] = None,
    event: Annotated[str | None, typer.Option("--event", help="The event's name, as registered.")] = None,
    owner: Annotated[str | None, typer.Option(help="E-mail of the owner of rows without one, and of rows "
                                                     "naming someone not at the event or not on the team "
                                                     "(default: whoever registered the event).")] = None,
) -> None:
    """Import a badge-scanner CSV export (comma, semicolon or tab separated); columns
    are matched by their header names. Problems are listed by line and nothing is
    imported until there are none; rows whose owner may not own a lead there are
    listed after the import. Refused before the event's first day."""
    name, typed = _which("import-leads", event, [first, second] if second is not None else [first], 2)
    file = _csv_file(name, typed, swappable=event is None)
    config = settings()
    text = _text(file)

    async def go() -> tuple[str, object, list[dict[str, object]], list[dict[str, object]]]:
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
            return event.name, done, problem_lines(done.problems), problem_lines(done.notices)
        finally:
            await db.dispose()

    called, done, problems, notices = asyncio.run(go())
    if problems:
        raise fail(prompts.render("trade_shows/cli_import_failed", problems=problems, file=str(file)))
    typer.echo(prompts.render("trade_shows/cli_imported", added=done.added, merged=done.merged,  # type: ignore[attr-defined]
                              name=called, notices=notices, owner=owner))


@event_app.command("export-leads")
def export_leads_command(
    given: Annotated[str | None, typer.Argument(metavar="NAME", show_default=False,
                                                help="The event's name, as registered (or give --event).")] = None,
    event: Annotated[str | None, typer.Option("--event", help="The event's name, as registered.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Write an event's leads as CSV, for the CRM."""
    [name] = _which("export-leads", event, [given] if given is not None else [], 1)
    config = settings()

    async def go() -> str:
        db = await ready_database(config)
        try:
            from bot.features.trade_shows.csv_leads import export_leads

            return await export_leads(db, await _event(db, name))
        finally:
            await db.dispose()

    text = asyncio.run(go())
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(prompts.render("trade_shows/cli_exported", path=str(output)), err=True)
