"""The `/okr` command line: how a typed line becomes a sub-command, who may run it,
and the help text, all read from the commands the features registered.

The table is the single list of commands (help is rendered from it), so a feature
adds a sub-command by registering it, and help, Teams' command list and the
permission check follow.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

import prompts
from bot.core.feature import Command, Feature
from bot.core.messages import Message
from conversations.locales import without_format_marks

if TYPE_CHECKING:
    from bot.core.coach import Turn


def parse(text: str, known: Callable[[str], bool] | None = None) -> tuple[str, str] | None:
    """"/okr status @ann" or "okr status @ann" -> ("status", "@ann"); None if not a command.

    A bare "/okr" means help. Anything else starting with "/" is an unknown command
    (answered with help), so a typo never falls into a running conversation. Without
    the slash, "okr" starts a command only when `known(name)` says the next word is
    one: "OKR reviews eat my Fridays" is an answer to a question, not the unknown
    command "reviews". "/okr" and the command's name are read as `command_word` reads
    them (direction marks dropped, full-width forms folded: "／ｏｋｒ　ｓｔａｔｕｓ"
    is "/okr status"); the arguments keep their direction marks and their other
    characters, with an input method's full-width letters, digits and signs read as
    ASCII (`fold_width`: "２ｈ" is "2h", "＠ｒａｖｉ" is "@ravi").
    """
    words = text.split(maxsplit=2)  # str.split splits at the ideographic space U+3000 too
    first = command_word(words[0]) if words else ""
    if first not in ("/okr", "okr"):
        return ("", text) if first.startswith("/") else None
    name = command_word(words[1]) if len(words) > 1 else ""
    if first == "okr" and name and known is not None and not known(name):
        return None
    return (name or "help", fold_width(words[2].strip()) if len(words) > 2 else "")


# An input method's full-width forms of ASCII (U+FF01-U+FF5E) and its ideographic space
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """`text` with the full-width forms of ASCII letters, digits and signs (what an
    input method types in Japanese, Chinese or Korean full-width mode) as ASCII and
    the ideographic space as a space; everything else as typed (no NFKC: a ligature,
    a circled digit or a superscript in a title stays)."""
    return text.translate(_WIDTH)


def command_word(word: str) -> str:
    """A typed command word as the command table spells it: without the invisible
    direction marks a right-to-left chat client puts in (U+200E, U+200F,
    `conversations.locales.without_format_marks`), NFKC-folded (the full-width slash
    U+FF0F and letters an IME types in Japanese or Chinese input become ASCII), lower
    case. "／ＯＫＲ" -> "/okr"."""
    return unicodedata.normalize("NFKC", without_format_marks(word)).lower()


def typed_name(text: str, name: str) -> str:
    """The command word of the line `text` as the person typed it ("㏒", "ＬＯＧ",
    "Log"; direction marks dropped), when it is the one `parse` read as `name`
    ("log"); else `name`. For replies that quote the word back, which should show
    what was typed rather than its NFKC folding."""
    words = text.split(maxsplit=2)
    if len(words) > 1 and name and command_word(words[1]) == name:
        return without_format_marks(words[1])
    return name


async def dispatch(turn: Turn, name: str, args: str) -> list[Message]:
    """Run the sub-command `name` for the person of `turn`, or say why not."""
    command = turn.coach.features.command(name)
    if command is None:  # named as typed: "/okr ㏒" is not the command `log` to the person
        return [Message(prompts.render("core/unknown_command", name=typed_name(turn.text, name) or args),
                        private=True, unheard=True)]
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


__all__ = ["Command", "command_word", "dispatch", "fold_width", "help_feature", "parse", "show_help"]
