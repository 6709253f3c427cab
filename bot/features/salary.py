"""Salary-talk preparation (seed 003), for managers and private to them:
`/okr salary-prep @rep` prepares the talk with the rep's figures from the data
coachbot holds, then after the talk records what was agreed, sends the rep a summary
only if the manager chooses, and reminds the manager months later to follow up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import prompts
from bot.cadence.planner import reachable_now
from bot.core.channel import DeliveryError
from bot.core.clock import local_day, now
from bot.core.coach import Coach, Turn
from bot.core.feature import LEADERS, OWN_MANAGER, Feature
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from bot.features.access import left_note, own_report_example, resolve_report
from bot.features.briefs import may_read
from storage import people, salary
from storage.models import SalaryTalk

feature = Feature("salary")


@feature.command("salary-prep", "/okr salary-prep @rep", LEADERS, OWN_MANAGER)
async def start_salary_prep(turn: Turn, args: str) -> list[Message]:
    """`/okr salary-prep @rep`: prepare the talk, or after it, follow it up. Private."""
    rep = await resolve_report(turn, args)
    if rep is None or rep.get("manager_id") != turn.person.id:  # the rep's own manager only, never an admin's
        left = await left_note(turn, args)
        return [left or Message(prompts.render("flows/salary/usage", given=args.strip(),
                                               example=await own_report_example(turn)), private=True)]
    since = turn.now - timedelta(days=365)
    year = local_day(turn.now, turn.person.timezone).year
    async with turn.db.session() as session:
        talk = await salary.open_talk(session, turn.person.id, rep["id"])  # type: ignore[arg-type]
        period = talk_period(await salary.key_result_periods(session, rep["id"]), year)
        figures = await salary.performance(session, rep["id"], since, period)
        done = await salary.completed_checkins(session, rep["id"], since)
        person = await people.get(session, rep["id"])
    figures["period"] = period or str(year)
    zone_of_rep = person.timezone if person is not None else turn.person.timezone
    for kind, name in (("okr_checkin", "checkins_completed"), ("wig", "wig_sessions_completed")):
        # once per day in the rep's calendar: `/okr checkin` run again a minute later is one check-in
        figures[name] = len({local_day(at, zone_of_rep) for k, at in done if k == kind})
    context: dict[str, Any] = {
        "subject": f"salary:{rep['id']}",
        "rep_id": rep["id"],
        "rep_name": rep["name"],
        "rep_first_name": first_name(rep["name"]),
        "first_name": first_name(turn.person.name),
        "figures": figures,
    }
    if talk is not None and talk.status == "prepared":
        context["talk_id"] = talk.id
        context["preparation"] = dict(talk.preparation)
        return await start_flow(turn, "salary_followup", context)
    return await start_flow(turn, "salary_prep", context)


def talk_period(periods: list[str], year: int) -> str | None:
    """The key-result period ("2026") a salary talk in `year` (the manager's local
    year) looks back on: that year's when the rep has key results in it, else the
    latest earlier one; never a later year's (next year's plan, made in November)."""
    earlier = [p for p in periods if p[:4].isdigit() and int(p[:4]) <= year]
    return max(earlier, key=lambda p: (p[:4], p)) if earlier else None


@feature.action("save_salary_prep")
async def save_salary_prep(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Keep the manager's preparation, private to them, until the follow-up."""
    async with turn.db.session() as session:
        await salary.save_preparation(session, turn.person.org_id, turn.person.id,  # type: ignore[arg-type]
                                      int(data["rep_id"]), data["answers"])
    return []


@feature.action("save_salary_outcome")
async def save_salary_outcome(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Record what was agreed; send the rep the summary only if the manager chose to."""
    answers, context = data["answers"], data["context"]
    summary: str | None = answers.get("summary") or prompts.render(
        "flows/salary/summary_draft", answers=answers,
        today=local_day(turn.now, turn.person.timezone).isoformat())
    sent_at: datetime | None = None
    reply: list[Message] = []
    if summary and answers.get("send") == "send":
        text = prompts.render("flows/salary/summary_for_rep", summary=summary,
                              manager_name=turn.person.name, rep_first_name=context["rep_first_name"])
        if await turn.coach.send_copy(int(context["rep_id"]), [Message(text, private=True)]):
            sent_at = turn.now
        reply.append(Message(prompts.render("flows/salary/summary_sent", sent=sent_at is not None,
                                            rep_first_name=context["rep_first_name"]), private=True))
    follow_up = answers.get("follow_up")
    async with turn.db.session() as session:
        talk = await salary.get(session, int(context["talk_id"]))
        if talk is None or talk.manager_id != turn.person.id:
            raise LookupError(f"salary talk {context['talk_id']} is not this manager's")
        await salary.save_outcome(session, talk, answers, summary,
                                  date.fromisoformat(follow_up) if follow_up else None, sent_at)
    return reply


def talked_on(talk: SalaryTalk, timezone: str) -> date:
    """The day a salary talk took place: the day the manager gave in the follow-up
    (`held_on`), else the day it was booked for when that had come by the time the
    outcome was recorded, else the day the outcome was recorded (in `timezone`, the
    manager's), for talks recorded before the follow-up asked."""
    recorded = local_day(talk.updated_at, timezone)
    for day in (talk.outcome.get("held_on"), talk.preparation.get("talk_on")):
        try:
            held = date.fromisoformat(str(day))
        except ValueError:
            continue
        if held <= recorded:
            return held
    return recorded


@feature.job("remind salary follow-ups")
async def remind_salary_follow_ups(coach: Coach) -> int:
    """Remind managers, privately, when the follow-up date of a salary talk has come in
    their own calendar (seed 003: check after a few months that the rep is still happy).
    For the scheduler to call daily; each talk is reminded once. Returns how many."""
    moment = now()
    reminded = 0
    async with coach.db.session() as session:
        due = await salary.follow_ups_due(session, moment.date() + timedelta(days=1))
    awake = await reachable_now(coach.db, {t.manager_id for t in due}, moment)
    for talk in due:
        if talk.manager_id not in awake:
            continue
        async with coach.db.session() as session:
            manager = await people.get(session, talk.manager_id)
            rep = await people.get(session, talk.rep_id)
        if manager is None or rep is None or not rep.active or not may_read(manager, rep, None, False):
            continue  # read when sent: a rep who moved to another manager or left is no longer theirs
        if talk.follow_up_on is None or talk.follow_up_on > local_day(moment, manager.timezone):
            continue
        text = prompts.render("flows/salary/follow_up_due", rep_name=rep.name,
                              rep_first_name=first_name(rep.name), agreed=talk.outcome.get("agreed"),
                              satisfied=talk.outcome.get("satisfied"), next_steps=talk.outcome.get("next_steps"),
                              talked_on=talked_on(talk, manager.timezone))
        try:
            await coach.deliver(manager.id, [Message(text, private=True)])  # type: ignore[arg-type]
        except DeliveryError:
            continue
        async with coach.db.session() as session:
            current = await salary.get(session, talk.id)  # type: ignore[arg-type]
            if current is not None:
                await salary.mark_follow_up_reminded(session, current)
        reminded += 1
    return reminded
