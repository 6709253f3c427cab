"""A captured, validly signed Slack request sent again inside Slack's five-minute window
(attacker F1): refused with 401, nothing changed; Slack's own retries, re-signed when
sent, still reach the event-id dedupe; a request we did not accept may come again."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from slackkit import (  # noqa: F401 (fixtures)
    TEAM,
    Harness,
    command_body,
    event_body,
    fake_fixture,
    harness_fixture,
    sign,
)
from test_slack_http import row_counts

from bot.channels.slack.gate import Replays
from storage import people
from storage.people import TeamRow


async def test_a_replayed_command_gets_401_and_changes_nothing(harness: Harness) -> None:
    body = command_body(harness.fake, "wig add Replayed from 0 to 10 deals by tomorrow")
    headers = sign(body)
    first = await harness.post(body, headers)
    await harness.settle()
    after_first = await row_counts(harness)
    answers = len(harness.fake.responses)
    replayed = await harness.post(body, headers)
    await harness.settle()
    assert (first.status, replayed.status) == (200, 401)
    assert await row_counts(harness) == after_first
    assert len(harness.fake.responses) == answers == 1


async def test_two_copies_arriving_together_pass_once(harness: Harness) -> None:
    body = command_body(harness.fake, "help")
    headers = sign(body)
    statuses = sorted(r.status for r in await asyncio.gather(
        *(harness.post(body, headers) for _ in range(3))))
    await harness.settle()
    assert statuses == [200, 401, 401]
    assert len(harness.fake.responses) == 1


async def test_slacks_retry_signed_anew_still_reaches_the_event_dedupe(harness: Harness) -> None:
    """Slack signs each delivery when it sends it: a retry has a new timestamp."""
    event = {"type": "message", "channel_type": "im", "channel": "DU0RAVI", "user": "U0RAVI",
             "text": "42 demos", "ts": "1700000001.000100"}
    body = event_body(event, "EvRE")
    now = int(time.time())
    first = await harness.post(body, sign(body, now), "application/json")
    retry = await harness.post(body, {**sign(body, now + 1), "X-Slack-Retry-Num": "1"},
                               "application/json")
    await harness.settle()
    assert (first.status, retry.status) == (200, 200)
    assert len(harness.recorder.turns) == 1


async def test_a_request_that_failed_may_be_sent_again(harness: Harness, monkeypatch: Any) -> None:
    """Only an accepted request spends its signature: when dispatch failed (a 500), the
    same signed bytes are served on the next try."""
    body = command_body(harness.fake, "help")
    headers = sign(body)
    real = harness.channel.app.async_dispatch
    calls = 0

    async def flaky(request: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the database went away")
        return await real(request)

    monkeypatch.setattr(harness.channel.app, "async_dispatch", flaky)
    failed = await harness.post(body, headers)
    again = await harness.post(body, headers)
    await harness.settle()
    assert (failed.status, again.status) == (500, 200)
    assert len(harness.fake.responses) == 1
    assert (await harness.post(body, headers)).status == 401


def test_signatures_are_forgotten_once_their_timestamp_leaves_the_window() -> None:
    now = [1_000_000.0]
    replays = Replays(window=300, clock=lambda: now[0])
    assert replays.claim(1_000_000, "v0=" + "ab" * 32)
    assert not replays.claim(1_000_000, "v0=" + "ab" * 32)
    assert replays.claim(1_000_000, "v0=" + "cd" * 32)
    now[0] += 300  # still inside Slack's window: still remembered
    assert not replays.claim(1_000_000, "v0=" + "ab" * 32)
    now[0] += 1  # Slack's verifier refuses it from here; memory lets it go
    replays.claim(1_000_301, "v0=" + "ef" * 32)
    assert replays.size == 1


def test_memory_is_bounded_without_reopening_the_window() -> None:
    """Full, the oldest second is dropped and timestamps up to it refused: a flood of
    requests costs at most `limit` entries, and no forgotten signature passes again."""
    now = [2_000_000.0]
    replays = Replays(window=300, limit=100, clock=lambda: now[0])
    for second in range(10):
        for n in range(20):
            assert replays.claim(2_000_000 + second, f"v0={second:02x}{n:02x}" + "0" * 60)
            assert replays.size <= 100
    assert not replays.claim(2_000_000, "v0=0000" + "0" * 60)  # forgotten early, still refused
    assert not replays.claim(2_000_000, "v0=00ff" + "0" * 60)  # a new one that old: refused too
    assert replays.claim(2_000_009, "v0=ffff" + "0" * 60)  # newer ones pass


async def test_one_dm_delivered_under_two_event_ids_is_answered_once(harness: Harness) -> None:
    """Attacker F3: the same message (channel and ts) under a new event id, as Slack can
    deliver it (shared channels, org-wide installs, two subscriptions)."""
    event = {"ts": "1700000009.000200", "client_msg_id": "9f1c2a"}
    first = await harness.dm("6 deals", event_id="EvOne", **event)
    again = await harness.dm("6 deals", event_id="EvOneAgain", **event)
    await harness.settle()
    assert (first.status, again.status) == (200, 200)
    assert [t.text for t in harness.recorder.turns] == ["6 deals"]
    assert len(harness.fake.posted("DU0RAVI")) == 1


async def test_two_messages_typed_alike_are_both_answered(harness: Harness) -> None:
    """Same words, two messages (two ts): both are turns, nothing is mistaken for a copy."""
    await harness.dm("yes", event_id="EvYes1", ts="1700000010.000100")
    await harness.dm("yes", event_id="EvYes2", ts="1700000011.000100")
    await harness.settle()
    assert [t.text for t in harness.recorder.turns] == ["yes", "yes"]


async def test_a_profile_e_mail_with_a_hidden_character_matches_nobody(harness: Harness) -> None:
    """Attacker F2: a ghost row an older import stored ("g@example.com" + U+200B) is not
    taken over by a Slack profile with the same invisible character."""
    async with harness.coach.db.session() as session:
        await people.upsert_team(session, harness.team["org"], [
            TeamRow("ghost@example.com\u200b", "Ghost", "rep", "maria@example.com", "UTC")])
    harness.fake.add_user(TEAM, "U0GHOST", "ghost@example.com\u200b")
    await harness.dm("hello", user="U0GHOST", event_id="EvGhost")
    await harness.settle()
    assert harness.recorder.turns == []
    assert "team list" in json.dumps(harness.fake.posted("DU0GHOST"), ensure_ascii=False)


async def test_a_labelled_mailto_link_keeps_its_address(harness: Harness) -> None:
    """Attacker F7: `<mailto:x@evil.example|Support>` reached the coach (and a manager)
    as "Support"; shown like a labelled web link, the address stays in sight. A typed
    address (Slack sends it as its own label) stays the address."""
    await harness.dm("http://evil.example/login <mailto:x@evil.example|Support> or "
                     "<mailto:maria@example.com|maria@example.com>", event_id="EvMail")
    await harness.settle()
    [turn] = harness.recorder.turns
    assert turn.text == "http://evil.example/login Support (x@evil.example) or maria@example.com"
