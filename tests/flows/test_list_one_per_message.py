"""A list question answered one item per message (the terminal, or Slack/Teams with a
plain Enter): the items are gathered, "Another one?" after each, up to the list's
limit or `done` (newcomer review F12); and `done` at "Next key result for …?" ends
that objective's key results instead of being coached as a vague one (F13)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import prompts
from conversations import engine
from conversations.engine import Flow, Reply
from conversations.loader import load_flow
from conversations.validators import Env

TODAY = date(2027, 1, 6)
ENV = Env(TODAY, "Europe/Oslo")
CONTEXT = {"first_name": "Ravi", "manager_name": "Maria", "year": "2027"}


def _flow(name: str) -> Flow:
    return load_flow(Path(engine.__file__).parent / "flows" / f"{name}.yaml", prompts.exists)


def play(flow: Flow, reply: Reply, *inputs: str) -> Reply:
    for text in inputs:
        reply = engine.advance(flow, json.loads(json.dumps(reply.state)), text, ENV)
    return reply


def shown(reply: Reply) -> str:
    return "\n".join(prompts.render(s.template, **s.values) for s in reply.say)


def at_priorities() -> tuple[Flow, Reply]:
    goals = _flow("goals")
    reply = engine.start(goals, CONTEXT, TODAY)
    return goals, play(goals, reply, "skip", "skip", "skip", "skip", "skip")


def test_three_priorities_one_per_message_make_one_list_of_three() -> None:
    goals, reply = at_priorities()
    assert reply.state["step"] == "priorities"
    reply = play(goals, reply, "Win 10 new logos")
    assert reply.state["step"] == "priorities"  # still gathering, nothing taken as the objective
    assert "Another one?" in shown(reply) and "`done`" in shown(reply)
    assert [c.value for c in reply.say[-1].choices] == ["done"]
    reply = play(goals, reply, "Grow my top ten accounts", "Build a prospecting habit")
    assert reply.state["answers"]["priorities"] == ["Win 10 new logos", "Grow my top ten accounts",
                                                    "Build a prospecting habit"]
    assert "Priority 1 of 3" in shown(reply)  # the third is the limit: on without a `done`
    assert reply.state["step"] == "objective"


def test_yes_to_another_one_asks_for_the_item_and_adds_nothing() -> None:
    """"Another one?" reads like a yes/no question: a "yes" is not an item."""
    goals, reply = at_priorities()
    reply = play(goals, reply, "Win 10 new logos", "Yes")
    assert reply.state["step"] == "priorities" and reply.state["listing"] == ["Win 10 new logos"]
    assert "type the item itself" in shown(reply) and "Another one?" in shown(reply)
    reply = play(goals, reply, "sure", "Grow my top ten accounts", "done")
    assert reply.state["answers"]["priorities"] == ["Win 10 new logos", "Grow my top ten accounts"]


def test_done_ends_the_list_and_back_takes_the_last_item_away() -> None:
    goals, reply = at_priorities()
    reply = play(goals, reply, "Win 10 new logos", "Grow my top ten accounts", "back")
    assert reply.state["step"] == "priorities" and reply.state["listing"] == ["Win 10 new logos"]
    reply = play(goals, reply, "done")
    assert reply.state["answers"]["priorities"] == ["Win 10 new logos"]
    assert "Priority 1 of 1" in shown(reply)


def test_several_items_in_one_message_are_the_whole_list() -> None:
    """Shift+Enter in Slack/Teams, or `;`: answered in one go, no "Another one?"."""
    goals, reply = at_priorities()
    reply = play(goals, reply, "Win 10 new logos\nGrow my top ten accounts")
    assert reply.state["answers"]["priorities"] == ["Win 10 new logos", "Grow my top ten accounts"]
    assert reply.state["step"] == "objective"


def test_a_fourth_priority_sent_alone_is_refused_not_taken() -> None:
    goals, reply = at_priorities()
    reply = play(goals, reply, "Win 10 new logos", "Grow my top ten accounts; Build a habit; Hire")
    assert reply.say[0].template == "flows/goals/priorities_retry"
    assert reply.say[0].values["error"] == "too_many"
    assert reply.state["listing"] == ["Win 10 new logos"] and "Another one?" in shown(reply)


def test_every_list_question_gathers_one_per_message_and_says_so_when_resumed() -> None:
    """The WIG commitments (two at most): one, then another, and the list is done; a
    person coming back mid-list is asked "Another one?" again, not the first question."""
    wig = _flow("wig_session")
    step = wig.steps["new_commitments"]
    state = engine.new_state(wig, {}) | {"step": "new_commitments"}
    reply = engine.advance(wig, state, "Call the 5 open leads", ENV)
    assert reply.state["step"] == "new_commitments" and reply.state["listing"] == ["Call the 5 open leads"]
    again = engine.repeat(wig, reply.state, TODAY)
    assert "Another one?" in shown(again) and "Call the 5 open leads" in shown(again)
    help_ = play(wig, reply, "help")
    assert help_.say[0].template == step.help and "Another one?" in shown(help_)
    bad = play(wig, reply, "make -3 calls")
    assert bad.say[0].values["error"] == "negative_count" and bad.state["listing"] == ["Call the 5 open leads"]
    assert play(wig, reply, "Book 3 demos").state["answers"]["new_commitments"] == [
        "Call the 5 open leads", "Book 3 demos"]


def test_done_at_next_key_result_ends_the_objective_s_key_results() -> None:
    goals, reply = at_priorities()
    reply = play(goals, reply, "Win mid-market; Grow top ten", "skip", "Close 12 new logos by end of Q2", "yes")
    assert reply.state["step"] == "more_krs"
    reply = play(goals, reply, "yes")
    assert "`done`" in shown(reply) and "`back`" in shown(reply)  # the question says how to stop
    for word in ("done", "no", "that's all"):
        after = play(goals, reply, word)
        assert after.say[0].template != "flows/goals/key_result_retry", word
        assert [o["title"] for o in after.state["answers"]["objectives"]] == ["Win mid-market"], word
        assert len(after.state["answers"]["objectives"][0]["key_results"]) == 1
        assert "Priority 2 of 2" in shown(after)
    back = play(goals, reply, "back")
    assert back.state["step"] == "more_krs"


def test_done_at_the_first_key_result_is_still_asked_for_one() -> None:
    goals, reply = at_priorities()
    reply = play(goals, reply, "Win mid-market; Grow top ten", "skip", "done")
    assert reply.say[0].template == "flows/goals/key_result_retry"


def test_a_done_to_a_step_that_does_not_exist_stops_the_loader(tmp_path: Path) -> None:
    import pytest

    from conversations.loader import FlowError, load_flows

    (tmp_path / "odd.yaml").write_text(
        "name: odd\ntitle: flows/goals/title\nsteps:\n  - id: a\n    ask: flows/goals/key_result\n"
        "    done: nowhere\n  - id: b\n    end: null\n", encoding="utf-8")
    with pytest.raises(FlowError, match="unknown step 'nowhere'"):
        load_flows(tmp_path)


def test_a_list_filled_item_by_item_says_so_and_the_done_after_it_ends_that_list() -> None:
    """Final review: the third priority filled the list and the flow moved on without a
    word, so the `done` people had been taught became objective 1 ("Give me a key
    result for "done"")."""
    goals, reply = at_priorities()
    reply = play(goals, reply, "Win 10 new logos", "Grow my top ten accounts", "Build a prospecting habit")
    assert "That's 3, as many as I take here." in shown(reply)
    assert reply.state["step"] == "objective"
    reply = play(goals, reply, "done")
    assert reply.state["step"] == "objective" and "objective" not in reply.state["answers"]
    assert "Let's make it an objective" in shown(reply)  # the same question again, nothing taken
    reply = play(goals, reply, "Become the go-to partner for new banks")
    assert reply.state["answers"]["objective"] == "Become the go-to partner for new banks"


def test_a_list_given_in_one_message_needs_no_done_and_a_done_after_it_is_an_answer() -> None:
    goals, reply = at_priorities()
    reply = play(goals, reply, "Win 10 new logos; Grow my top ten accounts; Build a prospecting habit")
    assert "as many as I take" not in shown(reply) and reply.state["step"] == "objective"
    assert "list_full" not in reply.state


def test_done_before_the_first_item_asks_for_one_instead_of_taking_it_as_an_item() -> None:
    goals, reply = at_priorities()
    reply = play(goals, reply, "done")
    assert reply.state["step"] == "priorities" and "listing" not in reply.state
    assert "Got it: done" not in shown(reply) and "I need at least one before we go on" in shown(reply)


# --- one-on-one action items: the same list question, not "one per line" ------------------

NOTES_CONTEXT = {"meeting_id": 1, "other": "Ravi", "subject": "oneonone:notes:1"}


def at_action_items() -> tuple[Flow, Reply]:
    notes = _flow("one_on_one_notes")
    reply = engine.start(notes, NOTES_CONTEXT, TODAY)
    return notes, play(notes, reply, "Good quarter so far", "1")


def test_action_items_are_asked_one_a_message_like_every_list() -> None:
    notes, reply = at_action_items()
    assert "one per line" not in shown(reply).lower() and "one at a time" in shown(reply), shown(reply)
    reply = play(notes, reply, "me: get the pricing approval by May 3")
    assert reply.state["status"] == "active", reply.state
    said = shown(reply)
    assert "Got it: me: get the pricing approval by May 3." in said and "Another one?" in said, said
    reply = play(notes, reply, "send ACME the proposal by May 10")
    assert "So far: 1. me: get the pricing approval by May 3; 2. send ACME the proposal by May 10." in shown(reply)
    reply = play(notes, reply, "back")  # the last one taken away
    assert "Got it: me: get the pricing approval by May 3." in shown(reply), shown(reply)
    reply = play(notes, reply, "send ACME the proposal by May 10", "done")
    assert reply.state["status"] == "done", reply.state
    items = reply.state["answers"]["items"]
    assert [(i["owner"], i["text"], i["due"]) for i in items] == [
        ("me", "get the pricing approval", "2027-05-03"), (None, "send ACME the proposal", "2027-05-10")]


def test_action_items_in_one_message_are_the_whole_list() -> None:
    notes, reply = at_action_items()
    reply = play(notes, reply, "me: get the pricing approval by May 3\nsend ACME the proposal by May 10")
    assert reply.state["status"] == "done" and len(reply.state["answers"]["items"]) == 2, reply.state


def test_an_action_items_due_day_read_back_joins_the_list_on_yes() -> None:
    notes, reply = at_action_items()
    reply = play(notes, reply, "me: get the pricing approval by May 3")
    reply = play(notes, reply, "send ACME the proposal by 03/04")  # read back: 3 April or 4 March?
    assert reply.state.get("confirming") is not None, shown(reply)
    reply = play(notes, reply, "yes")
    said = shown(reply)
    assert "So far: 1. me: get the pricing approval by May 3; 2. send ACME the proposal by 03/04." in said, said
    reply = play(notes, reply, "done")
    assert len(reply.state["answers"]["items"]) == 2, reply.state


def test_done_before_any_action_item_asks_for_one_or_skip() -> None:
    notes, reply = at_action_items()
    reply = play(notes, reply, "done")
    assert reply.state["status"] == "active" and "`skip`" in shown(reply), shown(reply)
    reply = play(notes, reply, "skip")
    assert reply.state["status"] == "done" and reply.state["answers"]["items"] == [], reply.state


def test_no_at_an_action_items_read_back_asks_for_it_again_and_keeps_the_list() -> None:
    """`no` at a due day read back ("03/04: 3 April or 4 March?") re-asks for that item
    with an example (the common re-ask had none for action items and failed to render),
    then "Another one?" with the items so far, not the list's first question."""
    notes, reply = at_action_items()
    reply = play(notes, reply, "me: get the pricing approval by May 3", "send ACME the proposal by 03/04", "no")
    said = shown(reply)
    assert "won't keep that" in said and "with who and by when, like `me: send ACME" in said, said
    assert "Got it: me: get the pricing approval by May 3." in said and "Another one?" in said, said
    assert reply.state["status"] == "active" and reply.state.get("confirming") is None, reply.state
    reply = play(notes, reply, "send ACME the proposal by April 3", "done")
    assert [i["due"] for i in reply.state["answers"]["items"]] == ["2027-05-03", "2027-04-03"], reply.state


def test_done_at_an_action_items_read_back_asks_yes_or_no_first() -> None:
    """`done` while an item's due day waits for its yes neither drops the item unsaid
    (the list was saved without it) nor answers "Nothing yet" to the only item typed:
    the read-back is asked again, and its yes then `done` keep the item."""
    notes, reply = at_action_items()
    reply = play(notes, reply, "me: get the pricing approval by May 3", "send ACME the proposal by 03/04", "done")
    assert reply.state["status"] == "active" and reply.state.get("confirming") is not None, reply.state
    assert "`yes` or `no`" in shown(reply), shown(reply)
    reply = play(notes, reply, "yes", "done")
    assert len(reply.state["answers"]["items"]) == 2, reply.state
    notes, reply = at_action_items()
    reply = play(notes, reply, "send ACME the proposal by 03/04", "done")
    assert "Nothing yet" not in shown(reply) and reply.state.get("confirming") is not None, shown(reply)
    reply = play(notes, reply, "yes", "done")
    assert [i["text"] for i in reply.state["answers"]["items"]] == ["send ACME the proposal"], reply.state
