"""The weekly WIG session itself (4DX, seed 003): opening it with the team's WIGs, the
person's lead measures and what they promised (`start_session`), and storing what they
answered before showing the team scorecard (`record_wig_session`, the `wig_session`
flow's end action). Registered on the WIG feature by `bot.features.wig`."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.clock import local_day, saved_instant
from bot.core.coach import Turn
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from bot.features import scorecard
from bot.features.prompt_answers import finish_prompt
from bot.features.weeks import session_weeks, team_lead, week_of, week_span, week_start_of
from conversations.wig_text import shown_day
from storage import checkins as checkin_store
from storage import scorecard as scorecard_store
from storage import wig as wig_store
from storage.db import AsyncSession
from storage.models import Occurrence, Person


async def start_session(turn: Turn, occurrence: Occurrence | None) -> list[Message]:
    """Open the WIG session with the team's WIGs, the person's lead measures and what
    they promised for the week it reports on."""
    person = turn.person
    base: dict[str, Any] = {
        "name": first_name(person.name),
        "occurrence_id": occurrence.id if occurrence is not None else None,
        "started_at": turn.now.isoformat(),  # the check-in row's started_at (storage.checkins)
        "leader": person.role != "rep",  # who sets a WIG: the close says so when there is none
    }
    report_week, commit_week = session_weeks(today := local_day(turn.now, person.timezone))
    async with turn.db.session() as session:
        lists, sourced = await wig_lists(session, person)
        promised = await wig_store.commitments(session, person.id, report_week)  # type: ignore[arg-type]
    base.update(
        subject=f"wig:{commit_week.isoformat()}",
        report_week=report_week.isoformat(), report_span=week_span(report_week, today, start := week_start_of(person)),
        commit_week=commit_week.isoformat(), commit_span=week_span(commit_week, today, start),
        commitments=[{"id": c.id, "text": c.text} for c in promised],
        read_measures=await _readings(turn, sourced),
        **lists,
    )
    return await start_flow(turn, "wig_session", base)


async def wig_lists(session: AsyncSession, person: Person) -> tuple[dict[str, Any], list[Any]]:
    """What a session asks about now, as its flow context holds it: `wigs` (the team's
    active WIGs: id, title, from_value, to_value, unit, by_date as shown), `wig_id`
    (the first one's, or None), `measures` (the person's typed lead measures: id,
    title, weekly_target, unit, personal) and `lag_wigs` (the WIGs the person leads:
    id, title, unit, from_value, to_value, `last` reading value or None, `last_at`
    when it was recorded, ISO, or None); and the lead measures a feature reads.

    A typed lead measure is asked only where the team scorecard counts the answer:
    of the team's reps (each a row, the team's total the sum of theirs), never of
    the team's manager, who leads the session (commitments, the lag measure) and
    whose number no row or total would show (`storage.scorecard.team_weeks`)."""
    lead = team_lead(person)
    wigs = await wig_store.active_wigs(session, lead)
    measures = await wig_store.measures(session, [w.id for w in wigs], person.id)  # type: ignore[misc]
    led = [w for w in wigs if w.manager_id == person.id]
    last = await scorecard_store.readings(session, [w.id for w in led])  # type: ignore[misc]
    lists = {
        "wig_id": wigs[0].id if wigs else None,
        "wigs": [{"id": w.id, "title": w.title, "from_value": w.from_value, "to_value": w.to_value, "unit": w.unit,
                  "by_date": shown_day(w.by_date)} for w in wigs],
        "measures": [{"id": m.id, "title": m.title, "weekly_target": m.weekly_target, "unit": m.unit,
                      "personal": m.owner_id is not None} for m in measures
                     if not m.source and (lead != person.id or m.owner_id == person.id)],
        "lag_wigs": [{"id": w.id, "title": w.title, "unit": w.unit, "from_value": w.from_value,
                      "to_value": w.to_value, "last": last[w.id][-1].value if last[w.id] else None,  # type: ignore[index]
                      "last_at": last[w.id][-1].recorded_at.isoformat() if last[w.id] else None}  # type: ignore[index]
                     for w in led],
    }
    return lists, [m for m in measures if m.source]


async def _readings(turn: Turn, measures: list[Any]) -> list[dict[str, Any]]:
    """The read lead measures' numbers for this person now, from the features that
    registered their source (`Feature.measure_source`); a source no longer loaded is
    left out."""
    sources = turn.coach.features.measure_sources
    out: list[dict[str, Any]] = []
    for measure in measures:
        source = sources.get(measure.source)
        if source is None:
            continue
        reading = await source.read(turn.coach, turn.person.id, turn.now)  # type: ignore[arg-type]
        out.append({"id": measure.id, "title": measure.title, "value": reading.value, "text": str(reading.text)})
    return out


async def record_wig_session(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Store the session (kept commitments, the week's numbers, new commitments) and
    show the person the team scorecard with their numbers on it; with no WIG in the
    session there is no card to show (its close, `cadence/wig/done`, says how one is set)."""
    answers, context = data.get("answers") or {}, data.get("context") or {}
    person = turn.person
    today = local_day(turn.now, person.timezone)
    default_report, default_commit = session_weeks(today)
    report_week = date.fromisoformat(context.get("report_week") or default_report.isoformat())
    commit_week = date.fromisoformat(context.get("commit_week") or default_commit.isoformat())
    kept = [(int(k["id"]), bool(k["kept"]), k.get("reason")) for k in answers.get("kept") or []]
    numbers = [(int(n["id"]), float(n["value"])) for n in answers.get("numbers") or []]
    async with turn.db.session() as session:
        await wig_store.save_session(session, person.id, report_week, commit_week, kept, numbers,  # type: ignore[arg-type]
                                     list(answers.get("new_commitments") or [])[:2], context.get("wig_id"))
        await checkin_store.record_wig_checkin(session, person.org_id, person.id,  # type: ignore[arg-type]
                                               context.get("occurrence_id"), saved_instant(context.get("started_at")))
        for lag in answers.get("lag") or []:  # the team's lag measure, from its manager
            if any(w["id"] == lag["id"] for w in context.get("lag_wigs") or []):
                await scorecard_store.record_reading(session, int(lag["id"]), week_of(today, week_start_of(person)),
                                                     float(lag["value"]), person.id)
    await finish_prompt(turn, context)
    await _late(turn, report_week, numbers, context)
    if not context.get("wigs"):
        return []
    return await scorecard.scorecard_messages(turn.coach, team_lead(person), report_week, today,
                                              leader=person.role != "rep", chart=False, timezone=person.timezone,
                                              week_start=week_start_of(person))


async def _late(turn: Turn, report_week: date, numbers: list[tuple[int, float]], context: dict[str, Any]) -> None:
    """Numbers that arrive after the week's scorecard post go in its thread."""
    measures = {m["id"]: m for m in context.get("measures") or []}
    shown = [(measures[i]["title"], value, measures[i]["weekly_target"]) for i, value in numbers if i in measures]
    await scorecard.late_answer(turn.coach, turn.person, report_week, shown)
