"""Absences: `/okr out until DATE` (or FROM to TO, or `back`). No prompts on those
local days; prompts already planned for them are re-planned (moved or skipped) at
once, by the same rule as a holiday (docs/cadence.md)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import prompts
from bot.cadence.planner import replan
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import Feature
from bot.core.messages import Message
from conversations.dates import parse_date
from storage import occurrences
from storage import schedule as store

feature = Feature("absence")


_RANGE = re.compile(r"^(?:from\s+)?(?P<first>.+?)\s+(?:to|until|till|-|–)\s+(?P<last>.+)$", re.IGNORECASE)


def parse_absence(args: str, today: date, timezone: str) -> tuple[date, date] | str:
    """"until March 3" -> (today, March 3); "2027-03-01 to 2027-03-03" -> that range.
    Returns a problem code when the dates make no sense."""
    text = args.strip()
    text = re.sub(r"^(?:until|till|til|through)\s+", "", text, flags=re.IGNORECASE)
    if not text:
        return "missing"
    match = _RANGE.match(args.strip())
    if match and not re.match(r"^(?:until|till|til|through)\b", args.strip(), re.IGNORECASE):
        first = parse_date(match.group("first"), today, timezone)
        last = parse_date(match.group("last"), today, timezone)
    else:
        first, last = today, parse_date(text, today, timezone)
    if first is None or last is None:
        return "unreadable"
    if last < today:
        return "past"
    if last < first:
        return "backwards"
    if (last - first).days > 366:
        return "too_long"
    return max(first, today), last


@feature.command("out", "/okr out until DATE")
async def out_command(turn: Turn, args: str) -> list[Message]:
    """/okr out until DATE (or FROM to TO, or `back`): no prompts on those local days;
    prompts already planned for them are re-planned (moved or skipped) right away."""
    person = turn.person
    tz = person.timezone or "UTC"
    today = local_day(turn.now, tz)
    if args.strip().lower() in {"back", "cancel", "off", "over"}:
        async with turn.db.session() as session:
            ended = await store.end_absences(session, person.id, today)  # type: ignore[arg-type]
        if ended:
            await replan(turn.db, [person.id], turn.now)  # type: ignore[list-item]
        return [Message(prompts.render("cadence/out_back" if ended else "cadence/out_none"))]
    parsed = parse_absence(args, today, tz)
    if isinstance(parsed, str):
        problem = "" if parsed in {"missing", "unreadable"} else prompts.render("cadence/out_problem", code=parsed)
        return [Message(prompts.render("cadence/out_help", problem=problem), private=True)]
    first, last = parsed
    async with turn.db.session() as session:
        await store.add_absence(session, person.id, first, last, "out of office")  # type: ignore[arg-type]
    horizon = timedelta(days=(last - today).days + 16)
    await replan(turn.db, [person.id], turn.now, horizon)  # type: ignore[list-item]
    async with turn.db.session() as session:
        rows = await occurrences.occurrences_between(
            session, turn.now - timedelta(days=1), turn.now + horizon, [person.id])  # type: ignore[list-item]
    skipped = sum(1 for row in rows if row.status == occurrences.SKIPPED and (row.reason or "").startswith("absence:"))
    return [Message(prompts.render("cadence/out_recorded", first=first.strftime("%a %d %b"),
                                   last=last.strftime("%a %d %b %Y"), skipped=skipped))]
