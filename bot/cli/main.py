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
from bot.cli.bind import slack_app, teams_bind
from bot.cli.common import fail, ready_database, settings
from bot.cli.demo import demo
from bot.cli.events import event_app
from bot.cli.export import export_command
from bot.cli.schedule import schedule_app
from bot.cli.team import team_app
from bot.core.settings import Settings
from bot.runtime import running
from storage import people
from storage.migrate import upgrade

app = typer.Typer(help="coachbot: sales coaching cadence on Slack, Teams and the terminal.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
teams_app = typer.Typer(help="Microsoft Teams: the app package, binding a tenant.", no_args_is_help=True)
app.add_typer(team_app, name="team")
app.add_typer(db_app, name="db")
app.add_typer(teams_app, name="teams")
app.add_typer(schedule_app, name="schedule")
app.add_typer(event_app, name="event")
app.command("export")(export_command)
app.add_typer(slack_app, name="slack")
teams_app.command("bind")(teams_bind)
app.command()(demo)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    config = settings()
    upgrade(config.database_url)
    typer.echo(prompts.render("cli/db_upgraded"))


@app.command()
def chat(
    as_: Annotated[str, typer.Option("--as", help="E-mail of the person you speak as.")],
) -> None:
    """Talk to coachbot in the terminal as one person (lines from stdin, typed or piped)."""
    config = settings()
    asyncio.run(_chat(config, as_))


async def _chat(config: Settings, email: str) -> None:
    db = await ready_database(config)
    try:
        async with db.session() as session:
            person = await people.by_email(session, email)
    finally:
        await db.dispose()
    if person is None:
        raise fail(prompts.render("cli/unknown_email", email=email))
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
    if config.serving:
        async with running(config):
            typer.echo(prompts.render("cli/serving", settings=config))
            await _until_stopped()
        return
    db = await ready_database(config)
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
        path = write_package(output, settings().channel("teams"))
    except ValueError as error:
        raise fail(f"coachbot: {error}") from None
    typer.echo(prompts.render("cli/teams_package", path=path))


def main() -> None:
    app()
