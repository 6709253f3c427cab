"""`/okr status` and `/okr team`: objectives and key results with progress and
confidence, shown only to people allowed to see them.

A rep sees their own; a manager sees their direct reports' (`@rep`, an e-mail, or
`team`); an admin sees anyone's in the organisation. Anyone else gets a polite no,
never someone else's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import prompts
from bot.core.coach import Turn
from bot.core.feature import LEADERS, Feature
from bot.core.messages import Message, Progress
from bot.features.access import resolve_report
from storage import okrs, people
from storage.models import Person
from storage.okrs import ObjectiveWithResults

feature = Feature("status")


def summary(objectives: Sequence[ObjectiveWithResults]) -> dict[str, Any]:
    """Counts and the average progress across every key result (weighted)."""
    krs = [kr for o in objectives for kr in o.key_results]
    weight = sum(kr.weight for kr in krs)
    confidence: dict[str, int] = {}
    for kr in krs:
        confidence[kr.confidence] = confidence.get(kr.confidence, 0) + 1
    return {
        "objectives": len(objectives),
        "key_results": len(krs),
        "progress": sum(kr.progress * kr.weight for kr in krs) / weight if weight else None,
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
            Progress(label=kr.title, ratio=kr.progress,
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
        async with turn.db.session() as session:
            mine = await okrs.objectives_for(session, [turn.person.id])  # type: ignore[list-item]
        return person_messages(turn.person, mine[turn.person.id], own=True)  # type: ignore[index]
    if turn.person.role not in LEADERS:
        return [Message(prompts.render("status/refused"), private=True)]
    found = await resolve_report(turn, wanted)
    if found is None:
        return [Message(prompts.render("status/unknown", given=wanted), private=True)]
    async with turn.db.session() as session:
        person = await people.get(session, found["id"])
        theirs = await okrs.objectives_for(session, [found["id"]])
    assert person is not None
    return person_messages(person, theirs[found["id"]], own=False)


@feature.command("team", "/okr team", LEADERS)
async def team(turn: Turn, args: str) -> list[Message]:
    """`/okr team`: one line per report (an admin sees everyone), a bar per objective."""
    if turn.person.role not in LEADERS:
        return [Message(prompts.render("status/refused"), private=True)]
    async with turn.db.session() as session:
        if turn.person.role == "admin":
            members = [p for p in await people.team(session, turn.person.org_id)
                       if p.active and p.id != turn.person.id and p.role != "admin"]
        else:
            members = list(await people.reports(session, turn.person.id))  # type: ignore[arg-type]
        found = await okrs.objectives_for(session, [p.id for p in members])  # type: ignore[misc]
    if not members:
        return [Message(prompts.render("status/team_empty"), private=True)]
    out = [Message(prompts.render("status/team_header", count=len(members)), private=True)]
    for member in members:
        objectives = found.get(member.id, [])  # type: ignore[arg-type]
        bars = []
        for item in objectives:
            part = summary([item])
            bars.append(Progress(label=item.objective.title, ratio=part["progress"] or 0.0,
                                 caption=prompts.render("status/team_caption", summary=part)))
        out.append(Message(prompts.render("status/team_row", summary=summary(objectives)),
                           title=member.name, progress=bars, private=True))
    return out
