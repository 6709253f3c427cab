"""`coachbot`: run the bot, chat in the terminal, manage the team and the database.

Every command reads settings once; a bad setting ends it with one line naming the
variable. Commands that touch the database bring its schema up to date first, so a
new user never has to remember `db upgrade`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

import prompts
from bot.channels.console import ConsoleChannel, stdin_lines
from bot.schedule_cli import demo, schedule_app
from bot.settings import Settings, SettingsError
from bot.team import TeamFileError, decode, read_team, write_team
from storage import people
from storage.db import Database
from storage.migrate import upgrade

app = typer.Typer(help="coachbot: sales coaching cadence on Slack, Teams and the terminal.",
                  no_args_is_help=True, add_completion=False)
team_app = typer.Typer(help="Import and export the team (who reports to whom, time zones).",
                       no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
teams_app = typer.Typer(help="Microsoft Teams app package.", no_args_is_help=True)
app.add_typer(team_app, name="team")
app.add_typer(db_app, name="db")
app.add_typer(teams_app, name="teams")
app.add_typer(schedule_app, name="schedule")
app.command()(demo)

DEFAULT_ORG = "Default"


def settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        typer.echo(f"coachbot: configuration error: {error}", err=True)
        raise typer.Exit(2) from None


def fail(text: str, code: int = 1) -> typer.Exit:
    typer.echo(text, err=True)
    return typer.Exit(code)


def ready_database(config: Settings) -> Database:
    upgrade(config.database_url)
    return Database(config.database_url)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    config = settings()
    upgrade(config.database_url)
    typer.echo(prompts.render("cli/db_upgraded"))


@team_app.command("import")
def team_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[str, typer.Option(help="Organisation to import into.")] = DEFAULT_ORG,
) -> None:
    """Import or update the team from a CSV (email,name,role,manager_email,timezone[,…])."""
    config = settings()

    async def go() -> tuple[int, int]:
        db = ready_database(config)
        try:
            async with db.session() as session:
                organisation = await people.ensure_org(session, org, config.timezone, config.country)
                existing = [p.email for p in await people.team(session, organisation.id)]  # type: ignore[arg-type]
                rows = read_team(decode(file.read_bytes()), existing)
                return await people.upsert_team(session, organisation.id, rows)  # type: ignore[arg-type]
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
        db = ready_database(config)
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


@app.command()
def chat(
    as_: Annotated[str, typer.Option("--as", help="E-mail of the person you speak as.")],
) -> None:
    """Talk to coachbot in the terminal as one person (lines from stdin, typed or piped)."""
    config = settings()
    asyncio.run(_chat(config, as_))


async def _chat(config: Settings, email: str) -> None:
    db = ready_database(config)
    try:
        async with db.session() as session:
            person = await people.by_email(session, email)
    finally:
        await db.dispose()
    if person is None:
        raise fail(prompts.render("cli/unknown_email", email=email))
    from bot.runtime import running

    console = ConsoleChannel(person_id=person.id)
    async with running(config, extra=[console], with_scheduler=False) as runtime:
        interactive = sys.stdin.isatty()
        if interactive:
            typer.echo(prompts.render("cli/chat_welcome", name=person.name))
        await console.converse(runtime.coach, person.id, stdin_lines(),  # type: ignore[arg-type]
                               prompt="> " if interactive else "")


@app.command()
def run() -> None:
    """Run coachbot: Slack and/or Teams when configured, else the terminal as the first admin."""
    config = settings()
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_run(config))


async def _run(config: Settings) -> None:
    from bot.runtime import running

    if config.slack_configured or config.teams_configured:
        async with running(config):
            typer.echo(prompts.render("cli/serving", settings=config))
            await _until_stopped()
        return
    db = ready_database(config)
    try:
        async with db.session() as session:
            admin = await people.first_admin(session)
    finally:
        await db.dispose()
    if admin is None:
        raise fail(prompts.render("cli/no_team"))
    console = ConsoleChannel(person_id=admin.id)
    typer.echo(prompts.render("cli/terminal_mode", name=admin.name, email=admin.email))
    async with running(config, extra=[console]) as runtime:
        await console.converse(runtime.coach, admin.id, stdin_lines(),  # type: ignore[arg-type]
                               prompt="> " if sys.stdin.isatty() else "")


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


@teams_app.command("package")
def teams_package(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("coachbot-teams.zip"),
) -> None:
    """Write the Teams app package (manifest.json + icons) to upload in Teams."""
    from bot.channels.teams.package import write_package

    try:
        path = write_package(output, settings())
    except ValueError as error:
        raise fail(f"coachbot: {error}") from None
    typer.echo(prompts.render("cli/teams_package", path=path))


def main() -> None:
    app()
