"""Conversations in progress: every answer while a flow runs goes to it, a "continue"
button resumes a parked one, and people who stopped half-way are reminded once per
silence, in their own working hours.
"""

from __future__ import annotations

from datetime import timedelta

import prompts
from bot.cadence.planner import reachable_now
from bot.core import flows
from bot.core.channel import DeliveryError
from bot.core.clock import local_day, now
from bot.core.coach import Coach, Turn
from bot.core.feature import CONVERSATION, Feature
from bot.core.messages import Message
from conversations import engine
from conversations.loader import flows as loaded_flows
from storage import conversations, people
from storage.conversations import ConversationMoved

feature = Feature("conversations")

# How long a conversation may sit unanswered before its reminder.
IDLE = timedelta(hours=20)


class ConversationResponder:
    """Claims a turn when the person has a conversation in progress."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        return await flows.continue_flow(turn)


feature.responder(CONVERSATION, ConversationResponder())


@feature.job("remind abandoned conversations")
async def remind_abandoned(coach: Coach) -> int:
    """Nudge people who stopped in the middle of a conversation, once per silence.
    Returns how many were reminded. A person no channel can reach is skipped (and
    tried again next time)."""
    moment = now()
    reminded = 0
    async with coach.db.session() as session:
        quiet = await conversations.abandoned(session, moment - IDLE)
    awake = await reachable_now(coach.db, {c.person_id for c in quiet}, moment)
    for quiet_one in quiet:
        flow = loaded_flows().get(quiet_one.flow)
        if flow is None or quiet_one.person_id not in awake:
            continue
        # the person's turn lock: a reminder never crosses an answer being taken, and
        # one the person answered meanwhile (it moved on) is not reminded about
        async with coach.turns.hold(quiet_one.person_id):
            async with coach.db.session() as session:
                person = await people.get(session, quiet_one.person_id)
                conversation = await conversations.get(session, quiet_one.id)  # type: ignore[arg-type]
            if person is None or not person.active or conversation is None \
                    or (conversation.status, conversation.updated_at) != ("active", quiet_one.updated_at):
                continue
            try:  # brought up to date first (a WIG closed since it was asked is not asked about)
                conversation, notes = await flows.brought_up_to_date(coach, person, conversation, moment)
            except ConversationMoved:  # another process's turn answered it just now
                continue
            text = prompts.render("flows/common/reminder", current=flows.title(flow, conversation.state))
            question = notes + flows.render(flow, engine.repeat(flow, conversation.state,
                                                                local_day(moment, person.timezone)).say)
            try:
                await coach.deliver(conversation.person_id, [Message(text, private=flow.private), *question])
            except DeliveryError:
                continue
            async with coach.db.session() as session:
                await conversations.mark_reminded(session, conversation)
        reminded += 1
    return reminded
