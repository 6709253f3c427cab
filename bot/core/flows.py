"""Playing a flow: the bridge between the coach and the pure flow engine.

The engine decides what to ask and what to store; this module does everything that
touches the world: it loads and saves the person's conversation after every step,
renders the engine's template names into Messages, offers to park a conversation
when another one starts, and runs the end actions the features registered (a flow's
`end: save_goals` calls the feature's `@feature.action("save_goals")`).
`check_actions` refuses, at start-up, a flow whose end action nobody registered.

A turn moves the conversation it read: every save is a compare-and-set on it
(`storage.conversations`), and a step's end actions run in the same unit of work as
its save (`Database.together`), the save first. A turn that finds the conversation
moved on meanwhile (another process answered it) raises `ConversationMoved` with
nothing stored, not a check-in saved twice; the coach runs it again on the fresh
state. In one process, turns of one person already come one at a time
(`bot.core.turns`); background work here holds the same lock.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import prompts
from bot.core import cards
from bot.core.clock import local_day
from bot.core.messages import Choice, Message
from conversations import engine
from conversations.engine import Flow, Reply, Say
from conversations.loader import FlowError, flows
from conversations.validators import Env
from conversations.working_week import parse_working_days
from storage import conversations
from storage.conversations import ConversationMoved
from storage.models import Conversation

if TYPE_CHECKING:
    from bot.core.coach import Coach, Turn
    from storage.models import Person

log = logging.getLogger(__name__)


def check_actions(actions: Mapping[str, object], found: Mapping[str, Flow] | None = None) -> None:
    """Raise FlowError when a flow ends with an action no feature registered."""
    for flow in (found or flows()).values():
        for name, step_id in flow.actions().items():
            if name not in actions:
                raise FlowError(flow.source, step_id, f"unknown end action {name!r}; "
                                f"registered: {', '.join(sorted(actions))}")


# --- rendering -------------------------------------------------------------------------


def render(flow: Flow, says: Iterable[Say], conversation_id: int | None = None,
           state: Mapping[str, Any] | None = None) -> list[Message]:
    """The engine's template names and values, as neutral messages. A message with
    buttons gets a key of its own: the question the conversation waits at (see
    `bot.core.cards`), so one click per card counts, and only on the current question."""
    out: list[Message] = []
    for say in says:
        choices = [Choice(prompts.render(o.labels, value=o.value), o.value) for o in say.choices]
        key = None
        if choices:
            key = (cards.question_key(conversation_id, state) if conversation_id is not None and state
                   else f"{flow.name}:{uuid.uuid4().hex[:16]}")
        out.append(Message(prompts.render(say.template, **say.values), choices=choices,
                           private=flow.private, key=key))
    return out


def title(flow: Flow, state: Mapping[str, Any]) -> str:
    return prompts.render(flow.title, context=state.get("context") or {},
                          answers=state.get("answers") or {})


def open_question(conversation: Conversation, today: Any) -> tuple[str, list[Message]] | None:
    """The title of a person's open conversation and its current question, rendered as
    it was first asked (so a terminal numbers its choices again); None when its flow
    file is gone. `today` is the person's local date (a question may name a day)."""
    flow = flows().get(conversation.flow)
    if flow is None:
        return None
    again = engine.repeat(flow, conversation.state, today)
    return title(flow, conversation.state), render(flow, again.say, conversation.id, again.state)


async def brought_up_to_date(coach: Coach, person: Person, conversation: Conversation,
                             now: datetime) -> tuple[Conversation, list[Message]]:
    """The conversation after its flow's resume hook (`Feature.resumes`: what its
    context was built from may have changed while it waited), saved when the hook
    changed it, and the hook's notes for the person (none for a flow without a hook).
    `now` is aware UTC. Holds the person's turn lock (a reminder must not save over a
    turn); raises ConversationMoved when the conversation was saved since it was read."""
    resume = coach.features.resumes.get(conversation.flow)
    if resume is None or conversation.flow not in flows():
        return conversation, []
    async with coach.turns.hold(conversation.person_id):
        state, notes = await resume(coach, person, copy.deepcopy(dict(conversation.state)), now)
        if state == conversation.state:
            return conversation, notes
        async with coach.db.session() as session:
            return await conversations.save(session, conversation, state), notes


async def asked_again(coach: Coach, person: Person, conversation: Conversation, now: datetime,
                      first: Message | None = None) -> list[Message]:
    """A conversation's current question asked again when it is picked up (`first`,
    e.g. "welcome back", before it): brought up to date first, its notes next."""
    conversation, notes = await brought_up_to_date(coach, person, conversation, now)
    flow = flows()[conversation.flow]
    again = engine.repeat(flow, conversation.state, local_day(now, person.timezone))
    return ([first] if first is not None else []) + notes + render(flow, again.say, conversation.id, again.state)


def _shown(flow: Flow, state: Mapping[str, Any], today: Any) -> list[str]:
    """The current question as the person reads it (to tell whether it changed)."""
    return [m.plain() for m in render(flow, engine.repeat(flow, state, today).say)]


async def _env(turn: Turn, flow: Flow, state: Mapping[str, Any]) -> Env:
    step = flow.steps.get(state.get("step", ""))
    directory: list[dict[str, Any]] = []
    if step is not None and step.validate in ("person", "action_items"):
        async with turn.db.session() as session:
            directory = await conversations.directory(session, turn.person.org_id)
    return Env(local_day(turn.now, turn.person.timezone), turn.person.timezone, directory,
               country=turn.person.country, working_days=parse_working_days(turn.person.working_days))


# --- playing a flow --------------------------------------------------------------------


async def _apply(turn: Turn, flow: Flow, conversation: Conversation, reply: Reply) -> list[Message]:
    """Save the new state over the one the turn read (compare-and-set), then run the
    end actions, all in one unit of work: a failed action undoes the save too, so the
    person stays at their last question, and a conversation saved meanwhile by
    another process (ConversationMoved, raised) undoes the actions' writes, so a
    check-in is never stored twice. The save comes first: once it holds, the row is
    this turn's until it commits, and no other turn runs the actions."""
    extra: list[Message] = []
    waiting: list[Message] = []
    try:
        async with turn.db.together() as session:
            await conversations.save(session, conversation, reply.state, reply.status)
            for store in reply.store:
                extra.extend(await turn.coach.features.actions[store.action](turn, store.data))
            if reply.status == "cancelled":  # what the conversation held outside itself (its prompt) is put back
                # and the card that opened it takes a click again: "start again whenever you like"
                await cards.release_opened(session, turn.person.id, reply.state)  # type: ignore[arg-type]
                for cancelled in turn.coach.features.cancels:
                    extra.extend(await cancelled(turn, flow.name, reply.state))
            if reply.finished:
                waiting = _waiting(await conversations.parked_for(session, turn.person.id))  # type: ignore[arg-type]
    except ConversationMoved:
        raise
    except Exception:
        log.exception("end action of flow %s failed for person %s", flow.name, turn.person.id)
        return [Message(prompts.render("flows/common/action_failed"), private=flow.private)]
    return render(flow, reply.say, conversation.id, reply.state) + extra + waiting


def _waiting(parked: Iterable[Conversation]) -> list[Message]:
    """When a conversation ends, offer to pick up the ones parked for it."""
    known = [(c, flows()[c.flow]) for c in parked if c.flow in flows()]
    if not known:
        return []
    names = [title(flow, c.state) for c, flow in known]
    choices = [Choice(prompts.render(engine.LABEL, value="resume", name=name), f"resume:{c.id}")
               for (c, _), name in zip(known, names, strict=True)]
    return [Message(prompts.render("flows/common/waiting", names=names), choices=choices,
                    private=any(flow.private for _, flow in known))]


async def continue_flow(turn: Turn) -> list[Message] | None:
    """The turn as an answer in the person's conversation in progress (or a button
    that resumes a parked one); None when they have none."""
    async with turn.db.session() as session:
        conversation = await conversations.active(session, turn.person.id)  # type: ignore[arg-type]
    if conversation is None:
        return await _resume_parked(turn)
    flow = flows().get(conversation.flow)
    if flow is None:  # the flow file was removed: let the message go elsewhere
        async with turn.db.session() as session:
            await conversations.set_status(session, conversation, "cancelled")
        return None
    said = turn.event.action or turn.text
    if turn.event.action and turn.event.action.startswith("resume:"):
        # an old "continue …" button while another conversation runs: stay with it
        kept = Message(prompts.render("flows/common/kept", current=title(flow, conversation.state)),
                       private=flow.private)
        return await asked_again(turn.coach, turn.person, conversation, turn.now, kept)
    if conversation.state.get("pending"):
        answered = await _answer_pending(turn, conversation, flow, said)
        if answered is not None:
            return answered
        async with turn.db.session() as session:
            conversation = await conversations.get(session, conversation.id)  # type: ignore[arg-type,assignment]
        assert conversation is not None
    before = conversation.state
    conversation, notes = await brought_up_to_date(turn.coach, turn.person, conversation, turn.now)
    today = local_day(turn.now, turn.person.timezone)
    if conversation.state != before and _shown(flow, before, today) != _shown(flow, conversation.state, today):
        # what the answer was typed for changed meanwhile (a WIG closed): never taken for another question
        again = engine.repeat(flow, conversation.state, today)
        return notes + render(flow, again.say, conversation.id, again.state)
    reply = engine.advance(flow, conversation.state, said, await _env(turn, flow, conversation.state))
    return notes + await _apply(turn, flow, conversation, reply)


async def _resume_parked(turn: Turn) -> list[Message] | None:
    """A "resume:<id>" button from the end of another conversation: carry on with that
    parked one (only the person's own, and only while it is still parked)."""
    picked = turn.event.action or ""
    if not picked.startswith("resume:") or not picked[7:].isdigit():
        return None
    async with turn.db.session() as session:
        waiting = await conversations.get(session, int(picked[7:]))
        if waiting is None or waiting.person_id != turn.person.id or waiting.status != "parked" \
                or waiting.flow not in flows():
            return None
        await conversations.activate(session, waiting)
    flow = flows()[waiting.flow]
    resumed = Message(prompts.render("flows/common/resumed", current=title(flow, waiting.state)),
                      private=flow.private)
    return await asked_again(turn.coach, turn.person, waiting, turn.now, resumed)


async def _answer_pending(turn: Turn, conversation: Conversation, flow: Flow,
                          said: str) -> list[Message] | None:
    """The person was asked whether to park the current conversation for a new one."""
    state = dict(conversation.state)
    pending = state.pop("pending")
    word = said.strip().lower()
    async with turn.db.session() as session:
        if word in ("park", "1", "yes", "y"):
            current = await conversations.save(session, conversation, state, "parked")
        else:  # the one asked for is not opened: the card clicked for it takes a click again
            current = await conversations.save(session, conversation, state)
            await cards.release_opened(session, turn.person.id, pending)  # type: ignore[arg-type]
    name = title(flow, state)
    if word in ("park", "1", "yes", "y"):
        parked = Message(prompts.render("flows/common/parked", current=name), private=flow.private)
        return [parked] + await start_flow(turn, pending["flow"], pending.get("context") or {})
    if word in ("stay", "2", "no", "n"):
        kept = Message(prompts.render("flows/common/kept", current=name), private=flow.private)
        return await asked_again(turn.coach, turn.person, current, turn.now, kept)
    return None  # anything else is an answer to the current question


async def start_flow(turn: Turn, flow_name: str, context: dict[str, Any]) -> list[Message]:
    """Start (or resume) a flow for the person of `turn`.

    Same flow and subject already active: the current question is asked again. Another
    flow active: ask whether to park it. A parked one of this flow and subject: resume
    it where it stopped. Otherwise a fresh start. Other modules (the check-in prompt)
    call this too; `context["subject"]` tells conversations of one flow apart. The card
    clicked to start it, if any, is remembered in its context (`cards.opened_by`), to
    be released if the conversation is cancelled.
    """
    flow = flows()[flow_name]
    context = cards.opened_by(context, turn.event.card)
    subject = context.get("subject")
    today = local_day(turn.now, turn.person.timezone)
    person_id: int = turn.person.id  # type: ignore[assignment]
    picked_up: Conversation | None = None  # the same conversation, active or parked: asked again
    async with turn.db.session() as session:
        await conversations.hold_person(session, person_id)  # a second start at once finds this one
        current = await conversations.active(session, person_id)
        if current is not None:
            same = current.flow == flow_name and (current.state.get("context") or {}).get("subject") == subject
            current_flow = flows().get(current.flow)
            if same and current_flow is not None:
                picked_up = current
            elif current_flow is not None:
                state = dict(current.state)
                state["pending"] = {"flow": flow_name, "context": context}
                await conversations.save(session, current, state)
                question = prompts.render("flows/common/park_question", current=title(current_flow, state),
                                          wanted=title(flow, {"context": context}))
                choices = [Choice(prompts.render(engine.LABEL, value=v), v) for v in ("park", "stay")]
                return [Message(question, choices=choices, private=current_flow.private or flow.private)]
            else:
                await conversations.set_status(session, current, "cancelled")
        if picked_up is None and (waiting := await conversations.parked(session, person_id, flow_name,
                                                                         subject)) is not None:
            await conversations.activate(session, waiting)
            picked_up = waiting
        if picked_up is not None and cards.opening(turn.event.card):  # this card opened it too
            state = dict(picked_up.state)
            state["context"] = cards.opened_by(state.get("context") or {}, turn.event.card)
            if state != picked_up.state:
                picked_up = await conversations.save(session, picked_up, state)
        if picked_up is None:
            reply = engine.start(flow, context, today)
            conversation = await conversations.start(session, person_id, flow_name, reply.state, "active")
    if picked_up is not None:  # after the unit of work above: the resume hook reads and writes in its own
        resumed = Message(prompts.render("flows/common/resumed", current=title(flow, picked_up.state)),
                          private=flow.private)
        return await asked_again(turn.coach, turn.person, picked_up, turn.now, resumed)
    return await _apply(turn, flow, conversation, reply)


