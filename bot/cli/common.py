"""What every `coachbot` command shares: settings read once (a bad one ends the
command with exit code 2 and one line naming the variable), a clear failure, and a
database brought up to date before use, so a new user never has to remember
`db upgrade`."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import dotenv
import typer

import prompts
from bot.core.settings import Settings, SettingsError
from bot.platforms import load_settings
from storage.db import Database
from storage.leavers import left_since
from storage.models import Person

# Variables that came from a .env file (not the environment), for error messages.
FROM_DOTENV: dict[str, Path] = {}


def load_dotenv(folder: Path | None = None) -> dict[str, str]:
    """Read `.env` in the working directory into the environment (python-dotenv). A
    variable already in the environment wins. Returns what was taken from the file."""
    path = (folder or Path.cwd()) / ".env"
    if not path.is_file():
        return {}
    taken = {k: v for k, v in dotenv.dotenv_values(path).items() if v is not None and k not in os.environ}
    os.environ.update(taken)
    FROM_DOTENV.update(dict.fromkeys(taken, path))
    return taken


def settings(**overrides: str) -> Settings:
    try:
        config = load_settings()
    except SettingsError as error:
        raise config_error(error) from None
    return replace(config, **overrides) if overrides else config  # type: ignore[arg-type]


def config_error(error: SettingsError) -> typer.Exit:
    """Print the one line naming the bad variable (and the .env it came from) to
    stderr; raise the returned Exit to end with code 2. Also for a setting found bad
    only when used, like a HOST or PORT the server cannot listen on."""
    typer.echo(prompts.render("cli/config_error", error=str(error),
                              dotenv=FROM_DOTENV.get(error.variable)), err=True)
    return typer.Exit(2)


def fail(text: str, code: int = 1) -> typer.Exit:
    """Print `text` to stderr; raise the returned Exit to end with `code`."""
    typer.echo(text, err=True)
    return typer.Exit(code)


async def ready_database(config: Settings) -> Database:
    """The database of `config`, migrated to the latest schema first."""
    from storage.migrate import upgrade  # Alembic: only commands that use the database load it

    await asyncio.to_thread(upgrade, config.database_url)
    return Database(config.database_url)


def has_left(person: Person, doing: str) -> str:
    """What to say when a command names `person`, who is marked as left (`coachbot
    person leave`): since when (`storage.leavers.left_since`, shown as its UTC day) and
    what that means for `doing`: "preview", "rule" or "demo"."""
    return prompts.render("cli/has_left", name=person.name, email=person.email,
                          since=left_since(person), doing=doing)
