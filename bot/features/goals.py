"""New Year goal-setting (seeds 000 and 002): `/okr goals [YEAR]` plays the `goals`
flow; its end action stores the objectives and key results, the rep's review rhythm,
and sends the written plan to the manager."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import prompts
from bot.cadence import OKR_CHECKIN, default_rule, parse_working_days
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import Feature
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from conversations import goal_numbers
from conversations.locales import ascii_digits
from storage import checkins, okrs, people
from storage.models import KeyResult, Person

feature = Feature("goals")

REVIEW_INTERVALS = ("weekly", "biweekly", "monthly")


def goal_year(today: date, args: str) -> int | None:
    """The year `/okr goals [YEAR]` plans: the one typed ("2027", "for 2027"), last
    year to two years ahead; without one, the coming year from October on (seed 002:
    Q4 or early Q1). None for anything else ("2O27", "2207", "-2027", "next"), which is
    asked again with an example rather than planned for a year nobody chose. Digits
    of other scripts read as digits ("٢٠٢٧")."""
    words = ascii_digits(args).strip().lower()
    default = today.year + 1 if today.month >= 10 else today.year
    if not words:
        return default
    found = re.fullmatch(r"(?:for\s+)?(\d{4})", words)
    year = int(found.group(1)) if found else None
    return year if year is not None and today.year - 1 <= year <= today.year + 2 else None


@feature.command("goals", "/okr goals")
async def start_goals(turn: Turn, args: str) -> list[Message]:
    """`/okr goals [YEAR]`: the New Year goal-setting conversation."""
    today = local_day(turn.now, turn.person.timezone)
    year = goal_year(today, args)
    if year is None:
        return [Message(prompts.render("flows/goals/which_year", given=args.strip()[:40],
                                       example=goal_year(today, "")), private=True)]
    manager: Person | None = None
    async with turn.db.session() as session:
        if turn.person.manager_id is not None:
            manager = await people.get(session, turn.person.manager_id)
        plans = await okrs.objectives_for(session, [turn.person.id])  # type: ignore[list-item]
        last = await checkins.last_checkin(session, turn.person.id)  # type: ignore[arg-type]
    existing = [o for o in plans[turn.person.id] if o.objective.period == str(year)]  # type: ignore[index]
    context = {
        "subject": f"goals:{year}",
        "year": str(year),
        "first_name": first_name(turn.person.name),
        "rep_name": turn.person.name,
        "manager_name": first_name(manager.name) if manager else prompts.render("flows/goals/no_manager"),
        "has_manager": manager is not None,
        "selling_role": turn.person.selling_role,
        # the plan this one replaces when saved (said at the start and at the save question)
        "replaces": {"objectives": len(existing), "key_results": sum(len(o.key_results) for o in existing),
                     "last_checkin": local_day(last.completed_at, turn.person.timezone).isoformat()
                     if last is not None and last.completed_at is not None else None} if existing else None,
    }
    return await start_flow(turn, "goals", context)


def review_rule(choice: str, working_days: str | None) -> tuple[str, str, date | None]:
    """The check-in rule for the review rhythm a rep chose: the built-in check-in day
    and time (the second working day of their week), every one, two weeks or the
    first such day of each month. Returns (rrule, local time, anchor)."""
    base = default_rule(OKR_CHECKIN, parse_working_days(working_days))
    day = next(p for p in base.rrule.split(";") if p.startswith("BYDAY="))[len("BYDAY="):]
    rules = {
        "weekly": f"FREQ=WEEKLY;BYDAY={day}",
        "biweekly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}",
        "monthly": f"FREQ=MONTHLY;BYDAY=+1{day}",
    }
    return rules[choice], base.local_time.strftime("%H:%M"), base.anchor_on


def _key_results(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"title": kr.get("text") or "", "target": kr.get("target") or 0, "start": kr.get("start"),
         "unit": kr.get("unit") or "", "due": kr.get("due"), "kind": kr.get("kind") or "total",
         "per": kr.get("per")}
        for kr in items
    ]


def number_key_results(answers: Mapping[str, Any], year: str) -> list[dict[str, Any]]:
    """The rep's numbers the rep kept, as key results (`okrs.create_objective` dicts):
    the quota (kind "quota": booked business is its current value, so it counts as
    attained), new customers (a total) and retention (a floor to keep, in percent), as
    the flow offered them (`answers["numbers"]`, conversations.goal_numbers: one that
    repeats the rep's own key result is kept only if picked). A conversation begun
    before the flow offered them one by one computes them here, every one kept."""
    numbers = answers.get("numbers")
    if numbers is None:
        numbers = goal_numbers.number_key_results(answers.get("quota"), answers.get("booked"),
                                                  answers.get("new_customers"), answers.get("retention"), [], year)
    return [{"title": prompts.render("flows/goals/number_title", n=n, year=year), "target": n["target"],
             "start": n.get("start"), "kind": n.get("kind") or "total", "current": n.get("current"),
             "unit": n.get("unit") or "", "due": n.get("due")}
            for n in numbers if n.get("keep", True)]


@feature.action("save_goals")
async def save_goals(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Store the objectives and key results, then send the plan to the manager. The
    numbers become key results only where the rep agreed (`numbers_where`): their
    own objective (never a fourth one), under the first objective, or not at all."""
    answers, context = data["answers"], data["context"]
    year = str(context["year"])
    org_id, owner_id = turn.person.org_id, turn.person.id
    objectives = list(answers.get("objectives") or [])
    numbers = number_key_results(answers, year)
    where = answers.get("numbers_where")
    if where == "own" and len(objectives) >= 3:
        where = "first"  # the top-three rule holds whatever the stored answer says
    plan: list[tuple[str, int | None, list[dict[str, Any]]]] = []
    for index, objective in enumerate(objectives):
        results = _key_results(objective.get("key_results") or [])
        if index == 0 and where == "first":
            results += numbers
        plan.append((objective["title"], objective.get("priority"), results))
    if numbers and where == "own":
        plan.append((prompts.render("flows/goals/objective_numbers", year=year), None, numbers))
    async with turn.db.session() as session:
        retired = await okrs.replace_period(session, owner_id, year)  # type: ignore[arg-type]
        carried = carry_forward(retired, [kr for _, _, results in plan for kr in results])
        for title, priority, results in plan:
            await okrs.create_objective(session, org_id, owner_id, title, year, priority, results)  # type: ignore[arg-type]
        cadence = answers.get("cadence")
        if cadence in REVIEW_INTERVALS:
            rrule, local_time, anchor = review_rule(cadence, turn.person.working_days)
            await okrs.set_person_cadence(session, org_id, owner_id, OKR_CHECKIN,  # type: ignore[arg-type]
                                          rrule, local_time, anchor)
    manager_name = context.get("manager_name") if context.get("has_manager") else None
    sent = False
    if turn.person.manager_id is not None:
        plan = prompts.render("flows/goals/for_manager", answers=answers, context=context)
        sent = await turn.coach.send_copy(turn.person.manager_id, [Message(plan)])
    out = [Message(prompts.render("flows/goals/sent_to_manager", sent=sent, manager_name=manager_name))]
    if carried:
        out.append(Message(prompts.render("flows/goals/carried", carried=carried, year=year)))
    return out


def carry_forward(retired: Sequence[KeyResult], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each new key result (dicts as `okrs.create_objective` takes them, changed in
    place) that keeps a retired one's measure its reading and confidence: the same
    title, target and unit first, then `okrs.same_measure` ("Close 12 new logos" ->
    "Close 15 new logos"); each retired one carries into one new one at most. A value
    given in this conversation (the business booked, for the quota) wins over the old
    reading. Returns what was carried: [{title, current, target, unit, kind, per,
    confidence}] for the note to the rep."""
    def shape(kr: KeyResult) -> dict[str, Any]:
        return {"title": kr.title, "unit": kr.unit, "kind": kr.kind}

    left = list(retired)
    carried: list[dict[str, Any]] = []
    for exact in (True, False):
        for item in new:
            if item.get("carried"):
                continue
            old = next((kr for kr in left if okrs.same_measure(shape(kr), item) and (
                not exact or (kr.title.casefold() == str(item["title"]).casefold()
                              and kr.target_value == float(item.get("target") or 0)))), None)
            if old is None:
                continue
            left.remove(old)
            item["carried"] = True
            if item.get("current") is None and old.reading is not None:
                item["current"] = old.reading
            item["confidence"] = old.confidence
            carried.append({"title": item["title"], "current": item.get("current"), "target": item.get("target"),
                            "unit": item.get("unit") or "", "kind": item.get("kind") or "total",
                            "per": item.get("per"), "confidence": old.confidence})
    return carried
