"""Proactive Slack DMs against a flaky Web API (the fake's 500s, resets and hangs):
every call is bounded, "not now" is told apart from "never", each prompt carries its
tag in message metadata, and a prompt whose outcome was lost is found, not re-sent."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from slackkit import TEAM, Harness, fake_fixture, harness_fixture  # noqa: F401 (fixtures)
from sqlalchemy import update
from sqlmodel import select

from bot.cadence.dispatcher import Dispatcher
from bot.core.channel import DeliveryError, Recipient, TransientDeliveryError
from bot.core.messages import Message
from storage.models import Occurrence, Person


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def everyone_joined(harness: Harness, when: datetime) -> None:
    async with harness.coach.db.session() as session:
        await session.exec(update(Person).values(created_at=when))


async def delivered(harness: Harness, person_id: int) -> list[Occurrence]:
    async with harness.coach.db.session() as session:
        return list((await session.exec(select(Occurrence).where(
            Occurrence.person_id == person_id, Occurrence.status == "delivered"))).all())


def ravi(harness: Harness) -> Recipient:
    return Recipient(harness.team["ravi"], harness.team["org"], "ravi@example.com", "Ravi",
                     "slack", "U0RAVI", TEAM, "DU0RAVI")


async def test_a_500_is_transient_and_a_missing_user_is_permanent(harness: Harness) -> None:
    harness.fake.fail("chat.postMessage", 1)
    with pytest.raises(TransientDeliveryError) as transient:
        await harness.channel.deliver(ravi(harness), [Message("hi")])
    assert transient.value.uncertain  # a 5xx may have posted it
    stranger = Recipient(99, 1, "x@example.com", "X", "slack", "U0NOBODY", "T-UNKNOWN-TOKEN")
    harness.fake.tokens.pop("xoxb-test")  # the token is revoked: invalid_auth, for good
    with pytest.raises(DeliveryError) as permanent:
        await harness.channel.deliver(stranger, [Message("hi")])
    assert not isinstance(permanent.value, TransientDeliveryError)
    assert "invalid_auth" in str(permanent.value)


async def test_a_proxys_plain_text_answer_is_an_outcome_not_a_crash(harness: Harness) -> None:
    """A gateway in front of Slack answering plain text (no JSON to read the error from): a 502
    is transient (it may have posted), a 405 a refusal; neither an AttributeError."""
    harness.fake.gateway("chat.postMessage", 1, status=502)
    harness.fake.gateway("chat.postMessage", 2, status=405)
    with pytest.raises(TransientDeliveryError) as transient:
        await harness.channel.deliver(ravi(harness), [Message("hi")])
    assert transient.value.uncertain and "502" in str(transient.value)
    with pytest.raises(DeliveryError) as refused:
        await harness.channel.deliver(ravi(harness), [Message("hi")])
    assert not isinstance(refused.value, TransientDeliveryError)


async def test_a_reset_connection_is_transient_and_not_retried_blindly(harness: Harness) -> None:
    harness.fake.reset("chat.postMessage", 1, accepted=True)
    with pytest.raises(TransientDeliveryError):
        await harness.channel.deliver(ravi(harness), [Message("hi", tag="k#prompt")])
    assert len(harness.fake.posted()) == 1  # Slack posted it once; the SDK did not resend
    assert await harness.channel.find_delivery(ravi(harness), "k#prompt") is not None


async def test_a_hung_call_times_out_in_seconds_and_other_sends_go_on(harness: Harness) -> None:
    harness.channel.api.timeout = 0.5
    await harness.channel.api.close()  # a new session with the short timeout
    harness.fake.hang("chat.postMessage", 1, seconds=30)
    started = time.perf_counter()
    hung, other = await asyncio.gather(
        harness.channel.deliver(ravi(harness), [Message("first")]),
        harness.channel.deliver(Recipient(7, 1, "p7@example.com", "P7", "slack", "U7", TEAM, "D7"),
                                [Message("second")]),
        return_exceptions=True)
    # whichever send reached Slack first hangs (the fake hangs its first arrival)
    outcomes = sorted([hung, other], key=lambda o: isinstance(o, str))
    assert isinstance(outcomes[0], TransientDeliveryError), outcomes
    assert isinstance(outcomes[1], str), outcomes
    assert time.perf_counter() - started < 5


async def test_prompts_carry_their_tag_in_message_metadata(harness: Harness) -> None:
    await harness.channel.deliver(ravi(harness), [Message("check-in", tag="okr_checkin:3:2027-01-12#prompt")])
    [posted] = harness.fake.posted()
    metadata = posted["metadata"]
    metadata = metadata if isinstance(metadata, dict) else __import__("json").loads(metadata)
    assert metadata == {"event_type": "coachbot_prompt",
                        "event_payload": {"tag": "okr_checkin:3:2027-01-12#prompt"}}
    assert await harness.channel.find_delivery(ravi(harness), "okr_checkin:3:2027-01-12#prompt") \
        == f"DU0RAVI:{harness.fake.history['DU0RAVI'][0]['ts']}"
    assert await harness.channel.find_delivery(ravi(harness), "okr_checkin:3:2027-01-26#prompt") is None


async def test_dispatcher_survives_a_burst_of_500s_and_a_hang_without_doubles(harness: Harness) -> None:
    """Ravi's prompt meets a 500 (not posted), then a hang after Slack posted it (the
    answer never comes back); the next attempt finds it by its tag. One DM, no
    failure, no admin message."""
    harness.channel.api.timeout = 0.5
    await harness.channel.api.close()
    harness.fake.fail("chat.postMessage", 1)
    harness.fake.hang("chat.postMessage", 2, seconds=5, accepted=True)
    await everyone_joined(harness, utc(2027, 1, 11))
    start = utc(2027, 1, 11, 4, 0)
    total = {"delivered": 0, "failed": 0, "retrying": 0, "recovered": 0}
    for seconds in (0, 10, 30, 60, 120):
        with freeze_time(start + timedelta(seconds=seconds), real_asyncio=True):
            report = await Dispatcher(harness.coach, instance=f"t{seconds}").tick()
        for name in total:
            total[name] += getattr(report, name)
    assert total == {"delivered": 1, "failed": 0, "retrying": 2, "recovered": 1}, total
    assert len(harness.fake.posted("DU0RAVI") + harness.fake.posted("U0RAVI")) == 1
    [row] = await delivered(harness, harness.team["ravi"])
    assert row.payload["attempts"] == 2
