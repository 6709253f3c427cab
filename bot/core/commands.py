"""The `/okr` command line: how a typed line becomes a sub-command, who may run it,
and the help text, all read from the commands the features registered.

The table is the single list of commands (help is rendered from it), so a feature
adds a sub-command by registering it, and help, Teams' command list and the
permission check follow.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

import prompts
from bot.core.feature import Command, Feature
from bot.core.messages import Message
from conversations.locales import without_format_marks

if TYPE_CHECKING:
    from bot.core.coach import Turn


def parse(text: str) -> tuple[str, str] | None:
    """"/okr status @ann" or "okr status @ann" -> ("status", "@ann"); None if not a command.

    A bare "/okr" means help. Anything else starting with "/" is an unknown command
    (answered with help), so a typo never falls into a running conversation. "/okr"
    and the command's name are read as `command_word` reads them (direction marks
    dropped, full-width forms folded: "／ｏｋｒ　ｓｔａｔｕｓ" is "/okr status"); the
    arguments are returned as typed, marks and full-width forms kept for their readers.
    """
    words = text.split(maxsplit=2)  # str.split splits at the ideographic space U+3000 too
    if not words or command_word(words[0]) not in ("/okr", "okr"):
        return ("", text) if words and command_word(words[0]).startswith("/") else None
    name = command_word(words[1]) if len(words) > 1 else ""
    return (name or "help", words[2].strip() if len(words) > 2 else "")


def command_word(word: str) -> str:
    """A typed command word as the command table spells it: without the invisible
    direction marks a right-to-left chat client puts in (U+200E, U+200F,
    `conversations.locales.without_format_marks`), NFKC-folded (the full-width slash
    U+FF0F and letters an IME types in Japanese or Chinese input become ASCII), lower
    case. "／ＯＫＲ" -> "/okr"."""
    return unicodedata.normalize("NFKC", without_format_marks(word)).lower()


async def dispatch(turn: Turn, name: str, args: str) -> list[Message]:
    """Run the sub-command `name` for the person of `turn`, or say why not."""
    command = turn.coach.features.command(name)
    if command is None:
        return [Message(prompts.render("core/unknown_command", name=name or args), private=True)]
    if turn.person.role not in command.roles:
        return [Message(prompts.render("core/not_allowed", command=command), private=True)]
    if command.handler is None:
        return [Message(prompts.render("core/coming_soon", command=command), private=True)]
    return await command.handler(turn, args)


help_feature = Feature("help")


@help_feature.command("help", "/okr help")
async def show_help(turn: Turn, args: str) -> list[Message]:
    """Every command the asker may run, with its usage."""
    visible = [c for c in turn.coach.features.commands if turn.person.role in c.roles]
    return [Message(prompts.render("core/help", commands=visible), private=True)]


__all__ = ["Command", "command_word", "dispatch", "help_feature", "parse", "show_help"]
