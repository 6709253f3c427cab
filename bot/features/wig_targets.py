"""`/okr wig target @rep MEASURE N` (one rep's own weekly target for a team lead
measure) and `/okr wig close N`: the sub-commands of `bot.features.wig` that change
what a WIG asks of people rather than its numbers."""

from __future__ import annotations

import prompts
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.messages import Message
from bot.features.access import resolve_report
from bot.features.weeks import session_weeks, week_span, week_start_of
from bot.features.wig_replies import mark, whole, wig_help
from conversations.counts import MAX_WHOLE
from conversations.locales import small_number
from conversations.validators import typed_digits
from conversations.wig_text import weekly_problem
from storage import scorecard as scorecard_store
from storage import wig as wig_store


async def set_target(turn: Turn, text: str, leader: bool) -> Message:
    """`/okr wig target @rep Discovery calls 8` (or `team` to go back to the team's
    target): one rep's own weekly target for a team lead measure. A target is kept
    per rep, not per week, so the scorecard shows it for whichever week it shows; the
    reply names the week `/okr scorecard` shows the manager now (their local day,
    `session_weeks`: last week until Thursday, this week from Friday), written as the
    scorecard writes it ("last week (11–17 Jan 2027)")."""
    if not leader:
        return wig_help("leaders_only", leader)
    who, _, rest = text.partition(" ")
    title, _, amount = rest.strip().rpartition(" ")
    value = None if amount.lower() == "team" else whole(amount, mark(turn))
    rep = await resolve_report(turn, who) if who else None
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, turn.person.id)  # type: ignore[arg-type]
        every = await wig_store.measures(session, [w.id for w in wigs])  # type: ignore[misc]
        found = [m for m in every if title and m.title.lower().startswith(title.strip().lower())]
        if rep is None or len(found) != 1 or (value is None and amount.lower() != "team"):
            return wig_help("target", leader, text, every[0].title if every else None)
        if value is not None and (problem := weekly_problem(value[0])) not in (None, "weekly_zero"):  # "-8", "(8)"
            return wig_help(problem, leader, amount, found[0].title, limit=MAX_WHOLE, title=found[0].title, who=who)
        target = value[0] if value else None
        await scorecard_store.set_target(session, found[0].id, rep["id"], target)  # type: ignore[arg-type]
    today = local_day(turn.now, turn.person.timezone)
    span = week_span(session_weeks(today)[0], today, week_start_of(turn.person))
    return Message(prompts.render("cadence/wig/added", kind="target", title=found[0].title, name=rep["name"],
                                  target=target if target is not None else found[0].weekly_target,
                                  own=target is not None, span=span),
                   private=True)


async def close_wig(turn: Turn, text: str, leader: bool, verb: str = "close") -> Message:
    """`/okr wig close N` (or `done`, `remove`: `verb` as typed). A word that is no
    number gets the usual ask; a number no WIG has (3 of two, 99999, 40 digits) is
    named as no WIG N, with the team's numbers (1–k) or that there are none."""
    if not leader:
        return wig_help("leaders_only", leader)
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, turn.person.id)  # type: ignore[arg-type]
        typed = typed_digits(text)
        picked = small_number(typed) if typed is not None else None
        if typed is None:  # not a number: the usual ask
            return wig_help("close", leader)
        if picked is None or not 1 <= picked <= len(wigs):  # a number, but no WIG has it
            return wig_help("no_such_wig", leader, typed, count=len(wigs), typed=(f"{verb} ", ""))
        wig = wigs[picked - 1]
        await wig_store.close_wig(session, wig.id, turn.person.id)  # type: ignore[arg-type]
    return Message(prompts.render("cadence/wig/added", kind="closed", title=wig.title))
