"""A weekly WIG session picked up again, brought up to date (`Feature.resumes`).

A session left open keeps the WIGs, lead measures and lag readings it started with.
Whenever it is picked up again (an answer typed, `/okr wig start` or the prompt's
button, a "continue" button, the reminder, the terminal's next run), the person's
active WIGs are read again:

* what the session already asked stays first, in the order asked, with its answers
  (stored once, at the end, as before) — also for a WIG closed since;
* what it has not asked yet is the team's active WIGs now: one closed since is left
  out, one added since (and its lead measures) is asked about, in the team's order;
  the question being shown stays first while its WIG is open. When a part of the
  session already finished gains a question (a WIG added while the person was at the
  commitments), the session goes back to ask it, keeping every answer given;
* a lag reading recorded since (`/okr wig update`) wins over the session's: a value of
  that WIG already given in the session, or read back and waiting for a yes, is
  dropped (the session would store the older number after the newer one) and the
  question is asked again when it was the one shown; the jump check then measures
  from the newer reading.

The person is told what changed (`cadence/wig/changed`). The core never takes a
typed answer for a question that changed meanwhile (`bot.core.flows.continue_flow`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import prompts
from bot.core.clock import local_day
from bot.core.coach import Coach
from bot.core.messages import Message
from bot.features.wig_session import wig_lists
from conversations import engine
from conversations.loader import flows
from storage.models import Person

FLOW = "wig_session"
# The session's loops, in the order it asks them: (the index in answers, the answers
# list, the context list, the loop's branch step, its question step)
LOOPS = (("m", "numbers", "measures", "more_measures", "measure_value"),
         ("g", "lag", "lag_wigs", "more_lag", "lag_value"))


async def resume(coach: Coach, person: Person, state: dict[str, Any], now: datetime) -> tuple[dict[str, Any],
                                                                                             list[Message]]:
    """`state` (a copy: changed in place) brought up to date with the person's WIGs now,
    and the note saying what changed (none when nothing the person sees did). `now`
    is aware UTC."""
    if state.get("status") != "active" or not isinstance(state.get("context"), dict):
        return state, []
    async with coach.db.session() as session:
        fresh, _ = await wig_lists(session, person)
    context, answers = state["context"], state.setdefault("answers", {})
    was = (state.get("step"), _current(state))
    closed = [w["title"] for w in context.get("wigs") or [] if not any(_same(w, f) for f in fresh["wigs"])]
    added = [f["title"] for f in fresh["wigs"] if not any(_same(w, f) for w in context.get("wigs") or [])]
    context["wigs"], context["wig_id"] = fresh["wigs"], fresh["wig_id"]
    dropped = _newer_readings(state, fresh["lag_wigs"])
    for index, _, listed, _, asks in LOOPS:
        context[listed] = _merged(context.get(listed) or [], fresh[listed],
                                  answers.get(index), state.get("step") == asks)
    _place(state)
    state = _played(state, local_day(now, person.timezone))
    if (state.get("step"), _current(state)) != was:  # another question now: nothing of the old one waits
        for key in ("confirming", "confirm_details"):
            state.pop(key, None)
        state["misses"] = 0
    notes = [Message(prompts.render("cadence/wig/changed", closed=closed, added=added, dropped=dropped))
             ] if closed or added or dropped else []
    return state, notes


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """One WIG in a session's context and now (a session opened before WIGs carried
    their id in it is matched by title)."""
    return old["id"] == new["id"] if "id" in old else old.get("title") == new["title"]


def _current(state: dict[str, Any]) -> Any:
    """The id of what the question shown is about (a lead measure, a WIG), or None."""
    for index, _, listed, _, asks in LOOPS:
        if state.get("step") == asks:
            items, at = state["context"].get(listed) or [], state["answers"].get(index)
            return items[at]["id"] if isinstance(at, int) and 0 <= at < len(items) else None
    return None


def _merged(old: list[dict[str, Any]], new: list[dict[str, Any]], done: Any, asking: bool) -> list[dict[str, Any]]:
    """A loop's items: the first `done` (asked already; their answers point at them) as
    they are now (as they were, once closed), then the rest of `new` in its order, the
    one being asked first while it is still there. A loop not reached (`done` None)
    takes `new` whole."""
    if not isinstance(done, int):
        return new
    now = {item["id"]: item for item in new}
    asked = [now.get(item["id"], item) for item in old[:done]]
    ids = {item["id"] for item in asked}
    shown = old[done]["id"] if asking and done < len(old) else None
    rest = sorted((item for item in new if item["id"] not in ids), key=lambda item: item["id"] != shown)
    return asked + rest


def _newer_readings(state: dict[str, Any], led: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the session's value of each WIG whose lag reading was recorded since the
    session last read it (given already, or read back and waiting for a yes); what was
    dropped, for the note: title, unit, the session's value, the newer reading."""
    context, answers = state["context"], state["answers"]
    now = {w["id"]: w for w in led}
    current = _current(state) if state.get("step") == LOOPS[1][4] else None
    dropped: list[dict[str, Any]] = []
    for known in context.get("lag_wigs") or []:
        newer = now.get(known["id"])
        if newer is None or not _changed(known, newer):
            continue
        given = [a for a in answers.get("lag") or [] if a.get("id") == known["id"]]
        if given:
            answers["lag"] = [a for a in answers["lag"] if a.get("id") != known["id"]]
        elif known["id"] == current and state.get("confirm_details") is not None:
            given = [{"value": state.pop("confirming", None)}]
            state.pop("confirm_details", None)
        if given:
            dropped.append({"title": newer["title"], "unit": newer["unit"], "value": given[-1]["value"],
                            "newer": newer["last"]})
    return dropped


def _changed(known: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether a WIG's lag reading changed since the session read it (by when it was
    recorded; by value for a session opened before that was kept)."""
    if "last_at" in known:
        return (known["last"], known["last_at"]) != (now["last"], now["last_at"])
    return known.get("last") != now["last"]


def _place(state: dict[str, Any]) -> None:
    """Move the session back to the first loop with a question left to ask, when that
    is not the question shown (a WIG added after its loop finished), or on from a
    question whose item is gone (the WIG being asked about closed): to the loop's
    branch, which `_played` plays on from."""
    answers, context, step = state["answers"], state["context"], state.get("step")
    for index, _, listed, branch, asks in LOOPS:
        if not isinstance(answers.get(index), int):
            return  # this loop and the ones after it are not reached yet
        left = answers[index] < len(context[listed])
        if step == asks:
            if not left:
                state["step"] = branch
            return
        if left:
            state["step"] = branch
            return


def _played(state: dict[str, Any], today: Any) -> dict[str, Any]:
    """The state at a question again when `_place` left it at a branch."""
    flow = flows().get(FLOW)
    step = flow.steps.get(state.get("step", "")) if flow is not None else None
    if flow is None or step is None or step.kind == "ask":
        return state
    return engine.play_on(flow, state, today).state
