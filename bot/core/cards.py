"""One click per card, for every channel (issue #11): a second click on the same
button, or a click on an older card whose question was already answered, is answered
"already answered" and changes nothing.

How: every outgoing message with buttons and a `key` gets the key sealed into each
button's value ("at_risk|card=q:12:kr_confidence:7:ab12…"), so whichever channel
draws it, the click comes back carrying the card it was drawn from; no channel needs
code for it. The coach unseals a click, claims the card once in the database
(`storage.events`, kept for good, so it holds across instances and restarts) and, for
a conversation's question ("q:<conversation>:<step>:<position>:<nonce>"), checks that
the conversation still waits at that very question. A channel that echoes the key
itself (Teams' card data) may hand it over as `Inbound.card` instead.

A card whose click opened a conversation is written in that conversation's context
(`OPENED`); when the conversation is cancelled with nothing saved ("you can start
again whenever you like"), its claim is released (`release_opened`), so the same card
opens it afresh. A card whose conversation finished keeps its claim for good: "already
answered". Two clicks racing on a released card still count once (the claim is one
INSERT … ON CONFLICT).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from bot.core.messages import Message
from storage import conversations, events
from storage.db import Database

MARK = "|card="
PLATFORM = "card"  # storage.events platform for "this card was answered"; never pruned
OPENED = "cards"  # a conversation's context key: the cards whose clicks opened or picked it up


def question_key(conversation_id: int, state: Mapping[str, Any]) -> str:
    """The key of a card drawn for the question a conversation waits at now: its step
    and position (how many answers were given before it), so the same step asked
    again later in a loop (each key result's confidence) is another card."""
    position = len(state.get("history") or [])
    return f"q:{conversation_id}:{state.get('step', '')}:{position}:{uuid.uuid4().hex[:8]}"


def seal(messages: Iterable[Message]) -> list[Message]:
    """Carry each card's key in its buttons' values (idempotent)."""
    out: list[Message] = []
    for message in messages:
        if message.key and message.choices:
            message.choices = [
                c if MARK in c.value else replace(c, value=f"{c.value}{MARK}{message.key}")
                for c in message.choices
            ]
        out.append(message)
    return out


def unseal(action: str) -> tuple[str, str | None]:
    """A clicked value -> (the value the features expect, the card key or None)."""
    value, found, key = action.partition(MARK)
    return (value, key or None) if found else (action, None)


async def first_click(db: Database, person_id: int, card: str) -> bool:
    """True when this click may count: the card was never answered and, for a
    conversation's question, the conversation still waits at it."""
    if card.startswith("q:"):
        parts = card.split(":")
        if len(parts) != 5 or not parts[1].isdigit():
            return False
        _, conversation_id, step, position, _ = parts
        async with db.session() as session:
            conversation = await conversations.get(session, int(conversation_id))
        if conversation is None or conversation.person_id != person_id or conversation.status != "active":
            return False
        state = conversation.state or {}
        if state.get("step") != step or str(len(state.get("history") or [])) != position:
            return False
    async with db.session() as session:
        return await events.claim_event(session, PLATFORM, f"{person_id}:{card}")


def opening(card: str | None) -> bool:
    """Whether a click on `card` may open a conversation that remembers it: any keyed
    card but a conversation's own question (those answer, never open)."""
    return card is not None and not card.startswith("q:")


def opened_by(context: Mapping[str, Any], card: str | None) -> dict[str, Any]:
    """`context` with `card` added to the cards that opened the conversation (a copy;
    the same context when the click carried no card or it is there already)."""
    known = list(context.get(OPENED) or [])
    if not opening(card) or card in known:
        return dict(context)
    return {**context, OPENED: [*known, card]}


async def release_opened(session: Any, person_id: int, state: Mapping[str, Any]) -> int:
    """Forget the claims of the cards that opened a conversation now cancelled with
    nothing saved (`state` as it was before it was emptied), so each may be clicked
    again. `session`: the caller's unit of work (an AsyncSession), so a cancel rolled
    back keeps the claims.
    Returns how many cards were released."""
    opened = ((state.get("context") or {}).get(OPENED)) or []
    for card in opened:
        await events.release_event(session, PLATFORM, f"{person_id}:{card}")
    return len(opened)
