"""What every `coachbot` command shares: settings read once (a bad one ends the
command with exit code 2 and one line naming the variable), a clear failure, and a
database brought up to date before use, so a new user never has to remember
`db upgrade`."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import typer

import prompts
from bot.core.settings import Settings, SettingsError
from bot.runtime import load_settings
from storage.db import Database
from storage.migrate import upgrade


def settings(**overrides: str) -> Settings:
    try:
        config = load_settings()
    except SettingsError as error:
        typer.echo(prompts.render("cli/config_error", error=str(error)), err=True)
        raise typer.Exit(2) from None
    return replace(config, **overrides) if overrides else config  # type: ignore[arg-type]


def fail(text: str, code: int = 1) -> typer.Exit:
    """Print `text` to stderr; raise the returned Exit to end with `code`."""
    typer.echo(text, err=True)
    return typer.Exit(code)


async def ready_database(config: Settings) -> Database:
    """The database of `config`, migrated to the latest schema first."""
    await asyncio.to_thread(upgrade, config.database_url)
    return Database(config.database_url)
