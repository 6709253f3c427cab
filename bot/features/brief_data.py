"""The figures of a one-on-one brief, read once per brief and computed here, so each
section, the coaching questions and the chart agree on one set of numbers.

Windows: "since the last one-on-one" is from the start of the rep's latest meeting
that was not skipped (four weeks back when there was none); WIG commitments and lead
measures cover the last four ISO weeks (Mondays, the rep's local calendar). "What
I'll change" looks back to the last check-in before that window (at most
CHANGE_LOOKBACK earlier) and pairs each change with the rep's answer at the next
check-in ("did you?": yes / partly / no; "not asked yet" before that check-in).

`gather_many` reads the figures of many briefs with one query per kind of figure
(storage/brief_reads.py), so a day of briefs is not a dozen queries per rep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import prompts
from bot.cadence import OKR_CHECKIN, WIG
from bot.core.clock import checkin_day, local_day
from storage import brief_reads as reads
from storage import one_on_ones as store
from storage import schedule
from storage.db import Database
from storage.models import ActionItem, Person
from storage.occurrences import ANSWERED_EARLY

NO_MEETING_WINDOW = timedelta(days=28)
RANK = {"on_track": 0, "at_risk": 1, "off_track": 2}
LATE = timedelta(hours=24)  # answered more than a day after it arrived counts as late
CHANGE_LOOKBACK = timedelta(days=42)  # "what I'll change" said before the window: three bi-weekly check-ins back
BATCH = 500  # reps per round of queries (bounds IN lists and memory)
LAST_MEETING_WITHIN = timedelta(days=366)  # "since the last one-on-one": one held within a year


@dataclass
class BriefData:
    """Everything a brief shows about one rep, for one manager, at one moment."""

    rep: Person
    since: datetime  # the window's start: the last one-on-one, else NO_MEETING_WINDOW back
    now: datetime
    last_meeting: datetime | None = None
    key_results: list[dict[str, Any]] = field(default_factory=list)
    record: dict[str, dict[str, int]] = field(default_factory=dict)
    absences: list[tuple[date, date]] = field(default_factory=list)
    made: int = 0
    kept: int = 0
    measures: list[dict[str, Any]] = field(default_factory=list)
    blockers: list[dict[str, Any]] = field(default_factory=list)
    earlier_change: str | None = None
    earlier_did: str | None = None  # yes / partly / no / unanswered; None: not asked yet
    discovery: list[dict[str, Any]] = field(default_factory=list)
    salary: list[date] = field(default_factory=list)
    items: list[ActionItem] = field(default_factory=list)
    history: dict[int, list[tuple[datetime, float, str | None]]] = field(default_factory=dict)
    owners: dict[int, str] = field(default_factory=dict)  # action item owner id -> name

    @property
    def kept_ratio(self) -> float | None:
        return self.kept / self.made if self.made else None

    def metrics(self) -> dict[str, Any]:
        """The named figures the coaching-question rules test (see coaching.py)."""
        found: dict[str, Any] = {
            "commitments_made": self.made, "commitments_kept": self.kept,
            "commitments_kept_ratio": self.kept_ratio,
            "krs": len(self.key_results),
            "krs_off_track": sum(k["confidence"] == "off_track" for k in self.key_results),
            "krs_at_risk": sum(k["confidence"] == "at_risk" for k in self.key_results),
            "confidence_dropped_value_flat": sum(k["dropped"] and not k["moved"] for k in self.key_results),
            "krs_moved": sum(k["moved"] for k in self.key_results),
            "blockers": len([b for b in self.blockers if b.get("blockers")]),
            "missed_prompts": sum(r.get("missed", 0) for r in self.record.values()),
            "skipped_prompts": sum(r.get("skipped", 0) for r in self.record.values()),
            "late_prompts": sum(r.get("late", 0) for r in self.record.values()),
            "discovery_notes": len(self.discovery),
            "open_items": len(self.items),
            "overdue_items": sum(1 for i in self.items
                                 if i.due_on and i.due_on < local_day(self.now, self.rep.timezone)),
        }
        for measure in self.measures:
            found[f"measure:{measure['title'].lower()}"] = measure["total"]
        return found


def _week(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


async def gather(db: Database, manager: Person, rep: Person, since: datetime | None, now: datetime,
                 history_days: int = 366) -> BriefData:
    """Read and compute one brief's figures (see gather_many)."""
    return (await gather_many(db, [(manager, rep, since)], now, history_days))[0]


async def gather_many(db: Database, requests: Sequence[tuple[Person, Person, datetime | None]], now: datetime,
                      history_days: int = 366, befores: dict[int, datetime] | None = None) -> list[BriefData]:
    """The figures of many briefs — (viewer, rep, start of the last one-on-one or
    None) each — as of `now`: one query per kind of figure per BATCH reps. With
    `befores` (rep id -> the start of the meeting being briefed), the last
    one-on-one is read here too: the latest not skipped before it, within
    LAST_MEETING_WITHIN (`BriefData.last_meeting`)."""
    found: list[BriefData] = []
    for first in range(0, len(requests), BATCH):
        found.extend(await _gather_batch(db, requests[first:first + BATCH], now, history_days, befores))
    return found


async def _gather_batch(db: Database, requests: Sequence[tuple[Person, Person, datetime | None]], now: datetime,
                        history_days: int, befores: dict[int, datetime] | None) -> list[BriefData]:
    async with db.session() as session:
        if befores is not None:
            lasts = await reads.last_meetings(session, {rep.id: befores[rep.id] for _, rep, _ in requests},  # type: ignore[index, misc]
                                              now - LAST_MEETING_WITHIN)
            requests = [(viewer, rep, lasts.get(rep.id)) for viewer, rep, _ in requests]  # type: ignore[arg-type]
        starts = [since or now - NO_MEETING_WINDOW for _, _, since in requests]
        reps = sorted({rep.id for _, rep, _ in requests})  # type: ignore[type-var]
        earliest = min(starts)
        today = max(local_day(now, rep.timezone) for _, rep, _ in requests)
        first_week = _week(min(local_day(now, rep.timezone) for _, rep, _ in requests)) - timedelta(weeks=4)
        krs = await reads.key_results(session, reps)  # type: ignore[arg-type]
        answers = await reads.key_result_answers(session, reps, now - timedelta(days=history_days))  # type: ignore[arg-type]
        outcomes = await store.prompt_outcomes(session, reps, earliest, now, (OKR_CHECKIN, WIG))  # type: ignore[arg-type]
        away = await schedule.absences_between(session, earliest.date(), today, reps)  # type: ignore[arg-type]
        commitments = await reads.commitments(session, reps, first_week, _week(today))  # type: ignore[arg-type]
        entries = await reads.measure_weeks(session, reps, first_week)  # type: ignore[arg-type]
        checkins = await reads.checkins(session, reps, earliest - CHANGE_LOOKBACK)  # type: ignore[arg-type]
        own = await reads.unprompted(session, reps, earliest, now)  # type: ignore[arg-type]
        notes = await reads.discovery(session, reps, earliest)  # type: ignore[arg-type]
        salary = await reads.salary_follow_ups(session, [(v.id, r.id) for v, r, _ in requests],  # type: ignore[misc]
                                               today + timedelta(days=14))
        items = await store.open_items(session, reps)  # type: ignore[arg-type]
        owners = await reads.names(session, {i.owner_id for i in items})
    by_person: dict[int, list[Any]] = {}
    for occurrence in outcomes:
        by_person.setdefault(occurrence.person_id, []).append(occurrence)
    by_rep: dict[int, list[ActionItem]] = {}
    for item in items:
        by_rep.setdefault(item.rep_id, []).append(item)
    out = []
    for (viewer, rep, since), start in zip(requests, starts, strict=True):
        data = BriefData(rep, start, now, last_meeting=since)
        _key_results(data, krs.get(rep.id, []), answers)  # type: ignore[arg-type]
        _record(data, by_person.get(rep.id, []), own.get(rep.id, []))  # type: ignore[arg-type]
        data.absences = sorted(away.get(rep.id, []))  # type: ignore[arg-type, call-overload]
        _wig(data, commitments.get(rep.id, []), entries.get(rep.id, []))  # type: ignore[arg-type]
        _changes(data, checkins.get(rep.id, []))  # type: ignore[arg-type]
        data.discovery = [{"account": name, "on": local_day(at, rep.timezone)}
                          for name, at in notes.get(rep.id, []) if at >= start]  # type: ignore[arg-type]
        data.salary = sorted(day for manager_id, day in salary.get(rep.id, []) if manager_id == viewer.id)  # type: ignore[arg-type]
        data.items = by_rep.get(rep.id, [])  # type: ignore[arg-type]
        data.owners = {i.owner_id: owners.get(i.owner_id, "?") for i in data.items}
        out.append(data)
    return out


def _key_results(data: BriefData, krs: list[Any], answers: dict[int, list[Any]]) -> None:
    """Each key result now and at the window's start. A key result's figure and
    confidence change only at a check-in (`storage.checkins`), so the value "then" is
    the last answer before the window; with no answer since the window began, nothing
    changed ("then" is now). With answers in the window and none before it, the figure
    at the window's start is not known (a quota's booked business at creation is not
    its start value): "then" is None and the brief says so rather than inventing a
    change from the start value. The same for confidence. Only "at risk" and "off
    track" count as at risk; "not rated yet" is not a risk."""
    start = data.since
    for _, kr in krs:
        points = [(at, value, confidence) for value, confidence, at in answers.get(kr.id, []) if value is not None]
        if points:
            data.history[kr.id] = points
    for objective, kr in krs:
        rated = [(at, c) for _, c, at in answers.get(kr.id, []) if c]
        before = [(at, v, c) for at, v, c in data.history.get(kr.id, []) if at < start]
        since = [v for at, v, _ in data.history.get(kr.id, []) if at >= start]
        now_value = kr.reading  # None: no reading yet (a floor, ceiling or rate planned without a figure)
        then_value = before[-1][1] if before else (None if since else now_value)
        rated_before = [c for at, c in rated if at < start]
        then_conf = rated_before[-1] if rated_before else (
            None if any(at >= start for at, _ in rated) else kr.confidence)
        reference = then_value if then_value is not None else (since[0] if since else now_value)
        data.key_results.append({
            "id": kr.id, "objective": objective.title, "title": kr.title, "unit": kr.unit,
            "kind": kr.kind, "per": kr.per,
            "start": kr.start_value, "target": kr.target_value, "now": now_value, "then": then_value,
            "change": None if then_value is None or now_value is None else now_value - then_value,
            "confidence": kr.confidence, "then_confidence": then_conf,
            "progress": kr.progress if now_value is not None else 0.0,
            "moved": _shown(now_value, kr.unit) != _shown(reference, kr.unit),
            "due_on": kr.due_on,
            "created": objective.created_at,
            "dropped": then_conf is not None and RANK.get(kr.confidence, 0) > RANK.get(then_conf, 0),
            "at_risk": kr.confidence in ("at_risk", "off_track"),
        })


def _shown(value: float, unit: str) -> str:
    """A figure as the brief shows it: a change too small to show (3 against
    3.0000001 after a float sum) is no change, rather than "was 3, +0"."""
    return prompts.format_amount(value, unit)


def _record(data: BriefData, outcomes: list[Any], own: list[tuple[str]] | None = None) -> None:
    """Per kind, what became of each prompt due in the window, and ("own") the check-ins
    and WIG sessions done in it without a prompt. A prompt a check-in done before it
    answered (`answered early`) is that check-in, counted once, as done on their own."""
    for occurrence in outcomes:
        if occurrence.due_at < data.since or occurrence.reason == ANSWERED_EARLY:
            continue
        counts = data.record.setdefault(occurrence.kind, {})
        if occurrence.status == "answered":
            late = (occurrence.answered_at is not None and occurrence.delivered_at is not None
                    and occurrence.answered_at - occurrence.delivered_at > LATE)
            status = "late" if late else "answered"
        else:
            status = occurrence.status if occurrence.status in ("missed", "skipped") else "open"
        counts[status] = counts.get(status, 0) + 1
    for (kind,) in own or []:
        counts = data.record.setdefault(kind, {})
        counts["own"] = counts.get("own", 0) + 1


def _wig(data: BriefData, commitments: list[Any], entries: list[Any]) -> None:
    today = local_day(data.now, data.rep.timezone)
    first_week = _week(today) - timedelta(weeks=4)
    recent = [kept for week, kept in commitments if kept is not None and first_week <= week <= _week(today)]
    data.made, data.kept = len(recent), sum(1 for kept in recent if kept)
    by_measure: dict[str, dict[str, Any]] = {}
    for title, target, unit, week, value in entries:
        if week < first_week:
            continue
        found = by_measure.setdefault(title, {"title": title, "target": target, "unit": unit, "weeks": 0, "total": 0.0})
        found["weeks"] += 1
        found["total"] += value
    for measure in by_measure.values():
        measure["average"] = measure["total"] / measure["weeks"] if measure["weeks"] else 0.0
        measure["on_target"] = measure["average"] >= measure["target"]
    data.measures = sorted(by_measure.values(), key=lambda m: m["title"])


def _changes(data: BriefData, checkins: list[tuple[datetime, str | None, str | None, str | None,
                                                  datetime | None]]) -> None:
    """Blockers and "what I'll change" since the window's start, each change with the
    rep's answer at the following check-in; plus the last change said before it. Each
    is dated as `/okr team` dates a check-in (`checkin_day`: the rep's day it was
    completed; the day it was started while still open)."""
    start = data.since
    earliest = start - CHANGE_LOOKBACK
    rows = [row for row in checkins if row[0] >= earliest]
    for index, (started, blockers, change, _, completed) in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) else None
        did = None if following is None else (following[3] or "unanswered")
        if started < start:
            data.earlier_change, data.earlier_did = change, did
        elif blockers or change:
            data.blockers.append({"on": checkin_day(completed or started, data.rep), "blockers": blockers,
                                  "change": change,
                                  "did": did if change else None})
