"""The weekly WIG session (4DX, seed 003): the prompt, `/okr wig` (the scorecard, a
session now, adding and closing wildly important goals and their lead measures),
the `wig_session` flow and its end action (kept commitments, the week's lead-measure
numbers, one or two new commitments), then the team scorecard."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import prompts
from bot.cadence import WIG
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import Feature, PromptKind
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from bot.features.prompt_answers import card, finish_prompt, nudge_card, start_prompt
from conversations.amounts import parse_amount
from conversations.dates import parse_date, planning_year, year_period
from storage import checkins as checkin_store
from storage import occurrences as store
from storage import wig as wig_store
from storage.models import Occurrence, Person

feature = Feature("wig")


def monday(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def session_weeks(day: date) -> tuple[date, date]:
    """(the week a WIG session reports on, the week its new commitments are for), as
    ISO Mondays. A session reports on the week that mostly lies behind it and commits
    for the week mostly ahead: Monday's session (or Sunday's, in a Sunday–Thursday
    week, or Tuesday's after a holiday) reports on last week and plans this one."""
    return monday(day - timedelta(days=4)), monday(day + timedelta(days=3))


def team_lead(person: Person) -> int:
    """Whose team's WIGs apply: a rep's manager's; a manager's (or admin's) own."""
    if person.role == "rep" and person.manager_id is not None:
        return person.manager_id
    return person.id  # type: ignore[return-value]


async def start_session(turn: Turn, occurrence: Occurrence | None) -> list[Message]:
    """Open the WIG session with the team's WIGs, the person's lead measures and what
    they promised for the week it reports on."""
    person = turn.person
    base: dict[str, Any] = {
        "name": first_name(person.name),
        "occurrence_id": occurrence.id if occurrence is not None else None,
    }
    report_week, commit_week = session_weeks(local_day(turn.now, person.timezone))
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, team_lead(person))
        measures = await wig_store.measures(session, [w.id for w in wigs], person.id)  # type: ignore[misc]
        promised = await wig_store.commitments(session, person.id, report_week)  # type: ignore[arg-type]
    base.update(
        subject=f"wig:{commit_week.isoformat()}",
        report_week=report_week.isoformat(),
        commit_week=commit_week.isoformat(),
        wig_id=wigs[0].id if wigs else None,
        wigs=[{"title": w.title, "from_value": w.from_value, "to_value": w.to_value, "unit": w.unit,
               "by_date": w.by_date.strftime("%d %b %Y")} for w in wigs],
        commitments=[{"id": c.id, "text": c.text} for c in promised],
        measures=[{"id": m.id, "title": m.title, "weekly_target": m.weekly_target, "unit": m.unit,
                   "personal": m.owner_id is not None} for m in measures],
    )
    return await start_flow(turn, "wig_session", base)


feature.prompt_kind(PromptKind(WIG, card("cadence/prompt_wig"), nudge_card, start_session))


@feature.action("record_wig_session")
async def record_wig_session(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Store the session (kept commitments, the week's numbers, new commitments) and
    show the person the team scorecard with their numbers on it."""
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
        await checkin_store.record_wig_checkin(session, person.org_id, person.id, context.get("occurrence_id"))  # type: ignore[arg-type]
    await finish_prompt(turn, context)
    return [await scorecard_message(turn, report_week)]


async def scorecard_message(turn: Turn, week: date) -> Message:
    lead = team_lead(turn.person)
    async with turn.db.session() as session:
        wigs, measures, rows = await wig_store.scorecard(session, lead, week)
    text = prompts.render("cadence/wig/scorecard", wigs=wigs, measures=measures, rows=rows,
                          week=week.strftime("%d %b %Y"), leader=turn.person.role != "rep")
    return Message(text, title=prompts.render("cadence/wig/title"))


_WIG = re.compile(r"^(?P<title>.+?)\s+from\s+(?P<from>.+?)\s+to\s+(?P<to>.+?)\s+by\s+(?P<when>.+)$", re.IGNORECASE)
_MEASURE = re.compile(
    r"^(?P<title>.+?)\s*[,:]\s*(?P<n>[\d.,]+\s*[kK]?)\s*(?P<unit>[^\d\s/]*?)\s*(?:per|a|/|each)\s*week"
    r"(?:\s+(?:for|on)\s+(?:wig\s*)?(?P<wig>\d))?\.?$",
    re.IGNORECASE,
)


@feature.command("wig", "/okr wig [start | add … | measure … | close N]")
async def wig_command(turn: Turn, args: str) -> list[Message]:
    """/okr wig [start | add … | measure … | close N]."""
    verb, _, rest = args.strip().partition(" ")
    verb = verb.lower()
    leader = turn.person.role in ("manager", "admin")
    if verb == "":
        return [await scorecard_message(turn, session_weeks(local_day(turn.now, turn.person.timezone))[0])]
    if verb in {"start", "session", "now"}:
        async with turn.db.session() as session:
            occurrence = await store.open_prompt(session, turn.person.id, kind=WIG, snoozed=True)  # type: ignore[arg-type]
        return await start_prompt(turn, occurrence, WIG)
    if verb in {"add", "set"}:
        return [await _add_wig(turn, rest.strip(), leader)]
    if verb in {"measure", "lead"}:
        return [await _add_measure(turn, rest.strip(), leader)]
    if verb in {"close", "done", "remove"}:
        return [await _close_wig(turn, rest.strip(), leader)]
    return [Message(prompts.render("cadence/wig/help", problem="", leader=leader), private=True)]


def _help(problem: str, leader: bool, detail: str = "") -> Message:
    return Message(prompts.render("cadence/wig/help", problem=problem, leader=leader, detail=detail), private=True)


async def _add_wig(turn: Turn, text: str, leader: bool) -> Message:
    if not leader:
        return _help("leaders_only", leader)
    match = _WIG.match(text)
    start = parse_amount(match.group("from")) if match else None
    target = parse_amount(match.group("to")) if match else None
    if match is None or start is None or target is None:
        return _help("format", leader)
    today = local_day(turn.now, turn.person.timezone)
    when = match.group("when").strip().rstrip(".")
    by_date = parse_date(when, today, turn.person.timezone, country=turn.person.country,
                         period=year_period(planning_year(today)))
    if by_date is None or by_date <= today:
        return _help("date", leader, when)
    unit = target[1] or start[1]
    async with turn.db.session() as session:
        wig = await wig_store.add_wig(session, turn.person.org_id, turn.person.id,  # type: ignore[arg-type]
                                      match.group("title").strip(), start[0], target[0], unit, by_date)
        count = len(await wig_store.active_wigs(session, turn.person.id))  # type: ignore[arg-type]
    if wig is None:
        return _help("too_many", leader)
    return Message(prompts.render("cadence/wig/added", kind="wig", number=count, title=wig.title,
                                  from_value=wig.from_value, to_value=wig.to_value, unit=wig.unit,
                                  by_date=wig.by_date.strftime("%d %b %Y")))


async def _add_measure(turn: Turn, text: str, leader: bool) -> Message:
    match = _MEASURE.match(text)
    target = parse_amount(match.group("n")) if match else None
    if match is None or target is None or target[0] <= 0:
        return _help("measure", leader)
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, team_lead(turn.person))
        if not wigs:
            return _help("no_wig", leader)
        index = int(match.group("wig") or 1) - 1
        if not 0 <= index < len(wigs):
            return _help("measure", leader)
        personal = None if leader else turn.person.id
        measure = await wig_store.add_measure(session, wigs[index].id, match.group("title").strip(),  # type: ignore[arg-type]
                                              target[0], (match.group("unit") or "").strip(), personal)
    return Message(prompts.render("cadence/wig/added", kind="measure", personal=personal is not None,
                                  wig=wigs[index].title, title=measure.title, target=measure.weekly_target))


async def _close_wig(turn: Turn, text: str, leader: bool) -> Message:
    if not leader:
        return _help("leaders_only", leader)
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, turn.person.id)  # type: ignore[arg-type]
        number = text.lstrip("#").strip()
        if not number.isdigit() or not 1 <= int(number) <= len(wigs):
            return _help("close", leader)
        wig = wigs[int(number) - 1]
        await wig_store.close_wig(session, wig.id, turn.person.id)  # type: ignore[arg-type]
    return Message(prompts.render("cadence/wig/added", kind="closed", title=wig.title))
