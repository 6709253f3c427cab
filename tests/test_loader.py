"""The loader refuses every kind of broken flow file at start-up, naming the file and
the step; the repository's own flows all load."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.loader import FlowError, load_flows

VALID = """\
name: demo
title: flows/goals/title
steps:
  - id: hello
    say: flows/goals/welcome
  - id: amount
    ask: flows/goals/quota
    validate: money
  - id: more
    ask: flows/goals/more_key_results
    validate: yesno
    next: {"yes": amount, "no": done}
  - id: done
    end: save_goals
"""


def write(tmp_path: Path, text: str, name: str = "demo") -> Path:
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_repository_flows_load_and_their_actions_exist() -> None:
    from bot.core.feature import Features
    from bot.core.flows import check_actions
    from bot.runtime import FEATURES

    flows = load_flows()
    assert {"goals", "discovery", "salary_prep", "salary_followup"} <= set(flows)
    check_actions(Features(FEATURES).actions, flows)


def test_a_valid_file_loads(tmp_path: Path) -> None:
    flow = load_flows(write(tmp_path, VALID))["demo"]
    assert flow.start == "hello"
    assert flow.steps["hello"].next == "amount"        # implicit: the following step
    assert flow.steps["more"].next == {"yes": "amount", "no": "done"}


BROKEN = [
    ("unknown step kind", VALID.replace("say: flows/goals/welcome", "shout: flows/goals/welcome"),
     "hello", "unknown step kind 'shout'"),
    ("unknown target", VALID.replace('"no": done', '"no": finish'), "more", "unknown step 'finish'"),
    ("unknown template", VALID.replace("flows/goals/quota", "flows/goals/quotaa"), "amount",
     "template 'flows/goals/quotaa' not found"),
    ("unknown validator", VALID.replace("validate: money", "validate: moneyy"), "amount",
     "unknown validator 'moneyy'"),
    ("unknown validator option", VALID.replace("validate: money", "validate: money\n    options: {max: 3}"),
     "amount", "has no option(s) max"),
    ("two kinds in one step", VALID.replace("    say: flows/goals/welcome",
                                            "    say: flows/goals/welcome\n    goto: done"),
     "hello", "unknown key(s) for a goto step"),
    ("duplicate id", VALID.replace("id: more", "id: amount"), "amount", "duplicate step id"),
    ("falls off the end", VALID.replace("  - id: done\n    end: save_goals\n", ""), "more",
     "unknown step 'done'"),
    ("bad expression", VALID.replace("  - id: done\n", "  - id: calc\n    set: {x: \"answers.(\"}\n  - id: done\n"),
     "calc", "bad expression"),
    ("unknown computation", VALID.replace("  - id: done\n", "  - id: calc\n    compute: magic\n  - id: done\n"),
     "calc", "unknown computation 'magic'"),
    ("choice without choices", VALID.replace("validate: money", "validate: choice"), "amount",
     "needs choices"),
    ("optional branch without fallback", VALID.replace("validate: yesno", "validate: yesno\n    optional: true"),
     "more", "needs a '*' entry"),
    ("unknown key on a step", VALID.replace("validate: money", "validate: money\n    colour: red"),
     "amount", "unknown key(s) for a ask step: colour"),
    ("branch missing an answer", VALID.replace('{"yes": amount, "no": done}', '{"yes": amount}'),
     "more", "no target for answer(s) no"),
    ("branch on free text without fallback", VALID.replace("validate: money", 'validate: money\n    next: {"5": done}'),
     "amount", "no target for other answers"),
    ("step without id", VALID.replace("  - id: hello\n    say:", "  - say:"), "#1", "needs an id"),
]


@pytest.mark.parametrize(("case", "text", "step", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_flows_name_the_file_and_step(tmp_path: Path, case: str, text: str, step: str,
                                             message: str) -> None:
    with pytest.raises(FlowError) as raised:
        load_flows(write(tmp_path, text))
    assert raised.value.source == "demo.yaml"
    assert raised.value.step == step
    assert message in str(raised.value)
    assert str(raised.value).startswith(f"demo.yaml, step {step!r}: ")


def test_last_step_without_end_or_next(tmp_path: Path) -> None:
    text = VALID.replace("  - id: done\n    end: save_goals\n", "  - id: done\n    say: flows/goals/saved\n")
    with pytest.raises(FlowError, match=r"demo.yaml, step 'done': is the last step"):
        load_flows(write(tmp_path, text))


@pytest.mark.parametrize(("text", "message"), [
    ("name: demo\ntitle: [unclosed\n", "is not valid YAML"),
    ("- just\n- a list\n", "must be a mapping"),
    (VALID.replace("name: demo", "name: other"), "must equal the file name"),
    (VALID.replace("title: flows/goals/title", "title: flows/nope"), "title template"),
    (VALID + "colour: red\n", "unknown top-level key(s): colour"),
    ("name: demo\ntitle: flows/goals/title\nsteps: []\n", "non-empty list of steps"),
    (VALID.replace("steps:", "start: nowhere\nsteps:"), "start step 'nowhere'"),
])
def test_broken_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(FlowError) as raised:
        load_flows(write(tmp_path, text))
    assert message in str(raised.value)
    assert str(raised.value).startswith("demo.yaml: ")


def test_unknown_end_action_is_refused(tmp_path: Path) -> None:
    from bot.core.feature import Features
    from bot.core.flows import check_actions
    from bot.runtime import FEATURES

    flows = load_flows(write(tmp_path, VALID.replace("end: save_goals", "end: send_flowers")))
    with pytest.raises(FlowError, match=r"demo.yaml, step 'done': unknown end action 'send_flowers'"):
        check_actions(Features(FEATURES).actions, flows)


def test_missing_shared_template_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match="flows/common/retry"):
        load_flows(write(tmp_path, VALID), template_exists=lambda name: name != "flows/common/retry")


def test_yaml_booleans_as_branch_keys_are_understood(tmp_path: Path) -> None:
    flow = load_flows(write(tmp_path, VALID.replace('{"yes": amount, "no": done}', "{yes: amount, no: done}")))
    assert flow["demo"].steps["more"].next == {"yes": "amount", "no": "done"}
