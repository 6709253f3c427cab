"""An OKR check-in picked up again, brought up to date (`Feature.resumes`).

A check-in keeps the key results it started with in its context. Re-running `/okr
goals` while one waits (parked, or left open) replaces the plan: the key results the
check-in would ask about, and the answers it already holds, belong to objectives
that are no longer active, and storing them would be silently skipped
(`storage.checkins.record_checkin` only moves active key results). So whenever a
check-in is picked up again (an answer typed, `/okr checkin` or the prompt's
button, a "continue" button, "stay" at the park question, the reminder, the
terminal's next run), the person's active key results are read again:

* answers already given stay, in the order given, for key results still active; an
  answer for a key result replaced by the same measure in the new plan
  (`storage.okrs.same_measure`: "Close 12 new logos" -> "Close 15 new logos") moves
  to its successor; an answer for one gone without a successor is dropped, and the
  person is told it will not be kept;
* what is not asked yet is the active key results now: the one being asked stays
  first while it is still there, new ones are asked, replaced ones are not. A check-in
  already past its key results goes back to ask one added since, keeping every answer.

The person is told what changed (`cadence/checkin/changed`). The core never takes a
typed answer for a question that changed meanwhile (`bot.core.flows.continue_flow`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import prompts
from bot.core.clock import local_day
from bot.core.coach import Coach
from bot.core.messages import Message
from conversations import engine
from conversations.loader import flows
from storage import checkins as checkin_store
from storage.models import KeyResult, Objective, Person
from storage.okrs import same_measure

FLOW = "okr_checkin"
ASKING = ("kr_value", "kr_jump", "kr_confidence")  # the questions about one key result (answers.i)
LOOP = "more_key_results"                          # the loop's branch: asks the next one, or moves on


async def resume(coach: Coach, person: Person, state: dict[str, Any], now: datetime) -> tuple[dict[str, Any],
                                                                                             list[Message]]:
    """`state` (a copy: changed in place) with the person's active key results now,
    and a note saying what changed (none when nothing did). `now` is aware UTC."""
    if state.get("status") != "active" or not isinstance(state.get("context"), dict):
        return state, []
    async with coach.db.session() as session:
        fresh = await checkin_items(session, person.id)  # type: ignore[arg-type]
    context, answers = state["context"], state.setdefault("answers", {})
    old: list[dict[str, Any]] = list(context.get("key_results") or [])
    if {kr.get("id") for kr in old} == {kr["id"] for kr in fresh}:
        return state, []  # the same key results (figures move only at the check-in's own end)
    now_ids = {kr["id"] for kr in fresh}
    gone = [kr for kr in old if kr.get("id") not in now_ids]
    successor = _successors(gone, [kr for kr in fresh if kr["id"] not in {k.get("id") for k in old}])
    added = [kr["title"] for kr in fresh if kr["id"] not in {k.get("id") for k in old}
             and kr["id"] not in {s["id"] for s in successor.values()}]
    step = state.get("step")
    reached = isinstance(answers.get("i"), int)
    shown = old[answers["i"]] if step in ASKING and reached and 0 <= answers["i"] < len(old) else None
    dropped: list[str] = []
    if reached:
        kept: list[dict[str, Any]] = []
        for update in answers.get("updates") or []:
            if update.get("id") in now_ids:
                kept.append(update)
            elif update.get("id") in successor:
                kept.append(_moved(update, successor[update["id"]]))
            else:
                dropped.append(str(update.get("title") or ""))
        done_ids = {u["id"] for u in kept}
        current = shown["id"] if shown is not None else None
        current = successor[current]["id"] if current in successor else current
        first = [next(kr for kr in fresh if kr["id"] == u["id"]) for u in kept]
        rest = sorted((kr for kr in fresh if kr["id"] not in done_ids), key=lambda kr: kr["id"] != current)
        context["key_results"] = first + rest
        answers["updates"], answers["i"] = kept, len(kept)
        if dropped:  # named again in the notes at the end, to the person and their manager
            answers["not_kept"] = list(answers.get("not_kept") or []) + dropped
        if step in ASKING and current not in now_ids:
            state["step"] = LOOP  # the key result being asked about is gone: on to the next one
        elif step not in ASKING and rest:
            state["step"] = LOOP  # past the key results, with one added since: back to ask it
    else:
        context["key_results"] = fresh
    if state.get("step") == LOOP:
        for key in ("confirming", "confirm_details"):
            state.pop(key, None)
        state["misses"] = 0
        state = _played(state, local_day(now, person.timezone))
    state["history"] = []  # `back` would restore answers about the key results replaced
    left = [kr["title"] for kr in gone if kr["id"] not in successor and kr["title"] not in dropped]
    note = prompts.render("cadence/checkin/changed", gone=left, dropped=dropped, added=added,
                          renamed=[{"was": kr["title"], "now": successor[kr["id"]]["title"]} for kr in gone
                                   if kr["id"] in successor and kr["title"] != successor[kr["id"]]["title"]])
    return state, [Message(note)] if note.strip() else []


async def checkin_items(session: Any, person_id: int) -> list[dict[str, Any]]:
    """`kr_items` of the person's active key results, as a check-in asks about them."""
    found = await checkin_store.key_results(session, person_id)
    return kr_items(found, await checkin_store.read_at_a_checkin(session, [kr.id for _, kr in found]))  # type: ignore[misc]


def kr_items(found: Iterable[tuple[Objective, KeyResult]], read: set[int] | None = None) -> list[dict[str, Any]]:
    """The check-in's context list of key results (`checkin_store.key_results`, in its
    order): id, objective (its title), title, current, start, target, unit, kind, per,
    confidence, and `first`: no check-in gave it a figure yet (its id not in `read`;
    False when `read` is None); read again when a check-in is picked up."""
    return [{"id": kr.id, "objective": objective.title, "title": kr.title,
             "current": kr.reading, "start": kr.start_value, "target": kr.target_value, "unit": kr.unit,
             "kind": kr.kind, "per": kr.per, "confidence": kr.confidence,
             "first": read is not None and kr.id not in read}
            for objective, kr in found]


def _successors(gone: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Each key result gone whose measure a new one keeps (by `same_measure`), by the
    old id: every new key result succeeds one old one at most."""
    out: dict[Any, dict[str, Any]] = {}
    taken: set[Any] = set()
    for kr in gone:
        match = next((n for n in new if n["id"] not in taken and same_measure(kr, n)), None)
        if match is not None:
            out[kr.get("id")], _ = match, taken.add(match["id"])
    return out


def _moved(update: dict[str, Any], successor: dict[str, Any]) -> dict[str, Any]:
    """An answer given for a key result, now for its successor in the new plan."""
    return {**update, "id": successor["id"], "title": successor["title"], "target": successor["target"],
            "unit": successor["unit"], "kind": successor["kind"], "per": successor["per"],
            "previous": successor["current"], "was": successor["confidence"]}


def _played(state: dict[str, Any], today: Any) -> dict[str, Any]:
    """The state at a question again from the loop's branch."""
    flow = flows().get(FLOW)
    if flow is None:
        return state
    return engine.play_on(flow, state, today).state
