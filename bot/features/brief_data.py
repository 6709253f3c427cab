"""The figures of a one-on-one brief, read once per brief and computed here, so each
section, the coaching questions and the chart agree on one set of numbers.

Windows: "since the last one-on-one" is from the start of the rep's latest meeting
that was not skipped (four weeks back when there was none); WIG commitments and lead
measures cover the last four ISO weeks (Mondays, the rep's local calendar).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.cadence import OKR_CHECKIN, WIG
from bot.core.clock import local_day
from storage import one_on_ones as store
from storage import schedule
from storage.db import Database
from storage.models import ActionItem, Person

NO_MEETING_WINDOW = timedelta(days=28)
RANK = {"on_track": 0, "at_risk": 1, "off_track": 2}
LATE = timedelta(hours=24)  # answered more than a day after it arrived counts as late


@dataclass
class BriefData:
    """Everything a brief shows about one rep, for one manager, at one moment."""

    rep: Person
    since: datetime
    now: datetime
    key_results: list[dict[str, Any]] = field(default_factory=list)
    record: dict[str, dict[str, int]] = field(default_factory=dict)
    absences: list[tuple[date, date]] = field(default_factory=list)
    made: int = 0
    kept: int = 0
    measures: list[dict[str, Any]] = field(default_factory=list)
    blockers: list[dict[str, Any]] = field(default_factory=list)
    earlier_change: str | None = None
    discovery: list[dict[str, Any]] = field(default_factory=list)
    salary: list[date] = field(default_factory=list)
    items: list[ActionItem] = field(default_factory=list)
    history: dict[int, list[tuple[datetime, float, str | None]]] = field(default_factory=dict)

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
    """Read and compute a brief's figures: a dozen indexed queries, whatever the team."""
    start = since or now - NO_MEETING_WINDOW
    today = local_day(now, rep.timezone)
    first_week = _week(today) - timedelta(weeks=4)
    data = BriefData(rep, start, now)
    async with db.session() as session:
        krs = await store.key_results(session, rep.id)  # type: ignore[arg-type]
        answers = await store.key_result_answers(session, [kr.id for _, kr in krs],  # type: ignore[misc]
                                                 now - timedelta(days=history_days))
        outcomes = await store.prompt_outcomes(session, [rep.id], start, now, (OKR_CHECKIN, WIG))  # type: ignore[list-item]
        away = await schedule.absences_between(session, start.date(), today, [rep.id])  # type: ignore[list-item]
        commitments = await store.commitments_between(session, rep.id, first_week, _week(today))  # type: ignore[arg-type]
        entries = await store.measure_weeks(session, rep.id, first_week)  # type: ignore[arg-type]
        checkins = await store.checkins_since(session, rep.id, start)  # type: ignore[arg-type]
        earlier = await store.checkin_before(session, rep.id, start)  # type: ignore[arg-type]
        notes = await store.discovery_since(session, rep.id, start)  # type: ignore[arg-type]
        salary = await store.salary_follow_ups(session, manager.id, rep.id, today + timedelta(days=14))  # type: ignore[arg-type]
        items = await store.open_items(session, [rep.id])  # type: ignore[list-item]
    for kr_id, value, confidence, at in answers:
        if value is not None:
            data.history.setdefault(kr_id, []).append((at, value, confidence))
    for objective, kr in krs:
        before = [(at, v, c) for at, v, c in data.history.get(kr.id, []) if at < start]  # type: ignore[arg-type]
        then_value = before[-1][1] if before else kr.start_value
        then_conf = next((c for _, _, c in reversed(before) if c), "on_track")
        moved = abs(kr.current_value - then_value) > 1e-9
        data.key_results.append({
            "id": kr.id, "objective": objective.title, "title": kr.title, "unit": kr.unit,
            "start": kr.start_value, "target": kr.target_value, "now": kr.current_value, "then": then_value,
            "change": kr.current_value - then_value, "confidence": kr.confidence, "then_confidence": then_conf,
            "progress": kr.progress, "moved": moved, "due_on": kr.due_on, "created": objective.created_at,
            "dropped": RANK.get(kr.confidence, 0) > RANK.get(then_conf, 0),
            "at_risk": kr.confidence != "on_track",
        })
    for occurrence in outcomes:
        counts = data.record.setdefault(occurrence.kind, {})
        if occurrence.status == "answered":
            late = (occurrence.answered_at is not None and occurrence.delivered_at is not None
                    and occurrence.answered_at - occurrence.delivered_at > LATE)
            status = "late" if late else "answered"
        else:
            status = occurrence.status if occurrence.status in ("missed", "skipped") else "open"
        counts[status] = counts.get(status, 0) + 1
    data.absences = sorted(away.get(rep.id, []))  # type: ignore[call-overload]
    recent = [c for c in commitments if c.kept is not None]
    data.made, data.kept = len(recent), sum(1 for c in recent if c.kept)
    by_measure: dict[str, dict[str, Any]] = {}
    for title, target, unit, _, value in entries:
        found = by_measure.setdefault(title, {"title": title, "target": target, "unit": unit, "weeks": 0, "total": 0.0})
        found["weeks"] += 1
        found["total"] += value
    for measure in by_measure.values():
        measure["average"] = measure["total"] / measure["weeks"] if measure["weeks"] else 0.0
        measure["on_target"] = measure["average"] >= measure["target"]
    data.measures = sorted(by_measure.values(), key=lambda m: m["title"])
    data.blockers = [{"on": local_day(c.started_at, rep.timezone), "blockers": c.blockers, "change": c.change_next}
                     for c in checkins if c.blockers or c.change_next]
    data.earlier_change = earlier.change_next if earlier is not None else None
    data.discovery = [{"account": name, "on": local_day(note.recorded_at, rep.timezone)} for name, note in notes]
    data.salary = sorted(t.follow_up_on for t in salary if t.follow_up_on is not None)
    data.items = items
    return data
