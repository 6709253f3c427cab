"""`coachbot person forget|leave|return` and `coachbot secrets`: an admin's care for what coachbot
stores about people, and for the tokens it keeps."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

import prompts
from bot.cli.common import fail, ready_database, settings
from storage import leavers, people, privacy
from storage import slack as slack_store

person_app = typer.Typer(rich_markup_mode=None, help="One person's data.", no_args_is_help=True)
T = TypeVar("T")
secrets_app = typer.Typer(
    rich_markup_mode=None, help="Encryption of stored tokens (COACHBOT_SECRET_KEY).", no_args_is_help=True)


@person_app.command("forget")
def forget(
    email: Annotated[str, typer.Argument(help="E-mail of the person to forget.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person's answers, notes, leads they own and chat identities; only
    anonymous counts (prompts sent and answered) remain."""
    config = settings()
    if not yes and not typer.confirm(prompts.render("cli/forget_confirm", email=email), default=False):
        raise fail(prompts.render("cli/forget_cancelled"))

    async def erase(session: Any, person: Any) -> dict[str, int]:
        return dict(await privacy.forget(session, person.id))

    erased = _on_person(config, email, erase)
    if erased is None:
        raise fail(prompts.render("cli/unknown_email", email=email))
    typer.echo(prompts.render("cli/forgotten", email=email, erased={k: v for k, v in erased.items() if v}))


def _on_person(config: Any, email: str, work: Callable[[Any, Any], Awaitable[T]]) -> T | None:
    """`work(session, person)` for the person with `email`, in one unit of work on
    the migrated database; None when nobody has that e-mail."""

    async def go() -> T | None:
        db = await ready_database(config)
        try:
            async with db.session() as session:
                person = await people.by_email(session, email)
                return None if person is None else await work(session, person)
        finally:
            await db.dispose()

    return asyncio.run(go())


def _set_active(email: str, active: bool) -> tuple[str, str] | None:
    """(what happened, the message saying so) after marking the person with `email`
    active or not: "done"; "already" when they already are as asked, and "last_admin"
    when they are the last active admin and would be marked as left (nothing changed
    in either). None when nobody has that e-mail. The message is rendered inside the
    unit of work, while the person is loaded."""

    async def mark(session: Any, person: Any) -> tuple[str, str]:
        name, email = person.name, person.email  # as stored, not as typed ("SAM.SELLER@…")
        if person.active == active:
            template = "cli/already_active" if active else "cli/already_left"
            return "already", prompts.render(template, email=email, name=name, since=leavers.left_since(person))
        if not active and await leavers.is_last_admin(session, person):
            return "last_admin", prompts.render("cli/last_admin", email=email, name=name)
        ended = await leavers.set_active(session, person, active)
        if active:
            return "done", prompts.render("cli/person_returned", email=email, name=name)
        return "done", prompts.render("cli/person_left", email=email, name=name, ended=ended)

    return _on_person(settings(), email, mark)


@person_app.command("leave")
def leave(email: Annotated[str, typer.Argument(help="E-mail of the person who left.")]) -> None:
    """Mark someone as having left, keeping their data: no more prompts, out of
    scorecards and /okr team, their one-on-one series end. `person return` undoes it.
    Someone already marked as left is left as they are (exit 0, saying since when)."""
    done = _set_active(email, False)
    if done is None:
        raise fail(prompts.render("cli/unknown_email", email=email))
    if done[0] == "last_admin":
        raise fail(done[1])
    typer.echo(done[1])


@person_app.command("return")
def come_back(email: Annotated[str, typer.Argument(help="E-mail of the person who is back.")]) -> None:
    """Make someone marked as left active again (a team file listing them does too).
    Someone already active is left as they are (exit 0)."""
    done = _set_active(email, True)
    if done is None:
        raise fail(prompts.render("cli/unknown_email", email=email))
    typer.echo(done[1])


@secrets_app.command("rotate")
def rotate() -> None:
    """Re-encrypt every stored Slack token with the first key of COACHBOT_SECRET_KEY
    (tokens stored before a key was set get encrypted)."""
    from storage.secrets import SecretBox, new_key  # cryptography: loaded by the secrets commands only

    config = settings()
    if not config.secret_key:
        raise fail(prompts.render("cli/secrets_no_key", example=new_key()), code=2)
    box = SecretBox(config.secret_key)

    async def go() -> int:
        db = await ready_database(config)
        try:
            async with db.session() as session:
                return await slack_store.reseal_installations(session, box.rotate)
        finally:
            await db.dispose()

    typer.echo(prompts.render("cli/secrets_rotated", count=asyncio.run(go())))


@secrets_app.command("new-key")
def make_key() -> None:
    """Print a new key to put in front of COACHBOT_SECRET_KEY."""
    from storage.secrets import new_key

    typer.echo(new_key())
