"""Answers to a scheduled prompt, whatever its kind: its card's buttons (start, later,
tomorrow, skip), the same words typed (`later`, `snooze 2h`, `tomorrow`, `skip`), and
`/okr snooze`. The card itself is drawn here too, so every kind of prompt offers the
same four answers; the feature that owns a kind says what its card says and how its
conversation starts (`bot.core.feature.PromptKind`).

The scheduler decides *when*; the features decide *what is said*. Every sentence is
a template under `prompts/cadence/`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import prompts
from bot import cadence
from bot.cadence.population import load_population
from bot.core import cards
from bot.core.clock import local_day, zone
from bot.core.coach import Turn
from bot.core.feature import AFTER_CONVERSATION, BEFORE_CONVERSATION, Drawn, Feature, Nudgeable
from bot.core.markup import Marked
from bot.core.messages import Choice, Message
from bot.core.people import first_name
from conversations.locales import ascii_digits, typed_number
from conversations.validators import row_number
from storage import occurrences as store
from storage.models import Occurrence

feature = Feature("prompt answers")

LATER = timedelta(hours=2)
ACTION_PREFIX = "cadence:"
# How long an answer waits for a prompt whose send is being recorded (seconds, wall
# clock): a group commit takes milliseconds, a loaded one a few hundred; Slack's
# answers go to the response_url after the ack, and Teams waits 15 s for an invoke.
# The waits grow from SETTLE_STEP, doubling up to half a second; the connection is given
# back to the pool meanwhile, so clicks that wait never hold up the record they wait for.
SETTLE_SECONDS, SETTLE_STEP = 3.0, 0.05


# --- the card ----------------------------------------------------------------------------


@cache
def _label(value: str) -> Marked:
    return prompts.render("cadence/label", value=value).markup


@cache
def _title(kind: str) -> str:
    return prompts.render("cadence/prompt_title", kind=kind)


_VALUES = (("start", "primary"), ("later", "default"), ("tomorrow", "default"), ("skip", "danger"))


def _choices(occurrence_id: int, card_key: str) -> list[Choice]:
    """The four answers, already sealed with the card's key (`bot.core.cards.seal`
    would copy each button to add it: a dispatch draws thousands of cards)."""
    return [Choice.marked(_label(value), f"{ACTION_PREFIX}{value}:{occurrence_id}{cards.MARK}{card_key}", style,  # type: ignore[arg-type]
                          means="yes" if value == "start" else None)  # a typed "yes" starts it; a "no" is no pick
            for value, style in _VALUES]


def _card_key(occurrence: Drawn, suffix: str = "") -> str:
    """The card's key: one per delivery, so the card a snoozed prompt comes back with
    takes a click again while the first one stays answered (`bot.core.cards`)."""
    snoozes = int((occurrence.payload or {}).get("snoozes", 0))
    return f"{occurrence.key}{suffix}#{snoozes}" if snoozes else f"{occurrence.key}{suffix}"


def card(template: str) -> Callable[[Drawn, str, int], list[Message]]:
    """A `PromptKind.draw` for a kind whose card text is `template`: why now, what it
    takes, and the four ways to answer it."""

    def draw(occurrence: Drawn, name: str, repeat: int = 0) -> list[Message]:
        # a dispatch draws thousands: the card is rendered once, names put in (markup_for)
        key = _card_key(occurrence)
        return [Message(
            prompts.markup_for(template, name=first_name(name), repeat=repeat,
                               every=(occurrence.payload or {}).get("every") or "biweekly"),
            title=_title(occurrence.kind),
            choices=_choices(occurrence.id, key),  # type: ignore[arg-type]
            key=key,
        )]

    return draw


def nudge_card(occurrence: Nudgeable, name: str, timezone: str | None = None) -> list[Message]:
    """The one reminder of an unanswered prompt; its day is the person's own, not UTC's."""
    when = (occurrence.delivered_at or occurrence.due_at).astimezone(zone(timezone))
    return [Message(
        prompts.render("cadence/nudge", name=first_name(name), kind=occurrence.kind,
                       when=when.strftime("%a %d %b")),
        choices=_choices(occurrence.id, _card_key(occurrence, ":nudge")),  # type: ignore[arg-type]
        key=_card_key(occurrence, ":nudge"),
    )]


def local_label(moment: datetime, tz: str, today: date | None = None) -> str:
    """"today 14:30", "tomorrow 09:30" or "Wed 25 Nov 09:30" in the person's zone."""
    local = moment.astimezone(zone(tz))
    if today is not None and local.date() == today:
        return prompts.render("cadence/when", day="today", at=local.strftime("%H:%M"))
    if today is not None and local.date() == today + timedelta(days=1):
        return prompts.render("cadence/when", day="tomorrow", at=local.strftime("%H:%M"))
    return prompts.render("cadence/when", day=local.strftime("%a %d %b"), at=local.strftime("%H:%M"))


async def finish_prompt(turn: Turn, context: dict[str, Any]) -> None:
    """Mark the prompt a finished conversation answered (its id is in the flow's context)."""
    occurrence_id = context.get("occurrence_id")
    if occurrence_id:
        async with turn.db.session() as session:
            await store.mark_answered(session, int(occurrence_id), turn.now)


@feature.on_cancel
async def reopen_prompt(turn: Turn, flow: str, state: dict[str, Any]) -> list[Message]:
    """A conversation a prompt opened (its id in the flow's context), cancelled with
    nothing saved: the prompt was marked answered when it began, so it is put back
    open (`storage.occurrences.reopen`) and does not count as answered in a brief; the
    person is told it still counts as not done. Any flow, any prompt kind; nothing for
    a conversation no prompt opened."""
    occurrence_id = (state.get("context") or {}).get("occurrence_id")
    if not occurrence_id:
        return []
    async with turn.db.session() as session:
        reopened = await store.reopen(session, int(occurrence_id), turn.person.id)  # type: ignore[arg-type]
    if reopened is None:
        return []
    snoozed = reopened.status == store.PENDING
    today = local_day(turn.now, turn.person.timezone)
    return [Message(prompts.render("cadence/reopened", kind=reopened.kind, snoozed=snoozed,
                                   nudged=reopened.nudged_at is not None,
                                   event=(reopened.payload or {}).get("event"),
                                   when=local_label(reopened.due_at, turn.person.timezone or "UTC", today)))]


async def open_prompt(turn: Turn, occurrence_id: int | None = None, kind: str | None = None,
                      snoozed: bool = False) -> tuple[Occurrence | None, bool]:
    """(the prompt an answer is for, whether one is still being sent). As
    `storage.occurrences.open_prompt`, but a prompt whose card is out and whose
    delivery is not recorded yet (a button pressed within the dispatcher's group
    commit, `bot.cadence.bookkeeping`) is waited for, up to SETTLE_SECONDS, instead of
    answering "nothing to start". Without `occurrence_id` (a typed "skip") it is waited
    for even when an older prompt is open: the newest card is the one meant. The
    second item is True when one was still being sent after that (a sender that died
    mid-send: its takeover records it); the first is then None, never an older prompt
    the person did not mean."""
    person_id: int = turn.person.id  # type: ignore[assignment]
    waited, step = 0.0, SETTLE_STEP
    while True:
        # two reads, each its own snapshot: ordered so that a record landing between
        # them is never taken for "nothing open" (in flight, then open, is safe)
        async with turn.db.session() as session:
            if occurrence_id is None:  # a typed answer: the newest card, even if arriving
                sending = await store.in_flight(session, person_id, None, kind)
                found = None if sending else await store.open_prompt(session, person_id, kind=kind,
                                                                      snoozed=snoozed)
            else:  # a click: its own prompt, open (the usual case, one read) or arriving
                found = await store.open_prompt(session, person_id, occurrence_id, kind=kind, snoozed=snoozed)
                sending = found is None and await store.in_flight(session, person_id, occurrence_id, kind)
                if found is None and not sending:
                    found = await store.open_prompt(session, person_id, occurrence_id, kind=kind,
                                                    snoozed=snoozed)
        if not sending or waited >= SETTLE_SECONDS:
            return found, sending
        await turn.db.let_go()  # the turn's pooled connection is not held while it waits
        await asyncio.sleep(step)
        waited, step = waited + step, min(step * 2, 0.5)


# --- answers to a prompt ---------------------------------------------------------------

_DURATION = re.compile(
    r"^(?:for\s+|in\s+)?([0-9]+(?:[.,][0-9]+)?)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$", re.IGNORECASE
)
_COUNTED = re.compile(r"^(?:for\s+|in\s+)?(?P<minus>[-\u2212]\s*)?(?P<n>[0-9]+(?:[.,][0-9]+)?)\s*(?P<unit>[^\s0-9]*)$")
MAX_SNOOZE_DAYS = 14


def parse_snooze(text: str) -> timedelta | str | None:
    """"2h" -> 2 hours, "30 min" -> 30 minutes, "" / "later" -> 2 hours,
    "tomorrow" -> "tomorrow"; anything else None (then `snooze_problem` names why in
    the re-ask). Digits of other scripts count as digits ("٢h" is 2 hours); a decimal
    comma is a decimal ("1,5h" is 90 minutes: no thousands fit in a snooze)."""
    words = ascii_digits(text).strip().lower()
    if words in {"", "later", "snooze"}:
        return LATER
    if words in {"tomorrow", "tmrw", "tomorrow morning"}:
        return "tomorrow"
    match = _DURATION.match(words)
    if match is None:
        return None
    minutes = float(match.group(1).replace(",", ".")) * {"m": 1, "h": 60, "d": 1440}[match.group(2)[0]]
    if not 0 < minutes <= MAX_SNOOZE_DAYS * 1440:  # checked before timedelta, which overflows on "99999999999h"
        return None
    return timedelta(minutes=minutes)


def snooze_problem(text: str) -> str:
    """Why `parse_snooze` refused `text`, for the re-ask: "negative" ("-2h"), "zero"
    ("0h"), "too_long" (over 14 days), "unit" (a number without minutes, hours or
    days: "2", "2 weeks") or "unreadable"."""
    found = _COUNTED.match(ascii_digits(text).strip().lower())
    if found is None:
        return "unreadable"
    if found.group("minus"):
        return "negative"
    if float(found.group("n").replace(",", ".")) == 0:
        return "zero"
    if _DURATION.match(f"{found.group('n')}{found.group('unit')}") is None:
        return "unit"
    return "too_long"


def _snooze_help(text: str) -> list[Message]:
    return [Message(prompts.render("cadence/snooze_help", problem=snooze_problem(text), given=text.strip()[:40],
                                   days=MAX_SNOOZE_DAYS), private=True)]


async def _calendar(turn: Turn) -> cadence.Calendar:
    population = await load_population(turn.db, turn.now, [turn.person.id], days=60)
    found = population.calendars.get(turn.person.id)  # type: ignore[arg-type]
    return found or cadence.Calendar(turn.person.id, turn.person.timezone)  # type: ignore[arg-type]


async def snooze_prompt(turn: Turn, occurrence: Occurrence, span: timedelta | str) -> list[Message]:
    """Put the prompt back for later: after `span`, or "tomorrow" at the prompt's own
    local time; never into a day off or quiet hours."""
    calendar = await _calendar(turn)
    payload = dict(occurrence.payload or {})
    payload.setdefault("first_due", occurrence.due_at.isoformat())
    payload["snoozes"] = int(payload.get("snoozes", 0)) + 1  # the next delivery says "again"
    if span == "tomorrow":
        first_due = datetime.fromisoformat(payload["first_due"])
        original = first_due.astimezone(calendar.zone).time().replace(tzinfo=None)
        until = cadence.next_working_morning(calendar, turn.now, original)
    else:
        assert isinstance(span, timedelta)
        until = cadence.available_at(calendar, turn.now + span)
    async with turn.db.session() as session:
        done = await store.snooze(session, occurrence.id, until, payload)  # type: ignore[arg-type]
    if not done:
        return [Message(prompts.render("cadence/nothing_open", what="snooze"), private=True)]
    today = turn.now.astimezone(calendar.zone).date()
    return [Message(prompts.render("cadence/snoozed", kind=occurrence.kind,
                                   when=local_label(until, calendar.timezone, today)))]


async def skip_prompt(turn: Turn, occurrence: Occurrence) -> list[Message]:
    async with turn.db.session() as session:
        done = await store.skip(session, occurrence.id, "skipped by the person")  # type: ignore[arg-type]
    if not done:
        return [Message(prompts.render("cadence/nothing_open", what="skip"), private=True)]
    return [Message(prompts.render("cadence/skipped", kind=occurrence.kind, next_when=""))]


async def start_prompt(turn: Turn, occurrence: Occurrence | None, kind: str) -> list[Message]:
    """Open the conversation of a prompt (or of `kind` when asked for directly), as
    the feature that registered the kind starts it."""
    if occurrence is not None:
        async with turn.db.session() as session:
            await store.mark_answered(session, occurrence.id, turn.now)  # type: ignore[arg-type]
    return await turn.coach.features.prompt_kinds[kind].start(turn, occurrence)


def typed_choice(text: str) -> str | None:
    """The answer a typed line picks on a prompt card, as a number picks a terminal
    card's choice: a button's label ("Start now", "in 2 hours", "Skip this one") or
    its place on the card ("1", "1.", "(2)", "#4", `typed_number`); else None. Every
    channel reads it the same way: the terminal numbers the buttons, Slack and Teams
    show them, and a person may type what they see."""
    if (number := typed_number(text)) is not None:
        return _VALUES[number - 1][0] if 1 <= number <= len(_VALUES) else None
    typed = " ".join(text.split()).casefold().rstrip(".!")
    return next((value for value, _ in _VALUES if str(_label(value)).casefold() == typed), None)


class PromptButtons:
    """A click on a prompt's button, claimed before any conversation in progress can
    take "cadence:later:42" for an answer to its own question."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        if (turn.event.action or "").startswith(ACTION_PREFIX):
            return await PromptResponder().respond(turn)
        return None


class PromptResponder:
    """Answers to a delivered prompt: its buttons anywhere, and the typed words
    `start`, `later`, `snooze 2h`, `tomorrow`, `skip` while a prompt is open. It runs
    after the conversation responder, so `skip` inside a conversation skips a question,
    not a prompt."""

    WORDS = {"start", "go", "later", "tomorrow", "skip", "not now"}

    async def respond(self, turn: Turn) -> list[Message] | None:
        action = turn.event.action or ""
        if action.startswith(ACTION_PREFIX):
            verb, _, rest = action[len(ACTION_PREFIX):].partition(":")
            occurrence_id = row_number(rest)
            return await self._answer(turn, verb, "", occurrence_id, clicked=True)
        words = turn.text.lower().strip(" .!")
        verb, _, rest = words.partition(" ")
        if words == "not now":  # a plain "later", not a snooze of "now"
            verb, rest = "later", ""
        if (picked := typed_choice(turn.text)) is not None:  # "Start now", "1.", "#4": the card's own words
            verb, rest = picked, ""
        elif not (words in self.WORDS or verb == "snooze"):
            return None
        return await self._answer(turn, verb, rest, None, clicked=False)

    async def _answer(self, turn: Turn, verb: str, rest: str, occurrence_id: int | None,
                      clicked: bool) -> list[Message] | None:
        # a snoozed prompt is still open: put off again, started or skipped (README)
        occurrence, sending = await open_prompt(turn, occurrence_id, snoozed=True)
        if occurrence is None:
            if not clicked and not sending:
                return None  # a typed "skip" with nothing open is not ours to answer
            return [Message(prompts.render("cadence/nothing_open", what=verb, sending=sending), private=True)]
        if verb in {"start", "go"}:  # only while still open: Start and Skip pressed at once both took effect
            async with turn.db.session() as session:
                opened = await store.mark_answered(session, occurrence.id, turn.now)  # type: ignore[arg-type]
            if not opened:
                return [Message(prompts.render("cadence/nothing_open", what=verb), private=True)]
            return await turn.coach.features.prompt_kinds[occurrence.kind].start(turn, occurrence)
        if verb == "skip":
            return await skip_prompt(turn, occurrence)
        span = parse_snooze("tomorrow" if verb == "tomorrow" else rest)
        if span is None:
            return _snooze_help(rest)
        return await snooze_prompt(turn, occurrence, span)


feature.responder(BEFORE_CONVERSATION, PromptButtons())
feature.responder(AFTER_CONVERSATION, PromptResponder())


@feature.command("snooze", "/okr snooze 2h | tomorrow")
async def snooze_command(turn: Turn, args: str) -> list[Message]:
    """/okr snooze [2h | 30m | tomorrow]: push back the open prompt."""
    span = parse_snooze(args)
    if span is None:
        return _snooze_help(args)
    # a prompt already snoozed may be snoozed again
    occurrence, sending = await open_prompt(turn, snoozed=True)
    if occurrence is None:
        return [Message(prompts.render("cadence/nothing_open", what="snooze", sending=sending), private=True)]
    return await snooze_prompt(turn, occurrence, span)
