"""The replies `/okr wig`'s sub-commands share: the re-ask (`wig_help`), one value typed
alone (`whole`) and the person's decimal mark (`mark`). Apart from `bot.features.wig`
so the commands split over modules (`wig_targets`) share one wording."""

from __future__ import annotations

from typing import Any

import prompts
from bot.core.coach import Turn
from bot.core.messages import Message
from conversations.amounts import Amount, ambiguity, read_amount
from conversations.locales import decimal_mark


def mark(turn: Turn) -> str | None:
    """The person's decimal mark ("." or ","), or None where their zone and country
    leave it open (`conversations.locales.decimal_mark`)."""
    return decimal_mark(turn.person.timezone, turn.person.country)


def whole(text: str, decimal: str | None = None) -> tuple[float, str] | None:
    """One value typed alone ("1.35M", "38 deals", "$400k"), or None: "38-40", "38 or
    40" and "x38" are asked again, never read as their first number. Raises
    AmbiguousNumber for "1,5" where the person's `decimal` mark leaves it in doubt."""
    found = read_amount(text, words=True, decimal=decimal)
    if found == "ambiguous_number" and (doubt := ambiguity(text, decimal)) is not None:
        raise doubt
    return (found.value, found.unit) if isinstance(found, Amount) else None


def wig_help(problem: str, leader: bool, detail: str = "", example: str | None = None, **values: Any) -> Message:
    """The re-ask; `example` is a real lead measure's title to name in it (else a
    placeholder), so an example never names a measure the team does not have."""
    return Message(prompts.render("cadence/wig/help", problem=problem, leader=leader, detail=detail,
                                  example=example, **values), private=True)
