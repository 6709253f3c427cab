"""The flow engine: (flow, state, input) -> (new state, what to say, what to store).

Pure by design. It never renders, reads a clock, or touches a database: the caller
passes "today" and the directory for person answers, gets back template names with
their values and named results, and does the I/O. That keeps every flow testable
with plain dicts and lets the same flow play on Slack, Teams and the terminal.

The state is a JSON-able dict, saved by the caller after every step, so a restart (or
the next morning) carries on at the same question.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from conversations import checkin_reading, goal_numbers, goalmath, krkinds, plan_currency
from conversations.expressions import compile_expression, evaluate, expressions  # noqa: F401
from conversations.expressions import plain as _plain
from conversations.flow_model import (  # noqa: F401 (re-exported: engine.Flow, engine.CONFIRM, …)
    AT_START,
    CANCELLED,
    COMMANDS_HELP,
    CONFIRM,
    DEFAULT_TEMPLATES,
    HELP,
    LABEL,
    LIST_EMPTY,
    LIST_FULL,
    LIST_MORE,
    NOT_OPTIONAL,
    OFFER,
    RESTARTED,
    RETRY,
    Flow,
    FlowRuntimeError,
    Option,
    Reply,
    Say,
    Step,
    Store,
)
from conversations.validators import LISTS, Env, Invalid, Valid, plan_period, validate
from conversations.word_answers import enough, gather, read_back_answer, says_done

KINDS = ("ask", "set", "append", "compute", "branch", "goto", "end", "say")
COMMANDS = ("back", "skip", "cancel", "help")
MAX_MISSES = 3
MAX_HISTORY = 80
MAX_STEPS_PER_TURN = 500

# Named pure functions a `compute:` step may call.
COMPUTATIONS: dict[str, Callable[..., Any]] = {
    "goal_math": goalmath.goal_math, "kr_kind": krkinds.kr_kind, "plan_quota": plan_currency.plan_quota,
    "checkin_value": checkin_reading.checkin_value, "all_unchanged": checkin_reading.all_unchanged,
    "number_key_results": goal_numbers.number_key_results, "keep_numbers": goal_numbers.keep_numbers,
}


# --- the engine ----------------------------------------------------------------------


def new_state(flow: Flow, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "flow": flow.name,
        "step": flow.start,
        "answers": {},
        "context": copy.deepcopy(dict(context or {})),
        "history": [],
        "misses": 0,
        "status": "active",
    }


def start(flow: Flow, context: Mapping[str, Any] | None, today: date) -> Reply:
    """Begin a flow: play its first steps up to the first question."""
    reply = Reply(new_state(flow, context))
    _run(flow, reply, today)
    return reply


def repeat(flow: Flow, state: Mapping[str, Any], today: date) -> Reply:
    """Ask the current question again (a person coming back to a parked flow): the
    read-back with its Yes/No when a value waits for a yes (`confirming`), so the next
    answer is read as what is shown. A `confirming` stored without its details (a state
    saved before they were kept) is dropped: the question is asked instead."""
    reply = Reply(copy.deepcopy(dict(state)))
    step = flow.steps.get(reply.state["step"])
    if step is None or step.kind != "ask":
        return _restart(flow, reply, today)
    if _pending(reply.state) is not None:
        return replace(reply, say=[*reply.say, _read_back(flow, step, reply.state, today)])
    reply.state.pop("confirming", None)
    reply.say.append(_asked(flow, step, reply.state, today, again=True))
    return reply


def play_on(flow: Flow, state: Mapping[str, Any], today: date) -> Reply:
    """Play on from `state["step"]` to the next question: a caller that moved the state
    to a step that asks nothing (a loop's branch, after the items it loops over changed)."""
    reply = Reply(copy.deepcopy(dict(state)))
    if reply.state["step"] not in flow.steps:
        return _restart(flow, reply, today)
    _run(flow, reply, today)
    return reply


def advance(flow: Flow, state: Mapping[str, Any], text: str, env: Env) -> Reply:
    """Take the person's input for the current question and play on to the next one."""
    reply = Reply(copy.deepcopy(dict(state)))
    current = reply.state
    if current.get("status") != "active":
        return reply
    step = flow.steps.get(current["step"])
    if step is None or step.kind != "ask":
        return _restart(flow, reply, env.today)
    word = text.strip().lower()
    if word.startswith("flow:"):
        word = word[5:]
    env = replace(env, answers=current["answers"], period=env.period or plan_period(current["context"]))
    confirming = _pending(current)  # a value read back in words, waiting for a yes
    for pending in ("confirming", "confirm_details"):  # answered now, or dropped by what is typed
        current.pop(pending, None)
    if confirming is not None and word == "help":  # help, then the same read-back: nothing dropped
        names = _names(flow, current, env.today, step) | {"validator": step.validate, "optional": step.optional}
        return _read_back_again(flow, reply, step, confirming, state["confirm_details"], env.today,
                                Say(step.help, names))
    if confirming is not None and word not in COMMANDS:
        said = read_back_answer(word, env, confirming, state["confirm_details"])
        if isinstance(said, Valid):
            if said.value == "yes":
                if step.validate in LISTS:  # a list's item read back: added to those before it
                    return _listed(flow, reply, step, confirming, env.today)
                return _accept(flow, reply, step, confirming, confirming, env.today)
            # "no": the re-ask with the step's example (one per validator), then the question ("Another one?")
            names = _names(flow, current, env.today, step) | {
                "error": "not_confirmed", "details": {}, "validator": step.validate, "optional": step.optional}
            return replace(reply, say=[*reply.say, Say(RETRY, names), _asked(flow, step, current, env.today)])
        if step.validate in LISTS and says_done(text):  # `done` at a list item read back: its yes or no first
            return _read_back_again(flow, reply, step, confirming, state["confirm_details"], env.today)
    listing = current.get("listing")  # a list's items so far, sent one per message
    if current.pop("list_full", False) and says_done(text):  # the `done` after a list that filled
        return replace(reply, say=[*reply.say, _asked(flow, step, current, env.today)])
    if word == "cancel":
        current["status"] = "cancelled"
        current["history"] = []
        current.pop("listing", None)
        reply.say.append(Say(CANCELLED, _names(flow, current, env.today)))
        return reply
    if word == "help":
        names = _names(flow, current, env.today, step) | {
            "validator": step.validate, "optional": step.optional}
        reply.say.append(Say(step.help, names))
        if step.help != HELP:  # a step's own help, then the words that always work
            reply.say.append(Say(COMMANDS_HELP, names))
        reply.say.append(_asked(flow, step, current, env.today))
        return reply
    if word == "back" and listing:  # the last item taken away; none left: the question again
        listing.pop()
        if not listing:
            current.pop("listing")
        reply.say.append(_asked(flow, step, current, env.today))
        return reply
    if word == "back":
        return _back(flow, reply, step, env.today)
    if listing and (word == "skip" or enough(text)):  # the list is as long as it gets
        return _accept(flow, reply, step, listing, listing, env.today)
    if step.done is not None and enough(text):  # "done" at "Next key result?": the loop ends
        return _leave(flow, reply, step, step.done, env.today)
    if step.validate in LISTS and not listing and says_done(text):  # `done` before any item
        names = _names(flow, current, env.today, step) | {"optional": step.optional}
        return replace(reply, say=[*reply.say, Say(LIST_EMPTY, names), _question(flow, step, current, env.today)])
    if word == "skip":
        if not step.optional:
            reply.say.append(Say(NOT_OPTIONAL, _names(flow, current, env.today, step)))
            reply.say.append(_question(flow, step, current, env.today))
            return reply
        value = evaluate(step.default, _names(flow, current, env.today)) if step.default else None
        return _accept(flow, reply, step, value, "*", env.today)
    options = dict(step.options)
    for name in [n for n in options if n.endswith("_from")]:  # read from the conversation: a lead measure's "demos"
        options[name[:-5]] = evaluate(options.pop(name), _names(flow, current, env.today)) or None
    if step.validate == "choice":
        options["choices"] = step.choices
    result = validate(step.validate, text, env, options)
    if isinstance(result, Invalid) and confirming is not None:  # neither yes nor no nor a new value
        return _read_back_again(flow, reply, step, confirming, state["confirm_details"], env.today)
    if isinstance(result, Valid) and step.validate in LISTS and result.confirm is None:
        return _listed(flow, reply, step, result.value, env.today)
    if isinstance(result, Invalid):
        return _miss(flow, reply, step, result, env.today)
    if result.confirm is not None and confirming is not None and result.value == confirming:
        if step.validate in LISTS:  # the same items again: a yes
            return _listed(flow, reply, step, result.value, env.today)
        return _accept(flow, reply, step, result.value, result.value, env.today)  # the same value again: a yes
    if result.confirm is not None:  # kept with its details, so a resume shows the same read-back
        current["confirming"], current["confirm_details"] = result.value, _plain(result.confirm)
        reply.say.append(_read_back(flow, step, current, env.today))
        return reply
    return _accept(flow, reply, step, result.value, result.value, env.today)


def _names(flow: Flow, state: Mapping[str, Any], today: date, step: Step | None = None) -> dict[str, Any]:
    names = {
        "answers": state["answers"],
        "context": state["context"],
        "today": today.isoformat(),
        "flow": flow.name,
        "misses": state.get("misses", 0),
    }
    if step is not None:
        names["step"] = step.id
    return names


def _question(flow: Flow, step: Step, state: Mapping[str, Any], today: date, again: bool = False) -> Say:
    """The step's question; `again` (a template value): asked again when the
    conversation is picked up, without the `say` lines before it that named what it
    is about, so a question that leans on them ("make it an objective") names it."""
    assert step.template is not None
    options = tuple(Option(v, step.labels) for v in step.offered)
    return Say(step.template, _names(flow, state, today, step) | {"optional": step.optional, "again": again},
               options)


def _asked(flow: Flow, step: Step, state: Mapping[str, Any], today: date, again: bool = False) -> Say:
    """The question waiting: "Another one?" while a list comes an item a message, else
    the step's (`again`: see `_question`)."""
    if not state.get("listing"):
        return _question(flow, step, state, today, again)
    names = _names(flow, state, today, step) | {
        "so_far": state["listing"], "max_items": step.options.get("max_items"), "optional": step.optional}
    return Say(LIST_MORE, names, (Option("done"),))


def _pending(state: Mapping[str, Any]) -> Any:
    """The value read back and waiting for a yes, or None; None too for one stored
    without its details (before they were kept): nobody sees that read-back."""
    return state.get("confirming") if state.get("confirm_details") is not None else None


def _read_back(flow: Flow, step: Step, state: Mapping[str, Any], today: date) -> Say:
    """The pending value read back in words (`CONFIRM`, the validator's details), Yes/No."""
    names = _names(flow, state, today, step) | {"details": state["confirm_details"], "validator": step.validate}
    return Say(CONFIRM, names, (Option("yes"), Option("no")))


def _read_back_again(flow: Flow, reply: Reply, step: Step, value: Any, details: Any, today: date,
                     said: Say | None = None) -> Reply:
    """The read-back again after `said` (help) or "yes or no?" (a list's `done`): `value` kept, not dropped unsaid."""
    reply.state["confirming"], reply.state["confirm_details"] = value, details
    said = said or Say(RETRY, _names(flow, reply.state, today, step) | {
        "error": "not_yes_no", "details": {}, "validator": "yesno", "optional": False})
    return replace(reply, say=[*reply.say, said, _read_back(flow, step, reply.state, today)])


def _miss(flow: Flow, reply: Reply, step: Step, problem: Invalid, today: date) -> Reply:
    state = reply.state
    state["misses"] = int(state.get("misses", 0)) + 1
    names = _names(flow, state, today, step) | {
        "error": problem.code, "details": problem.details, "validator": step.validate,
        "optional": step.optional,
    }
    options = tuple(Option(v, step.labels) for v in step.offered)
    reply.say.append(Say(step.retry, names, options))
    if state.get("listing"):
        reply.say.append(_asked(flow, step, state, today))
    if state["misses"] >= MAX_MISSES:
        offer = (("skip",) if step.optional else ()) + ("help", "cancel")
        reply.say.append(Say(OFFER, names, tuple(Option(v) for v in offer)))
    return reply


def _back(flow: Flow, reply: Reply, step: Step, today: date) -> Reply:
    state = reply.state
    history: list[dict[str, Any]] = state["history"]
    if not history:
        reply.say.append(Say(AT_START, _names(flow, state, today, step)))
        reply.say.append(_question(flow, step, state, today))
        return reply
    previous = history.pop()
    state.pop("listing", None)
    state["answers"] = previous["answers"]
    state["step"] = previous["step"]
    state["misses"] = 0
    target = flow.steps.get(previous["step"])
    if target is None or target.kind != "ask":
        return _restart(flow, reply, today)
    reply.say.append(_question(flow, target, state, today))
    return reply


def _listed(flow: Flow, reply: Reply, step: Step, found: list[Any], today: date) -> Reply:
    """A list question's valid items (`found`) after those sent before (`listing`):
    "Another one?" while more may come, else the list taken (`word_answers.gather`)."""
    state = reply.state
    listing = state.get("listing")
    result, more = gather(listing, found, step.options.get("max_items"))
    if more:  # one item alone, or the list not full yet: "Another one?"
        state["listing"], state["misses"] = result.value, 0
        reply.say.append(_asked(flow, step, state, today))
        return reply
    if isinstance(result, Invalid):
        return _miss(flow, reply, step, result, today)
    if listing:  # filled item by item: said, and a `done` next is absorbed
        state["list_full"] = True
        reply.say.append(Say(LIST_FULL, _names(flow, state, today, step) | {"count": len(result.value)}))
    return _accept(flow, reply, step, result.value, result.value, today)


def _accept(flow: Flow, reply: Reply, step: Step, value: Any, route: Any, today: date) -> Reply:
    return _leave(flow, reply, step, _target(step, route), today, {step.key: value})


def _leave(flow: Flow, reply: Reply, step: Step, target: str, today: date,
           answered: Mapping[str, Any] | None = None) -> Reply:
    """On from `step` to `target`, `answered` stored (none: a `done:`), noted for `back`."""
    state = reply.state
    history: list[dict[str, Any]] = state["history"]
    history.append({"step": step.id, "answers": copy.deepcopy(state["answers"])})
    del history[:-MAX_HISTORY]
    state["answers"].update(answered or {})
    state.pop("listing", None)
    state["misses"] = 0
    state["step"] = target
    _run(flow, reply, today)
    return reply


def _target(step: Step, route: Any) -> str:
    if isinstance(step.next, Mapping):
        key = str(route).lower() if isinstance(route, str | int | float | bool) else "*"
        found = step.next.get(key) or step.next.get("*")
        if found is None:
            raise FlowRuntimeError(f"{step.id}: no branch for answer {route!r} and no '*' entry")
        return found
    assert step.next is not None
    return step.next


def _restart(flow: Flow, reply: Reply, today: date) -> Reply:
    """The stored step no longer exists (the flow file changed): start over, keeping
    the context, and say so rather than failing."""
    reply.state = new_state(flow, reply.state.get("context"))
    reply.say.append(Say(RESTARTED, _names(flow, reply.state, today)))
    _run(flow, reply, today)
    return reply


def _run(flow: Flow, reply: Reply, today: date) -> None:
    """Play steps from `state.step` until a question is asked or the flow ends."""
    state = reply.state
    for _ in range(MAX_STEPS_PER_TURN):
        step = flow.steps[state["step"]]
        names = _names(flow, state, today, step)
        if step.kind == "ask":
            reply.say.append(_question(flow, step, state, today))
            return
        if step.kind == "end":
            if step.template:
                reply.say.append(Say(step.template, names))
            state["status"] = "done"
            state["history"] = []  # nothing to go back to; keeps finished rows small
            if step.action:
                data = evaluate(step.result, names) if step.result else {
                    "answers": copy.deepcopy(state["answers"]),
                    "context": copy.deepcopy(state["context"]),
                }
                reply.store.append(Store(step.action, data))
            return
        if step.kind == "say":
            assert step.template is not None
            reply.say.append(Say(step.template, names))
        elif step.kind == "set":
            for key, source in step.assign.items():
                state["answers"][key] = evaluate(source, names)
                names = _names(flow, state, today, step)
        elif step.kind == "append":
            assert step.append_to is not None
            item = evaluate(step.append_item, names)
            existing = state["answers"].get(step.append_to)
            state["answers"][step.append_to] = [*(existing or []), item]
        elif step.kind == "compute":
            assert step.compute is not None
            arguments = evaluate(dict(step.args), names)
            state["answers"][step.key] = _plain(COMPUTATIONS[step.compute](**arguments))
        elif step.kind == "branch":
            for when, target in step.branch:
                if when is None or evaluate(when, names):
                    state["step"] = target
                    break
            else:
                state["step"] = _target(step, None)
            continue
        state["step"] = _target(step, None)
    raise FlowRuntimeError(f"{flow.source or flow.name}: more than {MAX_STEPS_PER_TURN} steps "
                           f"without a question, near step {state['step']!r}")
