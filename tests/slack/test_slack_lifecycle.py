"""Slack taking coachbot out of a workspace, in single-token mode (OAuth mode is in
test_slack_oauth.py): the event is acknowledged, deliveries there pause (nothing is
attempted), admins are told, and a working token or a new install resumes it."""

from __future__ import annotations

import logging

import pytest
from slackkit import TEAM, Harness, event_body, fake_fixture, harness_fixture, sign  # noqa: F401 (fixtures)

from bot.channels.slack import lifecycle
from bot.core.channel import DeliveryError
from bot.core.messages import Message
from storage import slack as store


async def send_event(h: Harness, event: dict, event_id: str) -> int:
    body = event_body(event, event_id)
    response = await h.post(body, sign(body), "application/json")
    await h.settle()
    return response.status


@pytest.mark.parametrize("event", [
    {"type": "app_uninstalled"},
    {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}},
])
async def test_taken_out_pauses_deliveries_and_tells_admins(harness: Harness, event: dict,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    await harness.coach.deliver(harness.team["ravi"], [Message("before")])
    assert len(harness.fake.posted()) == 1
    caplog.set_level(logging.WARNING)
    assert await send_event(harness, event, "EvOut") == 200
    async with harness.coach.db.session() as session:
        assert await store.paused_workspaces(session) == {TEAM: event["type"]}
    with pytest.raises(DeliveryError, match="not installed in Slack workspace"):
        await harness.coach.deliver(harness.team["ravi"], [Message("after")])
    assert len(harness.fake.posted()) == 1  # nothing attempted while paused
    assert "ada@example.com could not be told that Slack workspace" in caplog.text  # Ada is reached on Slack only


async def test_a_revoked_user_token_alone_pauses_nothing(harness: Harness) -> None:
    assert await send_event(harness, {"type": "tokens_revoked", "tokens": {"oauth": ["U0ADA"]}}, "EvUser") == 200
    async with harness.coach.db.session() as session:
        assert await store.paused_workspaces(session) == {}
    await harness.coach.deliver(harness.team["ravi"], [Message("still here")])
    assert len(harness.fake.posted()) == 1


async def test_a_pause_seen_by_another_instance_applies_and_a_working_token_resumes(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    async with harness.coach.db.session() as session:
        await store.pause_workspace(session, TEAM, "app_uninstalled")
    monkeypatch.setattr(lifecycle, "PAUSED_CACHE_SECONDS", 0.0)
    with pytest.raises(DeliveryError):
        await harness.coach.deliver(harness.team["ravi"], [Message("paused")])
    assert await harness.channel.link_people() >= 0  # auth.test with the configured token succeeds
    await harness.coach.deliver(harness.team["ravi"], [Message("resumed")])
    assert [p["text"] for p in harness.fake.posted()][-1:] != []
    async with harness.coach.db.session() as session:
        assert await store.paused_workspaces(session) == {}
