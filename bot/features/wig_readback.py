"""A WIG value read back ("is that right?") and kept by a plain `yes`.

`/okr wig update 1 4000` on a WIG of 40 deals, or `/okr wig add` of money going
below zero, reads the value back and keeps it when the command is typed again with
`confirm`. A person's natural answer is `yes` on the next line, so the read-back is
held (`storage.readbacks`) and the very next typed message answers it:

* `yes` (or `y`, `ok`, `1`: `conversations.word_answers.yesno`) keeps the value,
  within `WINDOW` of the read-back; later it is told it came too late and how to
  keep the value with `confirm`, never kept;
* `no` (`n`, `nope` …) keeps nothing and says so;
* any other message (a command, a conversation's answer, a click is no message)
  forgets the read-back first (`Feature.holds`: taken before every other typed turn), so
  a `yes` meant for something else later is never taken for it.

What is kept is re-checked when the yes comes (the WIG still open, the line read
again), so a yes never stores what the command would now refuse. This module holds
the hold and the answer; `bot.features.wig` registers them and does the keeping.

A value stored (typed, confirmed, or kept by that `yes`) leaves a note held the same
way (`hold_kept`): a `yes` or `no` typed next that nothing else takes (no
conversation asked it: `Stray`, after every other responder) is told the value is
already kept and how to change it, not "didn't catch that".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

import prompts
from bot.core.coach import Turn
from bot.core.feature import AFTER_CONVERSATION
from bot.core.messages import Message
from conversations.answers import Env, Valid
from conversations.word_answers import yesno
from storage import readbacks
from storage.db import AsyncSession

# How long after the read-back a `yes` still keeps the value: the person answering
# what they just typed, not a `yes` typed the next morning into an old thread.
WINDOW = timedelta(minutes=15)
KIND = readbacks.KIND  # the rows `Feature.holds` takes for this feature
UPDATE, ADD = "wig-update:", "wig-add:"
KEPT = "wig-kept:"  # a value already stored: "wig-kept:<WIG number>:<value>:<unit>"
STRAY = AFTER_CONVERSATION + 5  # a yes nobody took: after every feature's own words, before the fallback

Keep = Callable[[Turn, str], Awaitable[list[Message]]]


def said(text: str) -> str | None:
    """"yes" or "no" when `text` is a plain answer to a read-back (the typed "1" of
    the first choice included), else None."""
    if text.strip().rstrip(".!") == "1":
        return "yes"
    found = yesno(text, Env(today=date.min))  # yes or no reads no day
    return str(found.value) if isinstance(found, Valid) else None


async def hold_update(session: AsyncSession, person_id: int, wig_id: int, value: float) -> bool:
    """Hold `/okr wig update`'s value of the WIG `wig_id` for a `yes`."""
    return await readbacks.hold(session, person_id, f"{UPDATE}{wig_id}:{value!r}")


async def hold_add(session: AsyncSession, person_id: int, line: str) -> bool:
    """Hold `/okr wig add`'s line (verb and text as typed) for a `yes`; False when it
    is too long to hold (a 500-character title): then only `confirm` keeps it."""
    return await readbacks.hold(session, person_id, f"{ADD}{line}")


async def hold_kept(session: AsyncSession, person_id: int, number: int, value: float, unit: str) -> None:
    """Note that WIG `number`'s value was just stored, for a `yes` typed after it."""
    await readbacks.hold(session, person_id, f"{KEPT}{number}:{value!r}:{unit}")


def answers(turn: Turn) -> bool:
    """Whether this typed message answers a read-back (`Feature.holds`: then it is
    left for `Answer`; any other message lets it go, see the module docstring)."""
    return said(turn.text) is not None


def forgotten(turn: Turn, held: list[tuple[str, datetime]]) -> list[Message]:
    """A read-back the message did not answer is dropped without a word."""
    return []


class Answer:
    """A `yes` or `no` typed right after a WIG read-back, claimed before a
    conversation in progress could take it for an answer to its own question (the
    read-back is the last thing the bot asked)."""

    def __init__(self, keep: Keep) -> None:
        self.keep = keep  # (turn, what held) -> the reply of the kept value

    async def respond(self, turn: Turn) -> list[Message] | None:
        answer = said(turn.text) if turn.event.action is None else None
        if answer is None:
            return None
        async with turn.db.session() as session:
            held = await readbacks.take(session, turn.person.id)  # type: ignore[arg-type]
        if not held:
            return None  # nothing read back: the yes is someone else's
        what, at = held[-1]
        if what.startswith(KEPT):  # nothing waits for it: a conversation may take it, else `Stray`
            async with turn.db.session() as session:
                await readbacks.hold(session, turn.person.id, what)  # type: ignore[arg-type]
            return None
        if answer == "no":
            return [Message(prompts.render("cadence/wig/readback", outcome="dropped"), private=True)]
        if turn.now - at > WINDOW:
            return [Message(prompts.render("cadence/wig/readback", outcome="late",
                                           minutes=int(WINDOW.total_seconds() // 60)), private=True)]
        return await self.keep(turn, what)


class Stray:
    """A `yes` or `no` typed right after a WIG value was stored that nothing else took
    (no read-back waits for it, no conversation asked): told the value is kept and how
    to change it. The note stays for a second stray `yes`, until another message."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        if turn.event.action is not None or said(turn.text) is None:
            return None
        async with turn.db.session() as session:
            held = await readbacks.take(session, turn.person.id)  # type: ignore[arg-type]
            if not held or not held[-1][0].startswith(KEPT):
                return None
            await readbacks.hold(session, turn.person.id, held[-1][0])  # type: ignore[arg-type]
        number, value, unit = held[-1][0].removeprefix(KEPT).split(":", 2)
        return [Message(prompts.render("cadence/wig/readback", outcome="kept", number=int(number),
                                       value=float(value), unit=unit), private=True)]
