"""The pure engine on plain dicts: loops, branches, back/skip/cancel/help, three
misses, end results, and a state that survives a JSON round trip (a restart)."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest

from conversations import engine
from conversations.engine import Flow, Reply
from conversations.loader import load_flows
from conversations.validators import Env

TODAY = date(2027, 1, 6)
ENV = Env(TODAY, "Europe/Oslo")

LOOP = """\
name: loop
title: flows/goals/title
steps:
  - id: hello
    say: flows/goals/welcome
  - id: init
    set: {items: "[]"}
  - id: item
    ask: flows/goals/key_result
    validate: integer
    options: {min: 1}
  - id: keep
    append: {to: items, item: "answers.item"}
  - id: more
    ask: flows/goals/more_key_results
    validate: yesno
    next: {"yes": item, "no": total}
  - id: total
    set: {total: "answers['items'] | sum"}
  - id: big
    branch:
      - when: "answers.total > 10"
        next: note
      - next: note_optional
  - id: note
    ask: flows/goals/support
    validate: text
    next: done
  - id: note_optional
    ask: flows/goals/learning
    validate: text
    optional: true
    default: "'nothing'"
  - id: done
    end: save_goals
    result:
      items: "answers['items']"
      total: "answers.total"
      note: "answers.note_optional or answers.note"
"""


@pytest.fixture
def flow(tmp_path: Path) -> Flow:
    (tmp_path / "loop.yaml").write_text(LOOP, encoding="utf-8")
    return load_flows(tmp_path)["loop"]


def play(flow: Flow, reply: Reply, *inputs: str) -> Reply:
    for text in inputs:
        state = json.loads(json.dumps(reply.state))  # what the database hands back
        reply = engine.advance(flow, state, text, ENV)
    return reply


def templates(reply: Reply) -> list[str]:
    return [s.template for s in reply.say]


def test_start_says_then_asks(flow: Flow) -> None:
    reply = engine.start(flow, {"first_name": "Ravi"}, TODAY)
    assert templates(reply) == ["flows/goals/welcome", "flows/goals/key_result"]
    assert reply.state["step"] == "item"
    assert reply.state["context"] == {"first_name": "Ravi"}
    assert reply.state["answers"] == {"items": []}


def test_loop_branch_and_end_result(flow: Flow) -> None:
    reply = play(flow, engine.start(flow, {}, TODAY), "4", "yes", "9", "no", "bring snacks")
    assert reply.finished and reply.status == "done"
    assert reply.store == [engine.Store("save_goals", {"items": [4, 9], "total": 13,
                                                       "note": "bring snacks"})]


def test_yes_no_questions_offer_buttons(flow: Flow) -> None:
    reply = play(flow, engine.start(flow, {}, TODAY), "4")
    assert [o.value for o in reply.say[-1].choices] == ["yes", "no"]


def test_skip_uses_the_default_and_is_refused_on_required_questions(flow: Flow) -> None:
    reply = play(flow, engine.start(flow, {}, TODAY), "skip")
    assert templates(reply) == [engine.NOT_OPTIONAL, "flows/goals/key_result"]
    reply = play(flow, reply, "2", "no", "skip")
    assert reply.store[0].data["note"] == "nothing"


def test_back_undoes_answers_including_loop_items(flow: Flow) -> None:
    reply = play(flow, engine.start(flow, {}, TODAY), "4", "yes", "9")
    assert reply.state["answers"]["items"] == [4, 9]
    reply = play(flow, reply, "back")
    assert reply.state["step"] == "item" and reply.state["answers"]["items"] == [4]
    reply = play(flow, reply, "back", "back")
    assert reply.state["step"] == "item" and reply.state["answers"]["items"] == []
    reply = play(flow, reply, "back")
    assert templates(reply) == [engine.AT_START, "flows/goals/key_result"]
    reply = play(flow, reply, "1", "no", "skip")
    assert reply.store[0].data["items"] == [1]


def test_cancel_and_help(flow: Flow) -> None:
    reply = play(flow, engine.start(flow, {}, TODAY), "help")
    assert templates(reply) == ["flows/common/help", "flows/goals/key_result"]
    reply = play(flow, reply, "Cancel")
    assert reply.status == "cancelled" and templates(reply) == [engine.CANCELLED]
    assert reply.store == []
    assert play(flow, reply, "5").say == []  # a finished state ignores input


def test_button_values_are_understood(flow: Flow) -> None:
    reply = play(flow, engine.start(flow, {}, TODAY), "flow:cancel")
    assert reply.status == "cancelled"


def test_bad_answers_are_retried_and_three_misses_offer_a_way_out(flow: Flow) -> None:
    reply = play(flow, engine.start(flow, {}, TODAY), "many")
    assert templates(reply) == ["flows/common/retry"]
    assert reply.say[0].values["error"] == "not_a_number"
    assert reply.say[0].values["validator"] == "integer"
    reply = play(flow, reply, "0")
    assert reply.say[0].values["error"] == "too_small"
    reply = play(flow, reply, "lots")
    assert templates(reply) == ["flows/common/retry", engine.OFFER]
    assert [o.value for o in reply.say[1].choices] == ["help", "cancel"]   # not optional: no skip
    import prompts

    offer = prompts.render(engine.OFFER, **reply.say[1].values)
    cancelled = prompts.render(engine.CANCELLED)
    # the way out says what cancelling does, as the cancel answer will: nothing kept
    assert "You can ask for help, or cancel the conversation (nothing from it is kept)" in offer
    assert "nothing from it was saved" in cancelled and "skip" not in offer
    reply = play(flow, reply, "3")
    assert reply.state["misses"] == 0 and reply.state["step"] == "more"


def test_restart_from_stored_state_carries_on(flow: Flow) -> None:
    reply = play(flow, engine.start(flow, {}, TODAY), "4", "yes")
    stored = json.dumps(reply.state)
    again = engine.repeat(flow, json.loads(stored), TODAY)
    assert templates(again) == ["flows/goals/key_result"]
    done = play(flow, Reply(json.loads(stored)), "7", "no", "ok")
    assert done.store[0].data["items"] == [4, 7]


def test_a_stored_step_that_no_longer_exists_starts_over(flow: Flow) -> None:
    state = engine.new_state(flow, {"x": 1})
    state["step"] = "removed_step"
    reply = engine.advance(flow, state, "hello", ENV)
    assert templates(reply)[:2] == [engine.RESTARTED, "flows/goals/welcome"]
    assert reply.state["step"] == "item" and reply.state["context"] == {"x": 1}


def test_a_flow_that_never_asks_is_reported(tmp_path: Path) -> None:
    (tmp_path / "spin.yaml").write_text(
        "name: spin\ntitle: flows/goals/title\nsteps:\n  - id: a\n    goto: b\n"
        "  - id: b\n    goto: a\n  - id: c\n    end: null\n", encoding="utf-8")
    spin = load_flows(tmp_path)["spin"]
    with pytest.raises(engine.FlowRuntimeError, match="without a question"):
        engine.start(spin, {}, TODAY)


def test_the_goal_flow_refuses_a_fourth_priority_and_coaches_key_results() -> None:
    goals = _goals()
    reply = engine.start(goals, {"first_name": "Ravi", "manager_name": "Maria", "year": "2027"}, TODAY)
    reply = play(goals, reply, "skip", "skip", "skip", "skip", "skip", "a; b; c; d")
    assert reply.say[0].template == "flows/goals/priorities_retry"
    assert reply.say[0].values["error"] == "too_many"
    reply = play(goals, reply, "a; b; c", "skip", "Be better at closing")
    assert reply.say[0].template == "flows/goals/key_result_retry"
    assert reply.say[0].values["error"] == "not_measurable"
    reply = play(goals, reply, "Book 40 meetings")
    assert reply.state["step"] == "kr_kind_ok"  # the kind it was read as, to confirm
    assert reply.state["answers"]["kr"]["kind"] == "total"
    reply = play(goals, reply, "yes")
    assert reply.state["step"] == "kr_when"  # a number but no date: "by when?"


def _goals() -> Flow:
    from conversations.loader import load_flow
    from prompts import exists

    return load_flow(Path(engine.__file__).parent / "flows" / "goals.yaml", exists)


def test_conversations_import_nothing_from_bot_or_storage() -> None:
    folder = Path(engine.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("bot", "storage")), f"{path.name} imports {name}"
