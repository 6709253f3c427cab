"""Named queries for one-on-ones: the series, each meeting and the steps around it
(agenda, brief, notes, each claimed once), action items, the managers' alert
digests and the reps' prompt outcomes. What a brief reads about many reps at once
is in storage/brief_reads.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert, utcnow
from storage.models import (
    Absence,
    ActionItem,
    AlertDigest,
    CheckInAnswer,
    KeyResult,
    Meeting,
    Objective,
    Occurrence,
    OneOnOne,
    Person,
)

MEETING = Meeting.__table__  # type: ignore[attr-defined]
PLANNED, SKIPPED, HELD = "planned", "skipped", "held"
STEPS = ("agenda_asked_at", "brief_at", "notes_asked_at")


# --- series ------------------------------------------------------------------------------


async def set_series(session: AsyncSession, org_id: int, manager_id: int, rep_id: int, rrule: str,
                     local_time: str, timezone: str | None, anchor_on: date | None,
                     reopen: bool = True) -> OneOnOne | None:
    """The one series of this manager and rep, created or given a new rule; an ended
    one is reopened, or left ended (None) when `reopen` is false (a team file
    re-imported must not undo a manager's `/okr 1on1 @rep off`)."""
    found = await series_for(session, manager_id, rep_id)
    if found is not None and found.ended_at is not None and not reopen:
        return None
    series = found or OneOnOne(org_id=org_id, manager_id=manager_id, rep_id=rep_id)
    series.rrule, series.local_time, series.timezone, series.anchor_on = rrule, local_time, timezone, anchor_on
    series.ended_at, series.ended_reason = None, None  # setting a rule again reopens an ended series
    if found is None:
        lead = await _manager_lead(session, manager_id)
        if lead is not None:
            series.brief_minutes_before = lead
    session.add(series)
    await session.flush()
    return series


SERIES_CREATED, SERIES_UPDATED, SERIES_UNCHANGED, SERIES_ENDED = "created", "updated", "unchanged", "ended"


async def import_series(session: AsyncSession, org_id: int, manager_id: int, rep_id: int, rrule: str,
                        local_time: str, timezone: str, anchor_on: date) -> str:
    """The team file's rhythm for this manager and rep (`local_time` "HH:MM" in
    `timezone`, the manager's; `anchor_on` the first meeting were it new). The same
    rhythm as the file gave last time (or, never imported, the series' own rule)
    leaves the series untouched, its first meeting, alternating weeks and the
    manager's `move to …` with it: "unchanged". Another rhythm replaces the series
    from `anchor_on` on: "updated"; none yet: "created". A series its manager ended
    stays ended: "ended"."""
    imported = f"{rrule}|{local_time}|{timezone}"
    found = await series_for(session, manager_id, rep_id)
    if found is not None and found.ended_at is not None:
        return SERIES_ENDED
    if found is not None and (found.imported_rule == imported or found.imported_rule is None
                              and (found.rrule, found.local_time, found.timezone) == (rrule, local_time, timezone)):
        if found.imported_rule is None:
            found.imported_rule = imported
            session.add(found)
            await session.flush()
        return SERIES_UNCHANGED
    series = await set_series(session, org_id, manager_id, rep_id, rrule, local_time, timezone, anchor_on)
    assert series is not None  # reopen: always a series (an ended one returned above)
    series.imported_rule = imported
    session.add(series)
    await session.flush()
    return SERIES_CREATED if found is None else SERIES_UPDATED


async def _manager_lead(session: AsyncSession, manager_id: int) -> int | None:
    query = select(OneOnOne.brief_minutes_before).where(OneOnOne.manager_id == manager_id).limit(1)
    return (await session.exec(query)).first()


async def series_for(session: AsyncSession, manager_id: int, rep_id: int) -> OneOnOne | None:
    query = select(OneOnOne).where(OneOnOne.manager_id == manager_id, OneOnOne.rep_id == rep_id)
    return (await session.exec(query)).first()


async def series_of(session: AsyncSession, manager_id: int) -> list[OneOnOne]:
    """The manager's running series (ended ones, and ones whose rep is no longer
    theirs — `still_theirs` — are left out)."""
    query = (select(OneOnOne).where(OneOnOne.manager_id == manager_id, col(OneOnOne.ended_at).is_(None),
                                    still_theirs()).order_by(col(OneOnOne.id)))
    return list((await session.exec(query)).all())


def still_theirs() -> ColumnElement[bool]:
    """The condition a running series must meet to be planned, listed or briefed:
    its rep is active and still reports to its manager, who is active too. A team
    file re-imported with another manager_email, or `coachbot person leave`, makes it
    false at once (before the one-on-one job ends the series and tells the manager)."""
    rep, manager = aliased(Person), aliased(Person)
    theirs = select(rep.id).where(col(rep.id) == col(OneOnOne.rep_id), col(rep.manager_id) == col(OneOnOne.manager_id),
                                  col(rep.active).is_(True)).exists()
    present = select(manager.id).where(col(manager.id) == col(OneOnOne.manager_id),
                                       col(manager.active).is_(True)).exists()
    return and_(theirs, present)


async def stale_series(session: AsyncSession) -> list[tuple[OneOnOne, Person, Person, str]]:
    """Running series that `still_theirs` no longer holds for, with (rep, manager,
    reason): "left" when the rep or the manager is inactive, "moved" when the rep
    reports to someone else (or to nobody)."""
    rep, manager = aliased(Person), aliased(Person)
    query = (select(OneOnOne, rep, manager).join(rep, col(rep.id) == col(OneOnOne.rep_id))
             .join(manager, col(manager.id) == col(OneOnOne.manager_id))
             .where(col(OneOnOne.ended_at).is_(None), not_(still_theirs())).order_by(col(OneOnOne.id)))
    return [(series, r, m, "left" if not (r.active and m.active) else "moved")
            for series, r, m in (await session.exec(query)).all()]


async def series_running(session: AsyncSession, series_id: int) -> bool:
    """The series has not ended and `still_theirs` holds for it."""
    query = select(OneOnOne.id).where(OneOnOne.id == series_id, col(OneOnOne.ended_at).is_(None), still_theirs())
    return (await session.exec(query)).first() is not None


async def end_series(session: AsyncSession, series_id: int, now: datetime, reason: str | None = None) -> bool:
    """End a series: the planner leaves it out from now on (no brief, no agenda or
    notes prompt); its meetings, notes and action items are kept. False when it had
    already ended (so of two processes only one tells the manager). `reason`: why,
    when not by the manager ("moved", "left")."""
    result = await session.exec(update(OneOnOne).where(  # type: ignore[call-overload]
        col(OneOnOne.id) == series_id, col(OneOnOne.ended_at).is_(None)).values(ended_at=now, ended_reason=reason))
    return bool(result.rowcount)


async def set_brief_lead(session: AsyncSession, manager_id: int, minutes: int) -> int:
    """The manager's setting: how long before each of their 1:1s the brief arrives."""
    result = await session.exec(update(OneOnOne).where(col(OneOnOne.manager_id) == manager_id)  # type: ignore[call-overload]
                                .values(brief_minutes_before=minutes))
    return int(result.rowcount or 0)


# --- meetings ----------------------------------------------------------------------------


async def ensure_meetings(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[tuple[int, date], Meeting]:
    """Store the planned meetings (insert-or-ignore by series and nominal day; a
    planned one whose time moved gets the new time) and return them all."""
    if not rows:
        return {}
    statement = upsert(session, MEETING)
    statement = statement.on_conflict_do_update(
        index_elements=["series_id", "nominal_on"], set_={"starts_at": statement.excluded.starts_at},
        where=MEETING.c.status == PLANNED)
    await session.exec(statement, params=[{"status": PLANNED, "agenda": {}, "notes_shared": False, **row}
                                          for row in rows])
    return await meetings_of(session, {row["series_id"] for row in rows})


async def meetings_of(session: AsyncSession, series_ids: Iterable[int],
                      since: date | None = None) -> dict[tuple[int, date], Meeting]:
    query = select(Meeting).where(col(Meeting.series_id).in_(list(series_ids)))
    if since is not None:
        query = query.where(Meeting.nominal_on >= since)
    return {(m.series_id, m.nominal_on): m for m in (await session.exec(query)).all()}


async def skip_meeting(session: AsyncSession, series: OneOnOne, nominal_on: date, starts_at: datetime) -> None:
    await ensure_meetings(session, [{"org_id": series.org_id, "series_id": series.id, "manager_id": series.manager_id,
                                     "rep_id": series.rep_id, "nominal_on": nominal_on, "starts_at": starts_at}])
    await session.exec(update(Meeting).where(col(Meeting.series_id) == series.id,  # type: ignore[call-overload]
                                             col(Meeting.nominal_on) == nominal_on).values(status=SKIPPED))


async def claim_step(session: AsyncSession, meeting_id: int, step: str, now: datetime) -> bool:
    """Take one step of a meeting (`agenda_asked_at`, `brief_at`, `notes_asked_at`):
    true only for the one caller whose update changed the row."""
    assert step in STEPS
    column = MEETING.c[step]
    result = await session.exec(update(MEETING).where(  # type: ignore[call-overload]
        and_(MEETING.c.id == meeting_id, column.is_(None), MEETING.c.status != SKIPPED)).values({step: now}))
    return bool(result.rowcount)


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def mark_brief_sent(session: AsyncSession, meeting_id: int, now: datetime) -> None:
    await session.exec(update(Meeting).where(col(Meeting.id) == meeting_id).values(brief_sent_at=now))  # type: ignore[call-overload]


async def add_agenda(session: AsyncSession, meeting_id: int, topic: str) -> None:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is not None:
        meeting.agenda = {"topics": [*(meeting.agenda or {}).get("topics", []), topic]}
        session.add(meeting)
        await session.flush()


async def last_meeting(session: AsyncSession, series_id: int, by: datetime) -> Meeting | None:
    """The series' latest meeting begun by `by` (aware UTC), skipped ones left out:
    the one whose notes `/okr 1on1 @rep notes` opens. None before the first."""
    query = (select(Meeting).where(col(Meeting.series_id) == series_id, col(Meeting.starts_at) <= by,
                                   col(Meeting.status) != SKIPPED)
             .order_by(col(Meeting.starts_at).desc()).limit(1))
    return (await session.exec(query)).first()


async def save_notes(session: AsyncSession, meeting_id: int, notes: str | None, shared: bool,
                     items: Sequence[dict[str, Any]]) -> list[ActionItem] | None:
    """The manager's record of a meeting: notes (private or shared) and action items,
    the action items as stored. Once per meeting: one conditional update takes it, so
    of two conversations (the card's and the command's, two processes) the second
    stores nothing and gets None."""
    result = await session.exec(update(MEETING).where(  # type: ignore[call-overload]
        and_(MEETING.c.id == meeting_id, MEETING.c.notes_at.is_(None)))
        .values(notes=notes, notes_shared=shared, notes_at=utcnow(), status=HELD)
        .execution_options(synchronize_session=False))
    if not result.rowcount:
        return None
    meeting = await session.get(Meeting, meeting_id, populate_existing=True)
    assert meeting is not None
    added = [ActionItem(org_id=meeting.org_id, meeting_id=meeting.id, manager_id=meeting.manager_id,
                        rep_id=meeting.rep_id, owner_id=item["owner_id"], text=item["text"][:500],
                        due_on=item.get("due_on")) for item in items]
    session.add_all(added)
    await session.flush()
    return added


# --- action items ------------------------------------------------------------------------


async def open_items(session: AsyncSession, rep_ids: Iterable[int] | None = None,
                     owner_id: int | None = None, manager_id: int | None = None) -> list[ActionItem]:
    """Open action items, of these reps, of this owner, agreed in this manager's
    one-on-ones (a rep's new manager does not read the previous one's items)."""
    query = select(ActionItem).where(ActionItem.status == "open").order_by(col(ActionItem.id))
    if manager_id is not None:
        query = query.where(ActionItem.manager_id == manager_id)
    if rep_ids is not None:
        query = query.where(col(ActionItem.rep_id).in_(list(rep_ids)))
    if owner_id is not None:
        query = query.where(ActionItem.owner_id == owner_id)
    return list((await session.exec(query)).all())


async def closable_items(session: AsyncSession, person_id: int, org_id: int) -> list[int]:
    """The ids of the open action items `person_id` may close (their own, or ones they
    agreed as the manager), in order: what `/okr done N` names when N matches none."""
    query = select(ActionItem.id).where(
        ActionItem.status == "open", ActionItem.org_id == org_id,
        (col(ActionItem.owner_id) == person_id) | (col(ActionItem.manager_id) == person_id),
    ).order_by(col(ActionItem.id))
    return [int(i) for i in (await session.exec(query)).all()]  # type: ignore[arg-type]


async def get_item(session: AsyncSession, item_id: int) -> ActionItem | None:
    return await session.get(ActionItem, item_id)


async def close_item(session: AsyncSession, item_id: int, now: datetime) -> bool:
    result = await session.exec(update(ActionItem).where(  # type: ignore[call-overload]
        col(ActionItem.id) == item_id, col(ActionItem.status) == "open").values(status="done", done_at=now))
    return bool(result.rowcount)


async def items_to_remind(session: AsyncSession, due_by: date) -> list[ActionItem]:
    query = select(ActionItem).where(ActionItem.status == "open", col(ActionItem.reminded_at).is_(None),
                                     col(ActionItem.due_on).is_not(None), col(ActionItem.due_on) <= due_by)
    return list((await session.exec(query)).all())


async def claim_reminder(session: AsyncSession, item_id: int, now: datetime) -> bool:
    result = await session.exec(update(ActionItem).where(  # type: ignore[call-overload]
        col(ActionItem.id) == item_id, col(ActionItem.reminded_at).is_(None)).values(reminded_at=now))
    return bool(result.rowcount)


# --- alerts ------------------------------------------------------------------------------


async def last_digest(session: AsyncSession, manager_id: int) -> AlertDigest | None:
    query = (select(AlertDigest).where(AlertDigest.manager_id == manager_id)
             .order_by(col(AlertDigest.sent_on).desc()).limit(1))
    return (await session.exec(query)).first()


async def claim_digest(session: AsyncSession, manager_id: int, day: date, until: datetime, alerts: int) -> bool:
    """Claim the manager's digest of local day `day`; false when already sent."""
    statement = upsert(session, AlertDigest.__table__).values(  # type: ignore[attr-defined]
        manager_id=manager_id, sent_on=day, covered_until=until, alerts=alerts, created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["manager_id", "sent_on"]).returning(AlertDigest.id)
    result = await session.exec(statement)  # type: ignore[call-overload]
    return result.first() is not None  # RETURNING: a row only for the one who inserted it


async def prompt_outcomes(session: AsyncSession, rep_ids: Sequence[int], since: datetime, until: datetime,
                          kinds: Sequence[str]) -> list[Occurrence]:
    """The reps' prompts due in [since, until), whatever became of them."""
    query = (select(Occurrence).where(col(Occurrence.person_id).in_(list(rep_ids)), col(Occurrence.kind).in_(kinds),
                                      Occurrence.due_at >= since, Occurrence.due_at < until)
             .order_by(col(Occurrence.due_at)))
    return list((await session.exec(query)).all())


async def absences_added(session: AsyncSession, rep_ids: Sequence[int], since: datetime) -> list[Absence]:
    query = select(Absence).where(col(Absence.person_id).in_(list(rep_ids)), Absence.created_at >= since)
    return list((await session.exec(query)).all())


async def skipped_days(session: AsyncSession, series_ids: Iterable[int]) -> set[tuple[int, date]]:
    """(series, nominal day) of the meetings a manager skipped."""
    query = select(Meeting.series_id, Meeting.nominal_on).where(
        col(Meeting.series_id).in_(list(series_ids)), Meeting.status == SKIPPED)
    return {(s, d) for s, d in (await session.exec(query)).all()}


async def orgs_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, int]:
    """person id -> organisation id."""
    query = select(Person.id, Person.org_id).where(col(Person.id).in_(list(person_ids)))
    return {int(p): int(o) for p, o in (await session.exec(query)).all()}  # type: ignore[arg-type]


async def mark_alerted(session: AsyncSession, occurrence_ids: Sequence[int]) -> None:
    """Remember that a manager heard about these prompts (payload `manager_alerted`)."""
    query = select(Occurrence).where(col(Occurrence.id).in_(list(occurrence_ids)))
    for occurrence in (await session.exec(query)).all():
        occurrence.payload = {**(occurrence.payload or {}), "manager_alerted": True}
        session.add(occurrence)
    await session.flush()


async def managers_with_reports(session: AsyncSession) -> dict[int, list[Person]]:
    """manager id -> their active direct reports."""
    query = select(Person).where(col(Person.manager_id).is_not(None), col(Person.active).is_(True))
    found: dict[int, list[Person]] = {}
    for person in (await session.exec(query)).all():
        found.setdefault(person.manager_id, []).append(person)  # type: ignore[arg-type]
    return found


async def off_track_moves(session: AsyncSession, rep_ids: Sequence[int], since: datetime) -> list[tuple[int, str]]:
    """(rep, key result title) moved to off track since `since` (it was not before)."""
    query = (select(Objective.owner_id, KeyResult.id, KeyResult.title, CheckInAnswer.confidence,
                    CheckInAnswer.answered_at)
             .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
             .join(CheckInAnswer, col(CheckInAnswer.key_result_id) == col(KeyResult.id))
             .where(col(Objective.owner_id).in_(list(rep_ids)), col(CheckInAnswer.confidence).is_not(None))
             .order_by(col(CheckInAnswer.answered_at), col(CheckInAnswer.id)))
    previous: dict[int, str] = {}
    found: list[tuple[int, str]] = []
    for owner, kr_id, title, confidence, answered in (await session.exec(query)).all():
        if answered >= since and confidence == "off_track" and previous.get(kr_id) != "off_track":
            found.append((owner, title))
        previous[kr_id] = confidence  # type: ignore[assignment]
    return found
