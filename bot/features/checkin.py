"""The bi-weekly OKR check-in (seed 003: 30–45 minutes every two to three weeks beats
a two-hour quarterly review): the prompt, `/okr checkin`, the `okr_checkin` flow and
its end action, which moves the key results and reminds rep *and* manager to hold
the conversation, the manager with the rep's answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import prompts
from bot.cadence import OKR_CHECKIN
from bot.cadence.planner import replan
from bot.core.clock import local_day, saved_instant
from bot.core.coach import Turn
from bot.core.feature import Feature, PromptKind
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from bot.features.checkin_resume import FLOW, checkin_items, resume
from bot.features.prompt_answers import card, finish_prompt, nudge_card, open_prompt, start_prompt
from conversations.locales import decimal_mark
from storage import checkins as checkin_store
from storage import occurrences as store
from storage import people
from storage.models import Occurrence

feature = Feature("okr check-in")

# A check-in done without its prompt answers the next scheduled one when that one is
# due within half its rhythm's interval: the same cycle (Monday's early check-in
# answers Tuesday's prompt; one done the day after a prompt does not eat the next).
EARLY_WINDOW = {"weekly": timedelta(days=3, hours=12), "biweekly": timedelta(days=7),
                "triweekly": timedelta(days=10, hours=12), "monthly": timedelta(days=15)}


@feature.command("checkin", "/okr checkin")
async def checkin_command(turn: Turn, args: str) -> list[Message]:
    """/okr checkin: the OKR check-in now, answering the open check-in prompt if any
    (even one put back for later, or followed by a WIG prompt)."""
    occurrence, _ = await open_prompt(turn, kind=OKR_CHECKIN, snoozed=True)
    return await start_prompt(turn, occurrence, OKR_CHECKIN)


async def start_checkin(turn: Turn, occurrence: Occurrence | None) -> list[Message]:
    """Open the check-in with the person's key results as they stand."""
    person = turn.person
    day = occurrence.local_date if occurrence is not None else local_day(turn.now, person.timezone)
    base: dict[str, Any] = {
        "name": first_name(person.name),
        "occurrence_id": occurrence.id if occurrence is not None else None,
        # a prompt no rule planned (the demo's "right now" one) stands for the cycle's own
        "adhoc": bool(occurrence is not None and (occurrence.payload or {}).get("adhoc")),
        "started_at": turn.now.isoformat(),  # the check-in row's started_at (storage.checkins)
    }
    async with turn.db.session() as session:
        found = await checkin_items(session, person.id)  # type: ignore[arg-type]
        manager = await people.get(session, person.manager_id) if person.manager_id else None
        last = await checkin_store.last_checkin(session, person.id)  # type: ignore[arg-type]
    base.update(
        subject=f"checkin:{day.isoformat()}",
        manager_name=manager.name if manager is not None else "",
        last_change=last.change_next if last is not None else None,
        decimal=decimal_mark(person.timezone, person.country),  # how "1,5" reads (conversations.amounts)
        key_results=found,
    )
    return await start_flow(turn, FLOW, base)


feature.prompt_kind(PromptKind(OKR_CHECKIN, card("cadence/prompt_okr_checkin"), nudge_card, start_checkin))
feature.resumes(FLOW)(resume)  # a check-in picked up again: the key results as they are now


@feature.action("record_checkin")
async def record_checkin(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Store the check-in, move the key results, and remind rep *and* manager to hold
    the 30–45 minute conversation (seed 003), the manager with the rep's answers."""
    answers, context = data.get("answers") or {}, data.get("context") or {}
    updates = [
        checkin_store.KeyResultUpdate(int(u["id"]), None if u.get("value") is None else float(u["value"]),
                                      u.get("confidence"))
        for u in answers.get("updates") or []
    ]
    person = turn.person
    async with turn.db.session() as session:
        stored = await checkin_store.record_checkin(
            session, person.org_id, person.id, context.get("occurrence_id"), updates,  # type: ignore[arg-type]
            answers.get("blockers"), answers.get("change_next"), answers.get("did_change"),
            saved_instant(context.get("started_at")))
        kept_ids = await checkin_store.answered(session, stored.id)  # type: ignore[arg-type]
        manager = await people.get(session, person.manager_id) if person.manager_id else None
    if not context.get("occurrence_id") or context.get("adhoc"):  # done early: the cycle's scheduled one is answered
        await replan(turn.db, [person.id], turn.now, horizon=EARLY_WINDOW["monthly"] + timedelta(days=1))  # type: ignore[list-item]
        async with turn.db.session() as session:
            await store.answer_early(session, person.id, OKR_CHECKIN, turn.now,  # type: ignore[arg-type]
                                     EARLY_WINDOW, EARLY_WINDOW["biweekly"])
    await finish_prompt(turn, context)
    # what the notes say is what was stored: an answer about a key result no longer
    # active (a plan made again while the check-in waited) was not, and is named
    given = answers.get("updates") or []
    kept = [u for u in given if _id(u) in kept_ids]
    lost = list(answers.get("not_kept") or []) + [str(u.get("title") or "") for u in given if _id(u) not in kept_ids]
    if manager is not None:
        note = prompts.render("cadence/checkin/reminder_manager", rep=person.name,
                              updates=kept, lost=lost, blockers=answers.get("blockers"),
                              change=answers.get("change_next"), last_change=context.get("last_change"),
                              did_change=answers.get("did_change"))
        await turn.coach.send_copy(manager.id, [Message(note, title=prompts.render("cadence/checkin/title"))])  # type: ignore[arg-type]
    return [Message(prompts.render("cadence/checkin/reminder_rep", kept=len(kept), lost=lost,
                                   manager=first_name(manager.name) if manager is not None else ""))]


def _id(update: dict[str, Any]) -> int | None:
    """An answer's key result id, or None when it is not a number."""
    try:
        return int(update["id"])
    except (KeyError, TypeError, ValueError):
        return None
