"""Absences: `/okr out on July 4th`, `… from March 1 to March 5`, `… until Friday`,
`… for 3 days`, `… next week` (conversations.spans reads them), or `back`. The exact
first and last day away are read back with Save / Cancel buttons, and only a Save
stores them; prompts already planned for those local days are then re-planned (moved
or skipped) at once, by the same rule as a holiday (docs/cadence.md)."""

from __future__ import annotations

from datetime import date, timedelta

import prompts
from bot.cadence import parse_working_days, week_start
from bot.cadence.planner import replan
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import BEFORE_CONVERSATION, Feature
from bot.core.messages import Choice, Message
from conversations.spans import read_absence
from storage import occurrences
from storage import schedule as store

feature = Feature("absence")
ACTION_PREFIX = "absence:"


def parse_absence(args: str, today: date, timezone: str, country: str | None = None,
                  working_days: str | None = None) -> tuple[date, date] | str:
    """(first, last) local day away, or a problem code (conversations.spans)."""
    days = parse_working_days(working_days)
    return read_absence(args, today, timezone, country=country, working_days=days, week_start=week_start(days))


def _choices(first: date, last: date) -> list[Choice]:
    span = f"{first.isoformat()}:{last.isoformat()}"
    return [Choice(prompts.render("cadence/out_label", value="save"), f"{ACTION_PREFIX}save:{span}"),
            Choice(prompts.render("cadence/out_label", value="cancel"), f"{ACTION_PREFIX}cancel")]


@feature.command("out", "/okr out on DATE | until DATE | for 3 days | next week")
async def out_command(turn: Turn, args: str) -> list[Message]:
    """/okr out …: read the days away back in words, with Save / Cancel; `back` ends
    an absence now."""
    person = turn.person
    tz = person.timezone or "UTC"
    today = local_day(turn.now, tz)
    if args.strip().lower() in {"back", "cancel", "off", "over"}:
        async with turn.db.session() as session:
            ended = await store.end_absences(session, person.id, today)  # type: ignore[arg-type]
        if ended:
            await replan(turn.db, [person.id], turn.now)  # type: ignore[list-item]
        return [Message(prompts.render("cadence/out_back" if ended else "cadence/out_none"))]
    parsed = parse_absence(args, today, tz, person.country, person.working_days)
    if isinstance(parsed, str):
        code, _, day = parsed.partition(":")
        problem = "" if code in {"missing", "unreadable"} else prompts.render(
            "cadence/out_problem", code=code, day=date.fromisoformat(day) if day else None)
        return [Message(prompts.render("cadence/out_help", problem=problem), private=True)]
    first, last = parsed
    days = parse_working_days(person.working_days)
    working = sum(1 for i in range((last - first).days + 1)
                  if (first + timedelta(days=i)).isoweekday() in days)
    return [Message(prompts.render("cadence/out_confirm", first=first, last=last, working=working),
                    choices=_choices(first, last), private=True, key=f"absence:{first}:{last}")]


async def _save(turn: Turn, first: date, last: date) -> list[Message]:
    person = turn.person
    today = local_day(turn.now, person.timezone or "UTC")
    if last < today:
        return [Message(prompts.render("cadence/out_help", problem=prompts.render("cadence/out_problem", code="past")),
                        private=True)]
    first = max(first, today)
    async with turn.db.session() as session:
        await store.add_absence(session, person.id, first, last, "out of office")  # type: ignore[arg-type]
    horizon = timedelta(days=(last - today).days + 16)
    await replan(turn.db, [person.id], turn.now, horizon)  # type: ignore[list-item]
    async with turn.db.session() as session:
        rows = await occurrences.occurrences_between(
            session, turn.now - timedelta(days=1), turn.now + horizon, [person.id])  # type: ignore[list-item]
    skipped = sum(1 for row in rows if row.status == occurrences.SKIPPED and (row.reason or "").startswith("absence:"))
    return [Message(prompts.render("cadence/out_recorded", first=first, last=last, skipped=skipped))]


class AbsenceButtons:
    """Save / Cancel under a read-back absence; claimed before a conversation in
    progress could take the click for an answer to its own question."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        action = turn.event.action or ""
        if not action.startswith(ACTION_PREFIX):
            return None
        verb, _, span = action[len(ACTION_PREFIX):].partition(":")
        first, _, last = span.partition(":")
        if verb == "save":
            try:
                return await _save(turn, date.fromisoformat(first), date.fromisoformat(last))
            except ValueError:
                pass
        return [Message(prompts.render("cadence/out_cancelled"), private=True)]


feature.responder(BEFORE_CONVERSATION, AbsenceButtons())
