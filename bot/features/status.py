"""`/okr status` and `/okr team`: objectives and key results with progress and
confidence, shown only to people allowed to see them.

A rep sees their own; a manager sees their direct reports' (`@rep`, an e-mail, or
`team`); an admin sees anyone's in the organisation. Anyone else gets a polite no,
never someone else's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import prompts
from bot.core.clock import checkin_day, local_day
from bot.core.coach import Turn
from bot.core.feature import LEADERS, Feature
from bot.core.messages import Message, Progress
from bot.features.access import left_note, resolve_report
from storage import okrs, people
from storage.models import Person
from storage.okrs import ObjectiveWithResults

feature = Feature("status")

SIGNAL_WEEKS = 8  # missed prompts and commitments not kept count over this many weeks


def summary(objectives: Sequence[ObjectiveWithResults]) -> dict[str, Any]:
    """Counts and the average progress across every key result (weighted)."""
    krs = [kr for o in objectives for kr in o.key_results]
    confidence: dict[str, int] = {}
    for kr in krs:
        confidence[kr.confidence] = confidence.get(kr.confidence, 0) + 1
    return {
        "objectives": len(objectives),
        "key_results": len(krs),
        "progress": okrs.average_progress(krs),  # key results with no reading yet left out
        "confidence": confidence,
        "periods": sorted({o.objective.period for o in objectives}),
    }


def person_messages(person: Person, objectives: Sequence[ObjectiveWithResults],
                    own: bool) -> list[Message]:
    """A header with the totals, then one card per objective with a bar per key result."""
    if not objectives:
        return [Message(prompts.render("status/none", name=person.name, own=own), private=True)]
    out = [Message(prompts.render("status/header", name=person.name, own=own,
                                  summary=summary(objectives)),
                   title=prompts.render("status/title", name=person.name, own=own), private=True)]
    for item in objectives:
        bars = [
            Progress(label=kr.title, ratio=kr.progress if kr.reading is not None else None,
                     caption=prompts.render("status/caption", kr=kr))
            for kr in item.key_results
        ]
        out.append(Message(prompts.render("status/objective", objective=item.objective,
                                          count=len(item.key_results)),
                           progress=bars, private=True))
    return out


@feature.command("status", "/okr status [@rep | team]")
async def status(turn: Turn, args: str) -> list[Message]:
    """`/okr status [@rep | email | team]`."""
    wanted = args.strip()
    if wanted.lower() == "team":
        return await team(turn, "")
    if not wanted or wanted.lower() in ("me", "mine"):
        async with turn.db.reading() as session:
            mine = await okrs.objectives_for(session, [turn.person.id])  # type: ignore[list-item]
        return person_messages(turn.person, mine[turn.person.id], own=True)  # type: ignore[index]
    if turn.person.role not in LEADERS:
        return [Message(prompts.render("status/refused"), private=True)]
    found = await resolve_report(turn, wanted)
    if found is None:
        left = await left_note(turn, wanted)
        return [left or Message(prompts.render("status/unknown", given=wanted), private=True)]
    async with turn.db.session() as session:
        person = await people.get(session, found["id"])
        theirs = await okrs.objectives_for(session, [found["id"]])
    assert person is not None
    return person_messages(person, theirs[found["id"]], own=False)


def risk(totals: dict[str, Any], signals: okrs.TeamSignals) -> tuple[int, ...]:
    """Who comes first on `/okr team` (higher is riskier): anything off track, then
    missed check-ins, then commitments not kept, then anything at risk, then a
    confidence that fell, then blockers. `totals` is the rep's `summary`."""
    confidence = totals["confidence"]
    return (int(confidence.get("off_track", 0) > 0), signals.missed, signals.not_kept,
            int(confidence.get("at_risk", 0) > 0), int(signals.trend == -1), signals.blockers)


@feature.command("team", "/okr team", LEADERS)
async def team(turn: Turn, args: str) -> list[Message]:
    """`/okr team`: one card per report (an admin sees everyone), riskiest first, with
    a bar per objective, the last check-in (on the rep's day: `checkin_day`), the confidence
    trend and open blockers. Channels split what they cannot send whole."""
    if turn.person.role not in LEADERS:
        return [Message(prompts.render("status/refused"), private=True)]
    since = local_day(turn.now, turn.person.timezone) - timedelta(weeks=SIGNAL_WEEKS)
    async with turn.db.session() as session:
        if turn.person.role == "admin":
            members = [p for p in await people.team(session, turn.person.org_id)
                       if p.active and p.id != turn.person.id and p.role != "admin"]
        else:
            members = list(await people.reports(session, turn.person.id))  # type: ignore[arg-type]
        ids = [p.id for p in members]
        found = await okrs.objective_rows(session, ids)  # type: ignore[arg-type]
        signals = await okrs.team_signals(session, ids, since)  # type: ignore[arg-type]
    if not members:
        return [Message(prompts.render("status/team_empty"), private=True)]
    totals = {p.id: summary(found.get(p.id, [])) for p in members}  # type: ignore[arg-type]
    ranked = sorted(members, key=lambda p: (tuple(-v for v in risk(totals[p.id], signals[p.id])),  # type: ignore[index]
                                             p.name.casefold()))
    out = [Message(prompts.render("status/team_header", count=len(members), weeks=SIGNAL_WEEKS), private=True)]
    captions: dict[tuple[Any, ...], str] = {}  # a big team repeats the same few captions
    for member in ranked:
        objectives = found.get(member.id, [])  # type: ignore[arg-type]
        signal = signals[member.id]  # type: ignore[index]
        bars = []
        for item in objectives:
            part = summary([item])
            key = (part["key_results"], round((part["progress"] or 0) * 1000),
                   tuple(sorted(part["confidence"].items())))
            if key not in captions:
                captions[key] = prompts.render("status/team_caption", summary=part)
            bars.append(Progress(label=item.objective.title, ratio=part["progress"] or 0.0, caption=captions[key]))
        last = checkin_day(signal.last_checkin, member) if signal.last_checkin else None
        out.append(Message(prompts.render("status/team_row", summary=totals[member.id], signal=signal, last=last),  # type: ignore[index]
                           title=member.name, progress=bars, private=True))
    return out
