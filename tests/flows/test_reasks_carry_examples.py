"""Every re-ask carries an example, also the one after a read-back the person said
"no" to (a numeric day read in their order, a value far from the last one)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import prompts
from conversations import engine
from conversations.engine import RETRY
from conversations.loader import load_flows
from conversations.validators import Env

TODAY = date(2027, 1, 6)
CHICAGO = Env(TODAY, "America/Chicago")  # month first: 03/04 is 4 March, read back in words

FLOW = """\
name: when
title: flows/goals/title
steps:
  - id: day
    ask: flows/goals/key_result
    validate: date
  - id: done
    end: save_goals
    result: {day: "answers.day"}
"""


def test_a_no_to_a_read_back_day_re_asks_with_the_example(tmp_path: Path) -> None:
    (tmp_path / "when.yaml").write_text(FLOW, encoding="utf-8")
    flow = load_flows(tmp_path)["when"]
    reply = engine.start(flow, {}, TODAY)
    reply = engine.advance(flow, json.loads(json.dumps(reply.state)), "03/04", CHICAGO)
    assert reply.say[-1].template == engine.CONFIRM
    reply = engine.advance(flow, json.loads(json.dumps(reply.state)), "no", CHICAGO)
    assert [s.template for s in reply.say] == [RETRY, "flows/goals/key_result"]
    words = prompts.render(reply.say[0].template, **reply.say[0].values)
    assert "won't keep that" in words and "`March 31`" in words
    assert reply.state["step"] == "day" and "day" not in reply.state["answers"]
    kept = engine.advance(flow, json.loads(json.dumps(reply.state)), "4 March", CHICAGO)
    assert kept.finished and kept.store[0].data == {"day": "2027-03-04"}


def test_every_retry_code_the_engine_sends_has_an_example() -> None:
    for validator in ("integer", "number", "money", "percentage", "date", "measurable"):
        words = prompts.render(RETRY, error="not_confirmed", details={}, validator=validator, misses=1)
        assert "for example" in words and "`" in words, validator

