"""Before and after an event, as scheduled prompts the dispatcher sends exactly once
(an occurrence per person and event, unique by key), in each person's calendar:

* `event_prep` — `prep_days` working days before the event, 09:00 local: meetings
  booked against target, and the rehearsal (opening line, elevator pitch, objections
  with answers, demo) as a short conversation stored per person;
* `event_plan` — the same day, to the event's manager: set the follow-up plan and
  book the kick-off for each attendee's first working day back;
* `event_after` — that first working day back, 09:00 local, to every attendee and
  the manager: the kick-off, and the owner's own leads with a button row per lead.

The jobs give leads their owner and deadline when the event is over, remind owners
on the morning of a deadline, escalate overdue leads to the manager once a day in
one message, and send the manager the report `report_days` working days after.
Reminders, escalations and the report are claimed in the database before they are
sent (like a prompt's nudge), so two processes never send the same one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

import prompts
from bot.cadence import Calendar
from bot.cadence.planner import reachable_now
from bot.core.channel import DeliveryError
from bot.core.clock import local_day, now, zone
from bot.core.coach import Coach, Turn
from bot.core.feature import Nudgeable, PromptKind
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from bot.features.access import may_see
from bot.features.prompt_answers import finish_prompt
from bot.features.trade_shows import report
from bot.features.trade_shows.base import (
    LISTED,
    calendars,
    deadline,
    feature,
    first_day_after,
    lead_cards,
    lead_listing,
    lead_row,
    morning_of,
    next_available,
    prompt_choices,
    venue_day,
    working_days_before,
)
from bot.features.trade_shows.lead_form import event_option, form_message
from storage import people
from storage import trade_shows as store
from storage.db import Database
from storage.models import Event, Occurrence

log = logging.getLogger(__name__)

PREP, PLAN, AFTER = "event_prep", "event_plan", "event_after"


def _row(kind: str, event: Event, person_id: int, due: datetime, tz: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"key": f"{kind}:{event.id}:{person_id}", "org_id": event.org_id, "person_id": person_id,
            "kind": kind, "due_at": due, "local_date": local_day(due, tz),
            "payload": {"event_id": event.id, "event": event.name, **payload}}


async def plan_before(db: Database, event: Event, moment: datetime, only: Collection[int] | None = None) -> int:
    """Plan (or re-plan, after targets or someone's calendar changed) the prompts
    before an event. A prompt whose morning has passed goes out at the person's next
    available moment (`next_available`: a working day, not away, in working hours),
    unless the event is already over; no preparation prompt once the event has begun
    in its venue's calendar (a pending one is skipped), as "getting ready" for a show
    under way makes no sense (nor for someone away until it begins); the manager's
    follow-up plan still comes. The kick-off
    day is each attendee's first available day after the event (absences known now
    included). With `only` (person ids), just those attendees' preparation prompts
    are re-planned (their targets changed) and nobody else's schedule is touched.
    Returns how many were written."""
    async with db.session() as session:
        team = await store.attendees(session, event.id)  # type: ignore[arg-type]
    if only is not None:
        team = [(a, p) for a, p in team if p.id in only]
    if venue_day(event, moment) > event.ends_on:
        return 0
    begun = venue_day(event, moment) >= event.starts_on
    cals = await calendars(db, [p.id for _, p in team] + [event.created_by], moment)  # type: ignore[misc]
    rows: list[dict[str, Any]] = []
    kickoffs, dropped = [], []
    for attendee, person in team:
        cal = cals.get(person.id)  # type: ignore[arg-type]
        if cal is None:
            continue
        due = _when(cal, working_days_before(cal, event.starts_on, event.prep_days), moment)
        if not begun and local_day(due, cal.timezone) < event.starts_on:  # away until the show: none
            rows.append(_row(PREP, event, person.id, due, cal.timezone, {  # type: ignore[arg-type]
                "starts_on": event.starts_on.isoformat(), "location": event.location,
                "targets": dict(attendee.targets), "objectives": dict(event.objectives)}))
        else:
            dropped.append(f"{PREP}:{event.id}:{person.id}")
        kickoffs.append({"name": person.name, "day": first_day_after(cal, event.ends_on).isoformat(),
                         "timezone": cal.timezone})
    manager = cals.get(event.created_by) if only is None else None
    if manager is not None:
        due = _when(manager, working_days_before(manager, event.starts_on, event.prep_days), moment)
        rows.append(_row(PLAN, event, event.created_by, due, manager.timezone, {
            "starts_on": event.starts_on.isoformat(), "ends_on": event.ends_on.isoformat(),
            "kickoffs": kickoffs, "follow_up_days": event.follow_up_days}))
    async with db.session() as session:
        await store.add_occurrences(session, rows)
        # planned earlier and not sent yet: never sent once the show began or its person is away until it
        await store.skip_pending(session, dropped, "event_begun" if begun else "away")
    return len(rows)


def _when(cal: Calendar, day: date, moment: datetime) -> datetime:
    """09:00 on `day` in the person's calendar, or, when that has passed, their next
    available moment (`next_available`)."""
    planned = morning_of(cal, day)
    return planned if planned >= moment else next_available(cal, moment)


@feature.job("re-plan event prompts", every=timedelta(minutes=15))
async def replan_events(coach: Coach) -> int:
    """Re-plan the pending prompts before every event not over yet, so an absence or
    a holiday saved since (`/okr out`) moves them and their kick-off days, and a
    preparation prompt the event overtook is skipped. Safe to run again: a prompt
    already claimed or snoozed is left alone (`store.add_occurrences`)."""
    moment = now()
    async with coach.db.session() as session:
        events = await store.not_over(session, moment.date() - timedelta(days=1))
    return sum([await plan_before(coach.db, event, moment) for event in events])


async def assign(db: Database, event: Event, moment: datetime) -> int:
    """The day after the event: every lead gets its deadline in its owner's calendar,
    and everyone their `event_after` prompt. Runs once per event (the claim on
    `assigned_at`); returns how many leads got a deadline."""
    async with db.session() as session:
        if not await store.claim_event(session, event.id, "assigned_at", moment):  # type: ignore[arg-type]
            return 0
        leads = await store.leads_of_event(session, event.id)  # type: ignore[arg-type]
        team = await store.attendees(session, event.id)  # type: ignore[arg-type]
    everyone = {p.id for _, p in team} | {lead.owner_id for lead in leads} | {event.created_by}
    cals = await calendars(db, everyone, moment)  # type: ignore[arg-type]
    firsts = {pid: first_day_after(cal, event.ends_on) for pid, cal in cals.items()}
    deadlines: dict[int, datetime] = {}
    for pid, cal in cals.items():
        deadlines[pid] = deadline(cal, firsts[pid], event.follow_up_days)
    mine: dict[int, list[dict[str, Any]]] = defaultdict(list)
    updates = []
    for lead in leads:
        if lead.status == store.OPEN and lead.owner_id in deadlines:
            lead.due_at = deadlines[lead.owner_id]
            updates.append((lead.id, lead.due_at))
            mine[lead.owner_id].append(lead_row(lead, cals[lead.owner_id].timezone))
    rows = []
    for pid in everyone:
        cal = cals.get(pid)
        if cal is None:
            continue
        due = _when(cal, firsts[pid], moment)
        rows.append(_row(AFTER, event, pid, due, cal.timezone, {
            "kickoff": firsts[pid].isoformat(), "leads": mine.get(pid, []),
            "manager": pid == event.created_by}))
    stale = [f"{kind}:{event.id}:{pid}" for kind in (PREP, PLAN) for pid in everyone]
    async with db.session() as session:
        await store.set_deadlines(session, updates)  # type: ignore[arg-type]
        await store.add_occurrences(session, rows)
        await store.skip_pending(session, stale, "event_over")  # never sent after the event
    return len(updates)


# --- the prompt kinds -------------------------------------------------------------------


def _draw(template: str):  # type: ignore[no-untyped-def]
    def draw(occurrence: Occurrence, name: str, repeat: int = 0) -> list[Message]:
        payload = occurrence.payload or {}
        head = Message(prompts.render(template, name=first_name(name), p=payload, repeat=repeat, listed=LISTED),
                       title=prompts.render("trade_shows/title", kind=occurrence.kind, event=payload.get("event")),
                       choices=prompt_choices(occurrence.id), key=occurrence.key)  # type: ignore[arg-type]
        if occurrence.kind == PREP and payload.get("event_id"):  # to log leads from the card during the event
            head_form = form_message([event_option(payload["event_id"], payload.get("event") or "",
                                                   payload.get("starts_on") or "")],
                                     {"event": str(payload["event_id"])})
            return [head, head_form]
        return [head, *lead_cards((payload.get("leads") or [])[:LISTED])]  # the rest: `/okr lead`
    return draw


def _nudge(occurrence: Nudgeable, name: str, timezone: str | None = None) -> list[Message]:
    when = (occurrence.delivered_at or occurrence.due_at).astimezone(zone(timezone))
    payload = occurrence.payload or {}
    return [Message(prompts.render("trade_shows/nudge", name=first_name(name), kind=occurrence.kind,
                                   event=payload.get("event"), when=when.strftime("%a %d %b")),
                    choices=prompt_choices(occurrence.id), key=f"{occurrence.key}:nudge")]  # type: ignore[arg-type]


async def _start_prep(turn: Turn, occurrence: Occurrence | None) -> list[Message]:
    payload = (occurrence.payload if occurrence is not None else {}) or {}
    return await start_flow(turn, "event_rehearsal", {
        "subject": f"event:{payload.get('event_id')}", "event_id": payload.get("event_id"),
        "event": payload.get("event"), "targets": payload.get("targets") or {},
        "occurrence_id": occurrence.id if occurrence is not None else None,
        "name": first_name(turn.person.name)})


async def _start_plan(turn: Turn, occurrence: Occurrence | None) -> list[Message]:
    payload = (occurrence.payload if occurrence is not None else {}) or {}
    return [Message(prompts.render("trade_shows/plan_started", p=payload), private=True)]


async def _start_after(turn: Turn, occurrence: Occurrence | None) -> list[Message]:
    """Opening the after-event prompt shows the person's open leads as they are now."""
    return await lead_listing(turn.db, [turn.person.id], turn.person.timezone or "UTC")  # type: ignore[list-item]


feature.prompt_kind(PromptKind(PREP, _draw("trade_shows/prep_prompt"), _nudge, _start_prep))
feature.prompt_kind(PromptKind(PLAN, _draw("trade_shows/plan_prompt"), _nudge, _start_plan))
feature.prompt_kind(PromptKind(AFTER, _draw("trade_shows/after_prompt"), _nudge, _start_after))


@feature.action("save_event_rehearsal")
async def save_rehearsal(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Keep the attendee's rehearsal and booked meetings on their attendance."""
    answers, context = data.get("answers") or {}, data.get("context") or {}
    async with turn.db.session() as session:
        row = await store.attendee(session, int(context["event_id"]), turn.person.id)  # type: ignore[arg-type]
        if row is None:
            raise LookupError(f"person {turn.person.id} does not attend event {context['event_id']}")
        row.prep = {**answers, "saved_at": turn.now.isoformat()}
        await store.save(session, row)
    await finish_prompt(turn, context)
    return []


# --- the jobs ---------------------------------------------------------------------------


@feature.job("assign event leads", every=timedelta(minutes=15))
async def assign_ended_events(coach: Coach) -> int:
    """Events over in their venue's zone get their leads assigned (once)."""
    moment = now()
    async with coach.db.session() as session:
        ended = await store.ended_unassigned(session, moment.date() + timedelta(days=1))
    done = 0
    for event in ended:
        if venue_day(event, moment) > event.ends_on:
            done += await assign(coach.db, event, moment)
    return done


async def _send(coach: Coach, person_id: int, messages: list[Message]) -> bool:
    try:
        await coach.deliver(person_id, messages)
    except (DeliveryError, Exception) as error:  # claimed first: logged, never repeated
        log.warning("trade-show message for person %s not delivered: %s", person_id, error)
        return False
    return True


@feature.job("remind lead deadlines", every=timedelta(minutes=30))
async def remind_deadlines(coach: Coach) -> int:
    """On the morning of a deadline (owner's day), one reminder per owner listing the
    leads still open; each lead is reminded once."""
    moment = now()
    async with coach.db.session() as session:
        due = await store.due_for_reminder(session, moment + timedelta(hours=36))
    awake = await reachable_now(coach.db, {lead.owner_id for lead in due}, moment)
    cals = await calendars(coach.db, awake, moment) if awake else {}
    by_owner: dict[int, list[Any]] = defaultdict(list)
    for lead in due:
        cal = cals.get(lead.owner_id)
        if cal is not None and lead.due_at is not None and \
                local_day(lead.due_at, cal.timezone) == local_day(moment, cal.timezone):
            by_owner[lead.owner_id].append(lead)
    reached = 0
    for owner_id, leads in by_owner.items():
        async with coach.db.session() as session:
            won = set(await store.claim_leads(session, [lead.id for lead in leads], "reminded_at", moment))
        rows = [lead_row(lead, cals[owner_id].timezone) for lead in leads if lead.id in won]
        if rows and await _send(coach, owner_id, [
                Message(prompts.render("trade_shows/reminder", leads=rows, listed=LISTED)),
                *lead_cards(rows[:LISTED])]):
            reached += 1
    return reached


def _chaser(who: dict[int, Any], creator_id: int, owner_id: int) -> int | None:
    """Who is told of an overdue lead: the event's manager when they may see its owner
    (`access.may_see`: their own report, themselves; an admin anyone), else the
    owner's own manager now; None when the owner has none."""
    creator, owner = who.get(creator_id), who.get(owner_id)
    if creator is not None and may_see(creator, owner):
        return creator_id
    return owner.manager_id if owner is not None else None


@feature.job("escalate overdue leads", every=timedelta(minutes=30))
async def escalate_overdue(coach: Coach) -> int:
    """Leads still open after their deadline go to the event's manager, or to the
    owner's own manager for a rep not on the event manager's team: one message a
    day, at the first moment of the manager's working day they can be reached,
    listing the leads whose deadline passed before that day began (a Wednesday
    18:00 deadline escalates on Thursday morning)."""
    moment = now()
    async with coach.db.session() as session:
        late = await store.overdue(session, moment, escalated=False)
        events = {lead.event_id: await store.get_event(session, lead.event_id)  # type: ignore[arg-type]
                  for lead in late if lead.event_id is not None}
        who = {pid: await people.get(session, pid) for pid in
               {lead.owner_id for lead in late} | {e.created_by for e in events.values() if e is not None}}
    by_manager: dict[int, list[Any]] = defaultdict(list)
    for lead in late:
        event = events.get(lead.event_id)
        if event is not None and (manager_id := _chaser(who, event.created_by, lead.owner_id)) is not None:
            by_manager[manager_id].append((lead, event))
    awake = await reachable_now(coach.db, set(by_manager), moment)
    cals = await calendars(coach.db, awake, moment) if awake else {}
    reached = 0
    for manager_id in awake:
        cal = cals.get(manager_id)
        if cal is None:
            continue
        today = local_day(moment, cal.timezone)
        start = datetime.combine(today, datetime.min.time(), zone(cal.timezone))
        batch = [(lead, event) for lead, event in by_manager[manager_id]
                 if lead.due_at is not None and lead.due_at < start]  # late before the day began
        owners = sorted({lead.owner_id for lead, _ in batch})
        if not batch:
            continue
        async with coach.db.session() as session:
            if await store.escalated_between(session, owners, start, start + timedelta(days=1)):
                continue
            won = set(await store.claim_leads(session, [lead.id for lead, _ in batch], "escalated_at", moment))
            names = {pid: (await people.get(session, pid)) for pid in owners}
        rows = [{**lead_row(lead, cal.timezone), "owner": names[lead.owner_id].name if names[lead.owner_id] else "",
                 "event": event.name} for lead, event in batch if lead.id in won]
        if rows and await _send(coach, manager_id, [Message(prompts.render("trade_shows/escalation", leads=rows))]):
            reached += 1
    return reached


@feature.job("send event reports", every=timedelta(hours=1))
async def send_reports(coach: Coach) -> int:
    """The event's report to its manager `report_days` working days after the event,
    once, on a working morning of theirs."""
    moment = now()
    async with coach.db.session() as session:
        pending = await store.unreported(session)
    if not pending:
        return 0
    awake = await reachable_now(coach.db, {e.created_by for e in pending}, moment)
    cals = await calendars(coach.db, awake, moment) if awake else {}
    sent = 0
    for event in pending:
        cal = cals.get(event.created_by)
        if cal is None:
            continue
        day = first_day_after(cal, event.ends_on)
        if moment < deadline(cal, day, event.report_days + 1) - timedelta(hours=9):
            continue
        async with coach.db.session() as session:
            if not await store.claim_event(session, event.id, "reported_at", moment):  # type: ignore[arg-type]
                continue
        async with coach.db.session() as session:
            reader = await people.get(session, event.created_by)
        if reader is None:
            continue
        messages = await report.report_messages(coach.db, event, moment, viewer=reader)
        if await _send(coach, event.created_by, messages):
            sent += 1
    return sent
