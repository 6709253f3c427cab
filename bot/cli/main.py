"""`coachbot`: run the bot, chat in the terminal, manage the team and the database.

Every command reads settings once; a bad setting ends it with one line naming the
variable. Commands that touch the database bring its schema up to date first, so a
new user never has to remember `db upgrade`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import stat
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Annotated

import typer

import prompts
from bot import __version__
from bot.cli.admin import person_app, secrets_app
from bot.cli.bind import slack_app, teams_bind
from bot.cli.common import config_error, fail, load_dotenv, ready_database, settings
from bot.cli.demo import demo
from bot.cli.events import event_app
from bot.cli.export import export_command
from bot.cli.schedule import schedule_app
from bot.cli.team import team_app
from bot.core import logs
from bot.core.settings import Settings, SettingsError
from storage import people

# Plain (click-style) help in every group: typer's rich panels print "<bool>" beside
# every flag, --help included, as if it took a value (tests/test_cli_help.py).
app = typer.Typer(rich_markup_mode=None, help="coachbot: sales coaching cadence on Slack, Teams and the terminal.",
                  no_args_is_help=True)
db_app = typer.Typer(rich_markup_mode=None, help="Database schema.", no_args_is_help=True)
teams_app = typer.Typer(
    rich_markup_mode=None, help="Microsoft Teams: the app package, binding a tenant.", no_args_is_help=True)
app.add_typer(team_app, name="team")
app.add_typer(db_app, name="db")
app.add_typer(teams_app, name="teams")
app.add_typer(schedule_app, name="schedule")
app.add_typer(event_app, name="event")
app.command("export")(export_command)
app.add_typer(slack_app, name="slack")
teams_app.command("bind")(teams_bind)
app.add_typer(person_app, name="person")
app.add_typer(secrets_app, name="secrets")
app.command()(demo)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coachbot {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and stop.")] = False,
) -> None:
    """coachbot: sales coaching cadence on Slack, Teams and the terminal."""


@slack_app.command("manifest")
def slack_manifest() -> None:
    """Print the Slack app manifest to paste at api.slack.com/apps (From an app manifest)."""
    from bot.channels.slack import manifest

    sys.stdout.write(manifest())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from storage.migrate import upgrade

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
    from bot.channels.console import ConsoleChannel, stdin_lines
    from bot.core.clock import local_day, now
    from bot.core.flows import asked_again, open_question
    from bot.core.messages import Message
    from bot.runtime import running
    from storage import conversations

    db = await ready_database(config)
    waiting = left_open = None
    try:
        async with db.session() as session:
            person = await people.by_email(session, email)
            # someone marked as left is told so at their first line, not shown what they left open
            left_open = (await conversations.active(session, person.id)  # type: ignore[arg-type]
                         if person is not None and person.active else None)
            if person is not None and left_open is not None:  # its question again, numbered: answers go to it
                waiting = open_question(left_open, local_day(now(), person.timezone))
    finally:
        await db.dispose()
    if person is None:
        raise fail(prompts.render("cli/unknown_email", email=email))
    console = ConsoleChannel(person_id=person.id)
    async with running(config, extra=[console], with_scheduler=False) as runtime:
        console.db = runtime.coach.db  # the card's choices outlive this run (storage.console_cards)
        interactive = sys.stdin.isatty()
        if interactive:
            typer.echo(prompts.render("cli/chat_welcome", name=person.name))
        told = None
        if waiting is not None and left_open is not None:  # brought up to date first (a WIG closed meanwhile)
            typer.echo(prompts.render("cli/chat_open", open=waiting[0]))
            console.show(await asked_again(runtime.coach, person, left_open, now()))
            # the same command typed first picks it up: its "welcome back" would say this again
            told = Message(prompts.render("flows/common/resumed", current=waiting[0]))
        await console.converse(runtime.coach, person.id, stdin_lines(),  # type: ignore[arg-type]
                               prompt="> " if interactive else "", told=told)


@app.command()
def run() -> None:
    """Run coachbot: Slack and/or Teams when configured, else the terminal as the first admin."""
    config = settings()
    logs.setup(config.log_level, config.log_format)
    try:
        asyncio.run(_run(config))
    except SettingsError as error:  # HOST or PORT, found bad only when the server listens
        raise config_error(error) from None


def stdin_attached() -> bool:
    """Whether someone can type or pipe lines to the terminal channel: a terminal, a
    pipe or a file. /dev/null or a closed stdin (a dyno, a container, a service) is
    nobody."""
    if sys.stdin is None or sys.stdin.closed:
        return False
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return sys.stdin.isatty() or stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)


async def _run(config: Settings) -> None:
    from bot.channels.console import ConsoleChannel, stdin_lines
    from bot.runtime import running

    if not config.serving and not stdin_attached():
        raise fail(prompts.render("cli/nothing_to_serve"), code=2)
    if config.serving:
        async with running(config):
            typer.echo(prompts.render("cli/serving", settings=config))
            await until_stopped()
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
    logs.quiet_for_terminal()  # the scheduler's INFO lines would land in the middle of the chat
    typer.echo(prompts.render("cli/terminal_mode", name=admin.name, email=admin.email))
    async with running(config, extra=[console]) as runtime:
        console.db = runtime.coach.db  # the card's choices outlive this run (storage.console_cards)
        talk = console.converse(runtime.coach, admin.id, stdin_lines(),  # type: ignore[arg-type]
                                prompt="> " if sys.stdin.isatty() else "")
        await until_stopped(talk)


async def until_stopped(work: Awaitable[None] | None = None) -> None:
    """Wait for SIGTERM or SIGINT (or for `work` to end), then return so the runtime
    shuts down cleanly: the platform kills a process 30 s after SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    waiting = [asyncio.ensure_future(stop.wait())]
    if work is not None:
        waiting.append(asyncio.ensure_future(work))
    try:
        _done, pending = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in _done:
            task.result()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)


@teams_app.command("package")
def teams_package(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("coachbot-teams.zip"),
) -> None:
    """Write the Teams app package (manifest.json + icons) to upload in Teams."""
    from bot.channels.teams.package import write_package
    from bot.channels.teams.settings import TeamsSettings
    from bot.core.settings import read

    # the package holds the app id only: the password (a secret the server needs) is
    # not asked for here, so it can be built on a laptop
    try:
        path = write_package(output, TeamsSettings(app_id=read(os.environ, "MICROSOFT_APP_ID")))
    except ValueError as error:
        raise fail(f"coachbot: {error}") from None
    typer.echo(prompts.render("cli/teams_package", path=path))


def main() -> None:
    """The console script: `.env` read first (the environment wins), then the command;
    a database that cannot be used ends it with one line and exit code 2."""
    load_dotenv()
    try:
        app()
    except Exception as error:
        from storage.migrate import DatabaseUnavailable
        from storage.secrets import SecretsLocked  # cryptography: loaded when it is the problem only

        if not isinstance(error, DatabaseUnavailable | SecretsLocked):
            raise
        typer.echo(prompts.render("cli/database_unavailable", error=str(error)), err=True)
        sys.exit(2)
