"""The /okr sub-commands: one table saying what exists, who may use it, and where its
handler lives.

Handlers are named as "module:function" and imported when first used, so this table
is the single list of commands (help is rendered from it) without importing every
feature at start-up. A command whose handler is None answers honestly that it is
coming, never silently.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import prompts
from bot.messages import Message

if TYPE_CHECKING:
    from bot.coach import Turn

Handler = Callable[["Turn", str], Awaitable[list[Message]]]

EVERYONE = ("rep", "manager", "admin")
LEADERS = ("manager", "admin")


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    handler: str | None
    roles: tuple[str, ...] = EVERYONE

    def resolve(self) -> Handler | None:
        if self.handler is None:
            return None
        module, _, function = self.handler.partition(":")
        return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


COMMANDS: tuple[Command, ...] = (
    Command("status", "/okr status [@rep | team]", "bot.status:status"),
    Command("team", "/okr team", "bot.status:team", LEADERS),
    Command("checkin", "/okr checkin", "bot.checkins:checkin_command"),
    Command("wig", "/okr wig [start | add … | measure … | close N]", "bot.checkins:wig_command"),
    Command("goals", "/okr goals", "bot.dialogs:start_goals"),
    Command("discover", "/okr discover ACCOUNT", "bot.dialogs:start_discovery"),
    Command("salary-prep", "/okr salary-prep @rep", "bot.dialogs:start_salary_prep", LEADERS),
    Command("event", "/okr event NAME FROM TO", None),
    Command("lead", "/okr lead NAME, COMPANY", None),
    Command("snooze", "/okr snooze 2h | tomorrow", "bot.checkins:snooze_command"),
    Command("out", "/okr out until DATE", "bot.checkins:out_command"),
    Command("help", "/okr help", "bot.commands:show_help"),
)
BY_NAME = {c.name: c for c in COMMANDS}

_PREFIX = re.compile(r"^\s*/?okr(?:\s+|$)", re.IGNORECASE)


def parse(text: str) -> tuple[str, str] | None:
    """"/okr status @ann" or "okr status @ann" -> ("status", "@ann"); None if not a command.

    A bare "/okr" means help. Anything else starting with "/" is an unknown command
    (answered with help), so a typo never falls into a running conversation.
    """
    match = _PREFIX.match(text)
    if match is None:
        if text.startswith("/"):
            return ("", text)
        return None
    rest = text[match.end() :].strip()
    name, _, args = rest.partition(" ")
    return (name.lower() or "help", args.strip())


async def dispatch(turn: Turn, name: str, args: str) -> list[Message]:
    command = BY_NAME.get(name)
    if command is None:
        return [Message(prompts.render("core/unknown_command", name=name or args), private=True)]
    if turn.person.role not in command.roles:
        return [Message(prompts.render("core/not_allowed", command=command), private=True)]
    handler = command.resolve()
    if handler is None:
        return [Message(prompts.render("core/coming_soon", command=command), private=True)]
    return await handler(turn, args)


async def show_help(turn: Turn, args: str) -> list[Message]:
    visible = [c for c in COMMANDS if turn.person.role in c.roles]
    return [Message(prompts.render("core/help", commands=visible), private=True)]
