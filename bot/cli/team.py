"""`coachbot team import` and `export`: the team file in and out of the database.

Reading and checking the file is `bot.cli.team_file`; storage does the writing
(`storage.people.upsert_team`), so a re-import updates people instead of duplicating.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

import prompts
from bot.cli.common import fail, ready_database, settings
from bot.cli.team_file import (
    EXPORT_COLUMNS,
    OPTIONAL,
    REQUIRED,
    Problem,
    TeamFileError,
    decode,
    read_team,
    write_team,
)
from bot.cli.working_week import parse_working_days, working_days_text
from bot.core.clock import now, zone
from storage import leavers, people
from storage import one_on_ones as meeting_store
from storage.people import TeamRow
from storage.privacy import is_forgotten

__all__ = ["EXPORT_COLUMNS", "OPTIONAL", "REQUIRED", "Problem", "TeamFileError", "decode",
           "parse_working_days", "read_team", "team_app", "write_team"]


@contextmanager
def progress_bar(total: int, label: str | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal (nothing in a pipe or a log),
    for imports of 500 rows or more; `label` (default: importing the team) says what
    is imported. Yields `advance(n)`."""
    if not sys.stderr.isatty() or total < 500:
        yield lambda _n: None
        return
    from rich.progress import Progress  # only a terminal shows one

    with Progress(transient=True) as bar:
        task = bar.add_task(label or prompts.render("cli/import_progress"), total=total)
        yield lambda n: bar.advance(task, n)


team_app = typer.Typer(rich_markup_mode=None, help="Import and export the team (who reports to whom, time zones).",
                       no_args_is_help=True)
DEFAULT_ORG = "Default"
OFF_HOURS_SHOWN = 20  # series named one by one after an import; the rest counted


async def import_one_on_ones(session: Any, org_id: int,
                             rows: Sequence[TeamRow]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The optional `one_on_one` column ("every other Tue 10:00", in the manager's
    zone): each rep's series with their manager (`storage.one_on_ones.import_series`):
    created, updated when the file's rhythm changed (from its next slot to come),
    left exactly as it is when the rhythm is the one the file gave last time (a
    re-import moves no meeting and undoes no `/okr 1on1 @rep move to …`); a series the
    manager ended (`/okr 1on1 @rep off`) stays ended. Checked by `read_team` first,
    so every value here parses. Returns how many series each way went
    ("created", "updated", "unchanged", "ended"), and for each series created or
    updated whose first meeting falls outside the rep's or the manager's working time
    (`bot.features.meeting_hours`, as `/okr 1on1` says it) {"rep", "manager",
    "outside"}: set as the file asks, and said."""
    from conversations.meeting_rule import parse_meeting_rule  # a file with one-on-ones only

    counts = dict.fromkeys((meeting_store.SERIES_CREATED, meeting_store.SERIES_UPDATED,
                            meeting_store.SERIES_UNCHANGED, meeting_store.SERIES_ENDED), 0)
    off_hours: list[dict[str, Any]] = []
    for row in rows:
        if not row.one_on_one:
            continue
        rep = await people.by_email(session, row.email, org_id)
        manager = await people.get(session, rep.manager_id) if rep is not None and rep.manager_id else None
        if rep is None or manager is None:
            continue
        rule = parse_meeting_rule(row.one_on_one, now().astimezone(zone(manager.timezone)))  # the next slot to come
        assert not isinstance(rule, str)
        outcome = await meeting_store.import_series(session, org_id, manager.id, rep.id, rule.rrule,  # type: ignore[arg-type]
                                                    rule.at.strftime("%H:%M"), manager.timezone, rule.first)
        counts[outcome] += 1
        if outcome in (meeting_store.SERIES_CREATED, meeting_store.SERIES_UPDATED):
            from bot.features.meeting_hours import outside_working_time  # a series set or moved only

            outside = outside_working_time(rule.first, rule.at, manager.timezone, [manager, rep])
            if outside:
                off_hours.append({"rep": rep.name, "manager": manager.name, "outside": outside})
    return counts, off_hours


@team_app.command("import")
def team_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[str, typer.Option(help="Organisation to import into.")] = DEFAULT_ORG,
) -> None:
    """Import or update the team from a CSV (email,name,role,manager_email,timezone[,…])."""
    config = settings()

    async def go() -> tuple[people.ImportCounts, list[tuple[str, str]], dict[str, int], list[dict[str, Any]],
                            list[tuple[str, str]]]:
        db = await ready_database(config)
        try:
            async with db.session() as session:
                organisation = await people.ensure_org(session, org, config.timezone, config.country)
                org_id: int = organisation.id  # type: ignore[assignment]
                rows = read_team(decode(file.read_bytes()), await people.roles(session, org_id),
                                 await people.identity_owners(session, org_id))
                back = [(p.name, p.email) for p in await leavers.left_among(session, org_id, [r.email for r in rows])]
                with progress_bar(len(rows)) as advance:
                    counts = await people.upsert_team(session, org_id, rows, advance)
                series, off_hours = await import_one_on_ones(session, org_id, rows)
                unlisted = await leavers.active_not_in(session, org_id, [r.email for r in rows])
                return counts, [(p.name, p.email) for p in unlisted], series, off_hours, back
        finally:
            await db.dispose()

    try:
        (created, updated, unchanged), unlisted, series, off_hours, back = asyncio.run(go())
    except TeamFileError as error:
        raise fail(prompts.render("cli/import_failed", path=file, problems=error.problems)) from None
    typer.echo(prompts.render("cli/imported", created=created, updated=updated, unchanged=unchanged, org=org))
    if any(series.values()):  # the file has a one_on_one column with rhythms in it
        typer.echo(prompts.render("cli/imported_one_on_ones", **series))
    if off_hours:
        typer.echo(prompts.render("cli/one_on_ones_off_hours", series=off_hours, shown=OFF_HOURS_SHOWN))
    if back:  # listed again: active again, as `person return` would say
        typer.echo(prompts.render("cli/back_in_file", people=back))
    if unlisted:  # told, never deactivated: a partial file must not remove people
        typer.echo(prompts.render("cli/not_in_file", people=unlisted))


@team_app.command("export")
def team_export(
    org: Annotated[str, typer.Option(help="Organisation to export.")] = DEFAULT_ORG,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: stdout).")] = None,
) -> None:
    """Write the team as CSV in the import format."""
    config = settings()

    async def go() -> tuple[str, int, int]:
        db = await ready_database(config)
        try:
            async with db.session() as session:
                organisation = await people.ensure_org(session, org, config.timezone, config.country)
                everyone = await people.team(session, organisation.id)  # type: ignore[arg-type]
                # people who left (and erased ones) stay out: the file is re-imported,
                # and a row listing someone makes them active again
                left = [p for p in everyone if not p.active]
                # a report of someone who left still names them (the import knows them)
                email_of = {p.id: p.email for p in everyone if not is_forgotten(p.email)}
                everyone = [p for p in everyone if p.active]
                ids = await people.identities(session, organisation.id)  # type: ignore[arg-type]
        finally:
            await db.dispose()
        return write_team(
            {
                "email": p.email, "name": p.name, "role": p.role,
                "manager_email": email_of.get(p.manager_id, "") if p.manager_id else "",
                "timezone": p.timezone, "working_days": working_days_text(p.working_days), "country": p.country or "",
                "selling_role": p.selling_role or "",
                "quiet_hours": f"{p.quiet_start}-{p.quiet_end}" if p.quiet_start and p.quiet_end else "",
                "slack_user_id": ids.get(p.id, {}).get("slack", ""),  # type: ignore[arg-type]
                "teams_user_id": ids.get(p.id, {}).get("teams", ""),  # type: ignore[arg-type]
            }
            for p in everyone
        ), len(everyone), len([p for p in left if not is_forgotten(p.email)])

    text, count, left = asyncio.run(go())
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(prompts.render("cli/exported", count=count, kind="team", path=str(output)), err=True)
    if left:
        typer.echo(prompts.render("cli/left_not_exported", count=left), err=True)
