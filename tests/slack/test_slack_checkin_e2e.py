"""A real check-in through Slack with the real coach (its flows, its storage): from
`/okr checkin`, in the DM, and in the modal. Asserts on structure, not wording."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slackkit import TEAM, FakeSlack, Harness, fake_fixture, make_harness, slack_settings  # noqa: F401 (fixtures)
from test_slack_home_and_socket import seed_okrs

from storage import people
from storage.db import Database


@pytest.fixture(name="harness")
async def real_harness(db: Database, team: dict[str, int], fake: FakeSlack) -> AsyncIterator[Harness]:
    """The Slack channel in front of the real coach, every feature answering."""
    async with db.session() as session:
        await people.bind_workspace(session, team["org"], "slack", TEAM)
    async for h in make_harness(db, team, fake, slack_settings(db, fake), record=False):
        yield h


def buttons(post: dict[str, Any]) -> list[str]:
    return [e["value"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_okr_checkin_continues_in_the_dm_with_buttons(harness: Harness) -> None:
    await seed_okrs(harness)
    await harness.command("checkin")
    await harness.settle()
    [note] = harness.fake.responses
    assert note["response_type"] == "ephemeral"  # "carry on in the DM", where it was typed
    first = harness.fake.posted()
    assert first and first[0]["channel"] == "U0RAVI"
    assert "New customers signed" in json.dumps(first, ensure_ascii=False)
    await harness.dm("7", event_id="EvCheckin1")
    await harness.settle()
    assert buttons(harness.fake.posted()[-1]) == ["on_track", "at_risk", "off_track"]


async def test_check_in_form_runs_the_real_flow(harness: Harness) -> None:
    await seed_okrs(harness)
    await harness.interact({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0RAVI"}, "api_app_id": "A1",
        "trigger_id": "trig-1", "container": {"type": "view", "view_id": "VHOME"},
        "actions": [{"type": "button", "action_id": "coachbot_form_open", "value": "/okr checkin",
                     "block_id": "coachbot_home_actions"}],
    })
    await harness.settle()
    [updated] = harness.fake.calls_to("views.update")
    view = json.loads(updated.body["view"]) if isinstance(updated.body["view"], str) else updated.body["view"]
    assert "New customers signed" in json.dumps(view, ensure_ascii=False)
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["element"]["type"] == "plain_text_input"
    response = await harness.interact({
        "type": "view_submission", "team": {"id": TEAM}, "user": {"id": "U0RAVI"}, "api_app_id": "A1",
        "view": {"id": "VFORM", "type": "modal", "callback_id": "coachbot_form",
                 "private_metadata": json.dumps({"team": TEAM}),
                 "state": {"values": {"coachbot_answer": {"answer": {"type": "plain_text_input",
                                                                     "value": "7"}}}}}})
    answer = await response.json()
    assert answer["response_action"] == "update"
    [field] = [b for b in answer["view"]["blocks"] if b["type"] == "input"]
    assert [o["value"] for o in field["element"]["options"]] == ["on_track", "at_risk", "off_track"]
