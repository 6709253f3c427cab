"""After a one-on-one: the manager's record (notes, private or shared, and action
items with owners and due dates), the rep's agenda topic before it, `/okr actions`
and `/okr done N`, and the reminder of each action item on its due day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import prompts
from bot.cadence.planner import reachable_now
from bot.core.clock import local_day, zone
from bot.core.clock import now as clock_now
from bot.core.coach import Coach, Turn
from bot.core.feature import Feature
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from bot.features.access import own_report_example
from bot.features.briefs import find_rep
from conversations.validators import find_person, row_number, runs, typed_digits
from storage import conversations, people
from storage import one_on_ones as store
from storage.models import Meeting, Person

feature = Feature("action items")


@feature.action("save_one_on_one_agenda")
async def save_agenda(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """The rep's topic goes on the agenda of the brief their manager gets."""
    context, answers = data.get("context") or {}, data.get("answers") or {}
    topic = (answers.get("topic") or "").strip()
    if topic:
        async with turn.db.session() as session:
            await store.add_agenda(session, int(context["meeting_id"]), topic)
    return []


@feature.action("save_one_on_one_notes")
async def save_notes(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Store notes and action items; the rep gets shared notes and their own items."""
    context, answers = data.get("context") or {}, data.get("answers") or {}
    async with turn.db.session() as session:
        meeting = await store.get_meeting(session, int(context["meeting_id"]))
        assert meeting is not None and meeting.manager_id == turn.person.id
        items = [{"owner_id": turn.person.id if i.get("owner") == "me"
                  else int(i["owner"]) if i.get("owner") else meeting.rep_id,
                  "text": i["text"], "due_on": date.fromisoformat(i["due"]) if i.get("due") else None}
                 for i in answers.get("items") or []]
        shared = answers.get("share") == "shared"
        added = await store.save_notes(session, meeting.id, answers.get("notes"), shared, items)  # type: ignore[arg-type]
        rep = await people.get(session, meeting.rep_id)
        if added is None:  # recorded meanwhile by another conversation: the first record stays
            return [notes_recorded(turn, await store.get_meeting(session, meeting.id), rep, lost=True)]  # type: ignore[arg-type]
    theirs = [i for i in added if i.owner_id == meeting.rep_id]
    if rep is not None and (shared and answers.get("notes") or theirs):
        await turn.coach.send_copy(rep.id, [Message(prompts.render(  # type: ignore[arg-type]
            "one_on_ones/for_rep", manager=first_name(turn.person.name), notes=answers.get("notes") if shared else None,
            items=theirs))])
    return [Message(prompts.render("one_on_ones/notes_saved", count=len(added), shared=shared,
                                   rep=first_name(rep.name) if rep else ""))]


def notes_recorded(turn: Turn, meeting: Meeting | None, rep: Person | None, lost: bool = False) -> Message:
    """"The notes of that one-on-one are already recorded" (on which day, the
    manager's own); `lost` when the manager has just typed notes that are not kept."""
    day = meeting.starts_at.astimezone(zone(turn.person.timezone)).strftime("%a %d %b") if meeting else ""
    return Message(prompts.render("one_on_ones/notes_recorded", rep=rep.name if rep else "", day=day, lost=lost),
                   private=True)


async def open_notes(turn: Turn, meeting: Meeting, rep: Person) -> list[Message]:
    """The manager's notes conversation for a meeting (its card, `/okr 1on1 @rep
    notes`): the same conversation whichever opened it (one subject), and none once the
    meeting's notes are recorded."""
    if meeting.notes_at is not None:
        return [notes_recorded(turn, meeting, rep)]
    return await start_flow(turn, "one_on_one_notes", {"meeting_id": meeting.id, "other": first_name(rep.name),
                                                       "subject": f"oneonone:notes:{meeting.id}"})


@feature.command("actions", "/okr actions [@rep]")
async def actions_command(turn: Turn, args: str) -> list[Message]:
    """/okr actions: open action items — a rep their own, a manager those agreed in
    their own one-on-ones with their current reports, and the ones they own (a rep's
    new manager does not see what the previous one agreed with the rep).
    `/okr actions @rep`: that rep's, for whoever may read the rep's brief (their
    manager; the skip-level by setting — `briefs.may_read`); anyone else is refused
    exactly as if nobody had that name, and naming yourself is the plain list."""
    person = turn.person
    named = args.strip()
    if named:
        rep = await find_rep(turn, named)
        if rep is not None:
            async with turn.db.session() as session:
                # agreed in one-on-ones with the rep's current manager: not a previous manager's
                items = await store.open_items(session, [rep.id], manager_id=rep.manager_id)  # type: ignore[list-item]
                owners = {p.id: p.name for p in await people.team(session, person.org_id)}
            return [Message(prompts.render("one_on_ones/actions", items=items, owners=owners, rep=rep.name),
                            private=True)]
        if not await names_self(turn, named):
            return [Message(prompts.render("one_on_ones/actions_refused", given=named,
                                           example=await own_report_example(turn)), private=True)]
    async with turn.db.session() as session:
        if person.role == "rep":
            items = await store.open_items(session, owner_id=person.id)
        else:
            reports = [p.id for p in await people.reports(session, person.id)]  # type: ignore[arg-type]
            theirs = await store.open_items(session, reports, manager_id=person.id)  # type: ignore[arg-type]
            own = await store.open_items(session, owner_id=person.id)  # type: ignore[arg-type]
            items = sorted({i.id: i for i in [*theirs, *own]}.values(), key=lambda i: i.id or 0)
        owners = {p.id: p.name for p in await people.team(session, person.org_id)}
    return [Message(prompts.render("one_on_ones/actions", items=items, owners=owners, rep=None), private=True)]


@feature.command("done", "/okr done N")
async def done_command(turn: Turn, args: str) -> list[Message]:
    """/okr done N: close action item N (its owner, or the manager who agreed it).
    A word that is no number is asked again with an example; a number that matches
    none of the person's open items (99999, or 40 digits, which no id column holds)
    is named as no such item, with the numbers of those they have (or that they
    have none)."""
    typed = typed_digits(args)
    if typed is None:
        return [Message(prompts.render("one_on_ones/done_help"), private=True)]
    number = row_number(typed)
    async with turn.db.session() as session:
        item = await store.get_item(session, number) if number is not None else None
        allowed = item is not None and turn.person.id in (item.owner_id, item.manager_id) \
            and item.org_id == turn.person.org_id
        closed = allowed and await store.close_item(session, number, turn.now)  # type: ignore[arg-type]
        mine = [] if allowed else await store.closable_items(session, turn.person.id, turn.person.org_id)  # type: ignore[arg-type]
    if not allowed:
        return [Message(prompts.render("one_on_ones/done_help", unknown=typed, open=runs(mine)), private=True)]
    return [Message(prompts.render("one_on_ones/done", item=item, closed=closed), private=True)]


@feature.job("action item reminders", every=timedelta(minutes=30))
async def remind_items(coach: Coach) -> int:
    """Each open action item once, on its due day (the owner's local day), in the
    owner's working hours; a reminder that finds them away waits for the next run."""
    moment = clock_now()
    async with coach.db.session() as session:
        candidates = await store.items_to_remind(session, (moment + timedelta(days=1)).date())
        owners = {p.id: p for org_id in {i.org_id for i in candidates} for p in await people.team(session, org_id)}
    due = [i for i in candidates if i.owner_id in owners and owners[i.owner_id].active  # not to someone who left
           and i.due_on <= local_day(moment, owners[i.owner_id].timezone)]  # type: ignore[operator]
    awake = await reachable_now(coach.db, {i.owner_id for i in due}, moment)
    sent = 0
    for item in due:
        if item.owner_id not in awake:
            continue
        async with coach.db.session() as session:
            if not await store.claim_reminder(session, item.id, moment):  # type: ignore[arg-type]
                continue
        sent += await coach.send_copy(item.owner_id, [Message(prompts.render("one_on_ones/reminder", item=item))])
    return sent


async def names_self(turn: Turn, named: str) -> bool:
    """True when `named` (a mention, name or e-mail) is the asker."""
    async with turn.db.session() as session:
        directory = await conversations.directory(session, turn.person.org_id)
    found = find_person(named, directory)
    return found is not None and found["id"] == turn.person.id
