"""Leads: captured in one line during an event (`/okr lead Jane Roe, Acme, hot, wants
a demo`, or a plain DM "lead: …"), merged with their duplicate, reassigned by the
manager (`/okr lead 12 owner @sam`), and settled with one tap per lead (followed up,
meeting booked, opportunity, not a fit, snooze a day). A rep sees their own leads; a
manager theirs and their direct reports' (`access.may_see`, checked at every read and
action, not only when the event was registered); an admin anyone's.

A line goes to the event named (`in NAME: …`) if the person may log leads there
(`access.may_see_event`: they attend it, registered it, lead someone who attends it,
or are an admin), else to the one running for them (attending or registered).

Capture is on the platform's ack path: a few short reads and one write, no calendar
unless the event's leads were already assigned (a late lead gets its deadline now).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import prompts
from bot.core import cards
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import AFTER_CONVERSATION, BEFORE_CONVERSATION, MeasureReading, MeasureSource
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.features.access import may_see
from bot.features.trade_shows.base import (
    LEAD_ACTION,
    calendars,
    feature,
    first_day_after,
    lead_deadline,
    lead_listing,
    lead_row,
    several,
    visible,
)
from bot.features.trade_shows.parsing import LIMITS, ParsedLead, parse_lead
from conversations.validators import find_person, row_number
from storage import conversations, event_names, occurrences, people
from storage import trade_shows as store
from storage.db import Database
from storage.models import Event, Lead

_DM = re.compile(r"^\s*lead\s*[:\-–]\s*(?P<rest>.+)$", re.IGNORECASE | re.DOTALL)
_IN = re.compile(r"^\s*in\s+(?P<name>[^:]+):\s*(?P<rest>.+)$", re.IGNORECASE | re.DOTALL)
STATUS = {"followed": "followed_up", "meeting": "meeting", "opportunity": "opportunity", "notfit": "not_fit"}


def _running(found: list[Event] | Any, moment: datetime) -> list[Event]:
    """Of a person's events around today, those on today in each venue's calendar."""
    return [e for e in found if e.starts_on <= local_day(moment, e.timezone) <= e.ends_on]


def new_lead(event: Event, parsed: ParsedLead, capturer_id: int, moment: datetime) -> Lead:
    """A lead of `event` met by `capturer_id` (its owner until reassigned), not stored."""
    return Lead(org_id=event.org_id, event_id=event.id, owner_id=capturer_id, captured_by=capturer_id,
                name=parsed.name, company=parsed.company, email=parsed.email, phone=parsed.phone,
                temperature=parsed.temperature, notes=parsed.note, captured_at=moment)


async def late_deadlines(db: Database, event: Event, leads: Sequence[Lead], moment: datetime) -> list[Lead]:
    """Leads captured after the event's leads were assigned get their deadline now, in
    their owner's calendar (one calendar lookup for all the owners): set on the
    objects, which are returned; storing them is the caller's."""
    if event.assigned_at is None:
        return []
    late = [lead for lead in leads if lead.due_at is None and lead.status == store.OPEN]
    if not late:
        return []
    cals = await calendars(db, {lead.owner_id for lead in late}, moment)
    for lead in late:
        if (cal := cals.get(lead.owner_id)) is not None:
            lead.due_at = lead_deadline(cal, event, moment)
    return [lead for lead in late if lead.due_at is not None]


async def _late_deadline(db: Database, event: Event, lead: Lead, moment: datetime) -> None:
    given = await late_deadlines(db, event, [lead], moment)
    if given:
        async with db.session() as session:
            await store.set_deadlines(session, [(lead.id, lead.due_at) for lead in given])  # type: ignore[misc]


async def _running_of(session: Any, turn: Turn) -> list[Event]:
    day = turn.now.date()
    found = await store.events_of(session, turn.person.id, day - timedelta(days=1), day + timedelta(days=1),
                                  created=True)
    return _running(found, turn.now)


async def running_events(turn: Turn) -> list[Event]:
    """The person's events (attending or registered) running today in each venue's calendar."""
    async with turn.db.session() as session:
        return await _running_of(session, turn)


async def _saved(turn: Turn, event: Event, lead: Lead, merged: bool) -> list[Message]:
    await _late_deadline(turn.db, event, lead, turn.now)
    return [Message(prompts.render("trade_shows/lead_saved", lead=lead, merged=merged, event=event),
                    private=True)]


async def save_lead(turn: Turn, event: Event, parsed: ParsedLead) -> list[Message]:
    """The capture every way in shares (a line, a DM, a form): merge with the
    duplicate or insert (`store.capture`), a late lead's deadline, the confirmation."""
    async with turn.db.session() as session:
        lead, merged = await store.capture(session, new_lead(event, parsed, turn.person.id, turn.now))  # type: ignore[arg-type]
    return await _saved(turn, event, lead, merged)


async def _named(session: Any, turn: Turn, name: str) -> list[Event]:
    """The events called `name` the person may log leads into; of several sharing the
    name (registered before names were kept distinct), the one running for the person
    (attending or registered), else the one running at its venue, if one is."""
    found = await visible(session, turn.person, await event_names.events_named(session, turn.person.org_id, name))  # type: ignore[arg-type]
    if len(found) < 2:
        return found
    theirs = {e.id for e in await _running_of(session, turn)}
    for pick in ([e for e in found if e.id in theirs], _running(found, turn.now)):
        if len(pick) == 1:
            return pick
    return found


async def capture_line(turn: Turn, text: str) -> list[Message]:
    """Capture a line in one transaction (the ack path): the event is the one named
    `in NAME: …` (`_named`), or the one running for the person; else they are asked
    which. A name none of their events has (another team's event included: nothing
    of it is told) is said so, and the line is not stored (nor read as the lead's
    name "in NAME: Jane")."""
    named = _IN.match(text)
    async with turn.db.session() as session:
        found = await _named(session, turn, named.group("name")) if named else []
        if named:
            text = named.group("rest")
        parsed = parse_lead(text)
        if isinstance(parsed, str):
            return [Message(prompts.render("trade_shows/lead_help", problem=parsed, limits=LIMITS), private=True)]
        if len(found) > 1:
            return [several(named.group("name").strip(), found, line=text)]  # type: ignore[union-attr]
        chosen = found[0] if found else None
        if chosen is None:
            running = await _running_of(session, turn)
            if named or len(running) != 1:  # a name none of theirs has is never read as the lead's name
                day = turn.now.date()  # none running: their events of these weeks, named in the example
                known = [] if running else await store.events_of(session, turn.person.id,  # type: ignore[arg-type]
                                                                 day - timedelta(days=14), day + timedelta(days=31),
                                                                 created=True)
                return [Message(prompts.render("trade_shows/which_event", running=running, known=known, line=text,
                                               unknown=named.group("name").strip() if named else None),
                                private=True)]
            chosen = running[0]
        lead, merged = await store.capture(session, new_lead(chosen, parsed, turn.person.id, turn.now))  # type: ignore[arg-type]
    return await _saved(turn, chosen, lead, merged)


async def my_leads(turn: Turn) -> list[Message]:
    """A rep's own open leads, the most urgent first and at most `base.LISTED` of
    them with their buttons (the rest counted per event). A manager's team view: their own and their direct
    reports' (as the directory stands now), each with its owner's name — never
    another manager's rep's, even at an event this manager registered
    (`access.may_see`). An admin's view adds every lead of the events they
    registered (an admin may see anyone in the organisation)."""
    leading = turn.person.role in ("manager", "admin")
    owners = [turn.person.id]
    names: dict[int, str] | None = None
    admin = turn.person.role == "admin"
    if leading:
        async with turn.db.session() as session:
            directory = await conversations.directory(session, turn.person.org_id)  # type: ignore[arg-type]
        owners += [p["id"] for p in directory if p.get("manager_id") == turn.person.id]
        names = {int(p["id"]): p["name"] for p in directory}
    return await lead_listing(turn.db, owners, turn.person.timezone or "UTC", leading, names,  # type: ignore[arg-type]
                              events_by=turn.person.id if admin else None)


async def reassign(turn: Turn, lead_id: int, who: str) -> list[Message]:
    """A manager gives a lead of their own or of their report to themselves or another
    of their reports (an admin: anyone's to anyone); the deadline moves into the new
    owner's calendar. Who may: `access.may_see` of both owners, not who registered
    the event."""
    async with turn.db.session() as session:
        lead = await store.get_lead(session, lead_id)
        event = await store.get_event(session, lead.event_id) if lead and lead.event_id else None
        directory = await conversations.directory(session, turn.person.org_id)  # type: ignore[arg-type]
    if lead is None or lead.org_id != turn.person.org_id:
        return [Message(prompts.render("trade_shows/no_such_lead", lead_id=lead_id), private=True)]
    owner = next((p for p in directory if p["id"] == lead.owner_id), None)
    if turn.person.role not in ("manager", "admin") or not may_see(turn.person, owner):
        return [Message(prompts.render("trade_shows/not_yours_to_reassign", target=None), private=True)]
    target = find_person(who, directory) if who.strip() else None
    if target is None:
        return [Message(prompts.render("trade_shows/owner_help", lead_id=lead_id, given=who), private=True)]
    if not may_see(turn.person, target):
        return [Message(prompts.render("trade_shows/not_yours_to_reassign", target=target["name"]), private=True)]
    lead.owner_id = int(target["id"])
    if lead.due_at is not None and event is not None:
        cal = (await calendars(turn.db, [lead.owner_id], turn.now)).get(lead.owner_id)
        if cal is not None:
            lead.due_at = lead_deadline(cal, event, turn.now)
    lead.reminded_at = lead.escalated_at = None
    async with turn.db.session() as session:
        await store.save(session, lead)
    await turn.coach.send_copy(lead.owner_id, [Message(prompts.render(
        "trade_shows/given_to_you", lead=lead_row(lead, "UTC"), by=turn.person.name))])
    return [Message(prompts.render("trade_shows/owner_changed", lead=lead, owner=target["name"]), private=True)]


async def _own_lead(turn: Turn, lead_id: int) -> Lead | None:
    """The lead, if the asker may act on it: its owner, the owner's manager now, or an
    admin (`access.may_see`); registering the event gives no right to its leads."""
    async with turn.db.session() as session:
        lead = await store.get_lead(session, lead_id)
        if lead is None or lead.org_id != turn.person.org_id:
            return None
        if lead.owner_id == turn.person.id:
            return lead
        owner = await people.get(session, lead.owner_id)
    return lead if may_see(turn.person, owner) else None


async def _engaged(turn: Turn) -> None:
    """A tap on a lead answers the person's after-event prompt: no nudge for it."""
    async with turn.db.session() as session:
        found = await occurrences.open_prompt(session, turn.person.id, kind="event_after")  # type: ignore[arg-type]
        if found is not None:
            await occurrences.mark_answered(session, found.id, turn.now)  # type: ignore[arg-type]


async def _drop_pending(turn: Turn, lead_id: int, status: str | None) -> list[Message]:
    """A tap on a lead ends the note question the person was asked about a lead (its
    `lead_outcome` conversation, active or parked for this lead) unless it is the very
    question this tap asks again, so their next line is never stored on the other lead.
    Said when the question was about another lead (it stays open); `status` is what
    this tap asks for (None: settled or snoozed without a question)."""
    dropped: list[Message] = []
    async with turn.db.session() as session:
        await conversations.hold_person(session, turn.person.id)  # type: ignore[arg-type]
        found = [c for c in [await conversations.active(session, turn.person.id)]  # type: ignore[arg-type]
                 if c is not None and c.flow == "lead_outcome"]
        if (parked := await conversations.parked(session, turn.person.id, "lead_outcome",  # type: ignore[arg-type]
                                                 f"lead:{lead_id}")) is not None:
            found.append(parked)
        for conversation in found:
            context = (conversation.state or {}).get("context") or {}
            if context.get("lead_id") == lead_id and context.get("status") == status:
                continue  # the same question: asked again by `start_flow`
            was_active, state = conversation.status == "active", conversation.state or {}
            await conversations.set_status(session, conversation, conversations.CANCELLED)  # emptied
            # "tap one of its buttons when you're ready": the card tapped for it takes a tap again
            await cards.release_opened(session, turn.person.id, state)  # type: ignore[arg-type]
            if was_active and context.get("lead_id") != lead_id:
                dropped.append(Message(prompts.render("trade_shows/note_dropped", lead_id=context.get("lead_id"),
                                                      lead=context.get("lead")), private=True))
    return dropped


class LeadButtons:
    """A tap on a lead's button: settle it, or ask the one line it needs first (the
    note, the opportunity's value, why it is not a fit). A lead settled since the card
    was drawn is said so and left as it is."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        action = turn.event.action or ""
        if not action.startswith(LEAD_ACTION):
            return None
        verb, _, rest = action[len(LEAD_ACTION):].partition(":")
        lead = await _own_lead(turn, found) if (found := row_number(rest)) is not None else None
        if lead is None or (verb not in STATUS and verb not in ("meeting", "snooze")):
            return [Message(prompts.render("trade_shows/not_yours"), private=True)]
        if lead.status != store.OPEN:
            return [Message(prompts.render("trade_shows/already_settled", lead=lead), private=True)]
        await _engaged(turn)
        asks = STATUS[verb] if verb in STATUS and verb != "meeting" else None
        dropped = await _drop_pending(turn, lead.id, asks)  # type: ignore[arg-type]
        if verb == "meeting":
            return dropped + await settle(turn, lead.id, "meeting", None, None, None)  # type: ignore[arg-type]
        if verb == "snooze":
            return dropped + await snooze_lead(turn, lead)
        return dropped + await start_flow(turn, "lead_outcome", {
            "subject": f"lead:{lead.id}", "lead_id": lead.id, "lead": lead.name, "status": asks})


async def settle(turn: Turn, lead_id: int, status: str, note: str | None, value: float | None,
                 currency: str | None) -> list[Message]:
    async with turn.db.session() as session:
        lead = await store.record_outcome(session, lead_id, status, turn.now, note, value, currency)
    if lead is None:
        return [Message(prompts.render("trade_shows/no_such_lead", lead_id=lead_id), private=True)]
    return [Message(prompts.render("trade_shows/settled", lead=lead))]


async def snooze_lead(turn: Turn, lead: Lead) -> list[Message]:
    """One working day more for this lead, in the owner's calendar; reminded again."""
    cal = (await calendars(turn.db, [lead.owner_id], turn.now)).get(lead.owner_id)
    base = lead.due_at or turn.now
    if cal is not None:
        day = first_day_after(cal, local_day(base, cal.timezone))
        lead.due_at = base + timedelta(days=(day - local_day(base, cal.timezone)).days)
    else:
        lead.due_at = base + timedelta(days=1)
    lead.reminded_at = None
    async with turn.db.session() as session:
        await store.save(session, lead)
    return [Message(prompts.render("trade_shows/snoozed", lead=lead_row(lead, turn.person.timezone or "UTC")),
                    private=True)]


@feature.action("save_lead_outcome")
async def save_lead_outcome(turn: Turn, data: dict[str, Any]) -> list[Message]:
    answers, context = data.get("answers") or {}, data.get("context") or {}
    money = answers.get("value") or {}
    note = answers.get("note") or answers.get("reason")
    lead = await _own_lead(turn, int(context["lead_id"]))
    if lead is None:
        raise LookupError(f"lead {context['lead_id']} is not this person's")
    return await settle(turn, lead.id, context["status"], note, money.get("amount"), money.get("currency"))  # type: ignore[arg-type]


class LeadLine:
    """A plain DM "lead: Jane Roe, Acme, hot" while an event runs (after any
    conversation in progress declined it)."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        if turn.event.action is not None:
            return None
        match = _DM.match(turn.text)
        if match is None:
            return None
        return await capture_line(turn, match.group("rest"))


feature.responder(BEFORE_CONVERSATION, LeadButtons())
feature.responder(AFTER_CONVERSATION, LeadLine())


async def overdue_leads(db: Database, rep_id: int, moment: datetime,
                        timezone: str | None = None) -> list[dict[str, Any]]:
    """A rep's leads still open after their follow-up deadline, oldest deadline first,
    as plain values ({"id", "name", "company", "temperature", "due", "notes",
    "status"}; `due` in the rep's zone, looked up unless `timezone` is given) — for
    the manager's pre-one-on-one brief (#12) and any other summary of what a rep owes."""
    async with db.session() as session:
        late = await store.overdue(session, moment, [rep_id])
        person = await people.get(session, rep_id) if timezone is None else None
    tz = timezone or (person.timezone if person is not None else None) or "UTC"
    return [lead_row(lead, tz) for lead in late]


async def _overdue_reading(coach: Any, rep_id: int, moment: datetime) -> MeasureReading:
    """The "follow up overdue leads" lead measure: how many of the rep's leads are past
    their deadline now, with their names, for the rep's WIG session."""
    late = await overdue_leads(coach.db, rep_id, moment)
    return MeasureReading(len(late), prompts.render("trade_shows/measure_overdue", leads=late))


feature.measure_source(MeasureSource("overdue_leads", (
    "overdue leads", "follow up overdue leads", "follow-up overdue leads", "overdue", "overdue trade show leads",
    "follow up leads"), "trade_shows/measure_title", _overdue_reading, "leads"))


@feature.brief_section
async def overdue_in_brief(coach: Any, viewer: Any, rep: Any, since: datetime | None,
                           now: datetime) -> list[Message]:
    """The rep's trade-show leads still waiting after their follow-up deadline, for the
    manager's pre-one-on-one brief (#12); nothing when none is late."""
    late = await overdue_leads(coach.db, rep.id, now, rep.timezone or "UTC")
    if not late:
        return []
    title = prompts.render("one_on_ones/section_title", section="overdue_leads")
    return [Message(prompts.render("trade_shows/brief_overdue", leads=late), title=title)]
