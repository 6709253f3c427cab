"""A person's home view as neutral messages: objectives with progress and confidence,
the next check-in, open commitments, and for managers their team.

Platform-neutral on purpose: Slack renders it as the App Home tab (`Coach.home`),
Teams could show the same list as cards. Reads only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import prompts
from bot.cadence import PROMPT_KINDS
from bot.cadence.planner import plan_population
from bot.cadence.population import load_population
from bot.core.clock import zone
from bot.core.coach import Coach
from bot.core.feature import LEADERS, Feature
from bot.core.messages import Field, Message, Progress
from bot.features.weeks import own_start, week_start_of
from storage import occurrences, okrs, people, wig
from storage.db import Database
from storage.models import KeyResult, Person

feature = Feature("home")


def _local(instant: datetime, timezone: str) -> str:
    return instant.astimezone(zone(timezone)).strftime("%A %d %B, %H:%M")


def _bars(key_results: list[KeyResult]) -> list[Progress]:
    return [
        Progress(kr.title, kr.progress if kr.reading is not None else None, prompts.render(
            "home/key_result", current=kr.reading, target=kr.target_value, start=kr.start_value,
            unit=kr.unit, confidence=kr.confidence, kind=kr.kind, per=kr.per,
        ))
        for kr in key_results
    ]


async def next_prompt(db: Database, person: Person, now: datetime) -> tuple[datetime, str] | None:
    """When the person's next prompt comes, and of which kind: a stored one (the
    dispatcher stores only the next day and a half, and snoozed prompts), else the next
    slot their cadences will produce (a bi-weekly check-in ten days away)."""
    async with db.session() as session:
        stored = await occurrences.next_prompt(session, person.id, now, PROMPT_KINDS)  # type: ignore[arg-type]
    if stored is not None:
        return stored.due_at, stored.kind
    population = await load_population(db, now, [person.id], days=100)  # type: ignore[list-item]
    slots = sorted((s for s in plan_population(population, now, now + timedelta(days=62))
                    if s.due_at is not None), key=lambda s: s.effective)
    if not slots:
        return None
    async with db.session() as session:
        handled = await occurrences.by_keys(session, [s.key for s in slots])  # sent, answered, skipped …
    return next(((s.effective, s.kind) for s in slots if s.key not in handled), None)


@feature.home_section
async def home_messages(coach: Coach, person: Person, now: datetime) -> list[Message]:
    """Everything the home view shows for `person`, most personal first."""
    db = coach.db
    leader = person.role in LEADERS
    async with db.session() as session:
        mine = (await okrs.objectives_for(session, [person.id]))[person.id]  # type: ignore[list-item,index]
        commitments = await wig.open_commitments(session, person.id)  # type: ignore[arg-type]
        team = list(await people.reports(session, person.id)) if leader else []  # type: ignore[arg-type]
        team_objectives = await okrs.objectives_for(session, [p.id for p in team])  # type: ignore[misc]
    upcoming = await next_prompt(db, person, now)

    period = mine[0].objective.period if mine else ""
    messages = [Message(prompts.render("home/objectives", count=len(mine), period=period),
                        title=prompts.render("home/objectives_title"))]
    for view in mine:
        messages.append(Message("", title=view.objective.title, progress=_bars(view.key_results)))

    when = _local(upcoming[0], person.timezone) if upcoming is not None else None
    messages.append(Message(
        prompts.render("home/next", when=when, kind=upcoming[1] if upcoming else None),
        title=prompts.render("home/next_title"),
    ))
    start = week_start_of(person)  # a week is shown as the person's own (Sun 10 Jan, not Mon 11, for Sun–Thu)
    messages.append(Message(prompts.render("home/commitments", commitments=commitments,
                                           first_days={c.id: own_start(c.week_start, start) for c in commitments}),
                            title=prompts.render("home/commitments_title")))

    if leader:
        rows: list[Field] = []
        bars: list[Progress] = []
        for report in team:
            krs = [kr for view in team_objectives[report.id] for kr in view.key_results]  # type: ignore[index]
            rows.append(Field(report.name, prompts.render(
                "home/team_row", krs=len(krs),
                at_risk=sum(kr.confidence == "at_risk" for kr in krs),
                off_track=sum(kr.confidence == "off_track" for kr in krs),
            )))
            if (average := okrs.average_progress(krs, weighted=False)) is not None:  # read ones only
                bars.append(Progress(report.name, average))
        messages.append(Message(prompts.render("home/team", rows=rows),
                                title=prompts.render("home/team_title"), fields=rows, progress=bars))
    return messages
