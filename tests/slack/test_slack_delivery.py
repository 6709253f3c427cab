"""Proactive DMs: pacing, 429s, thousands at once, messages over Slack's limits,
images as files, people linked by e-mail."""

from __future__ import annotations

import asyncio
import time

import pytest
from slackkit import TEAM, Harness, fake_fixture, harness_fixture  # noqa: F401 (fixtures)

from bot.channels.slack import blocks
from bot.channels.slack.pacing import Pacer, Rate
from bot.core.channel import DeliveryError, Recipient
from bot.core.messages import Choice, Field, Image, Message, Progress

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def recipient(i: int, **extra: object) -> Recipient:
    values: dict[str, object] = {"person_id": i, "org_id": 1, "email": f"p{i}@example.com",
                                 "name": f"P {i}", "platform": "slack", "user_id": f"U{i:05d}",
                                 "tenant": TEAM}
    values.update(extra)
    return Recipient(**values)  # type: ignore[arg-type]


async def test_coach_delivers_a_dm_and_learns_the_dm_channel(harness: Harness) -> None:
    ravi = harness.team["ravi"]
    first = await harness.coach.deliver(ravi, [Message("Time for your check-in", title="Check-in")])
    assert first is not None and first.startswith("DU0RAVI:")
    assert harness.fake.posted()[0]["channel"] == "U0RAVI"
    await harness.coach.deliver(ravi, [Message("again")])
    assert harness.fake.posted()[1]["channel"] == "DU0RAVI"  # remembered from the first answer


async def test_people_without_a_slack_id_are_linked_by_email_at_start(harness: Harness) -> None:
    with pytest.raises(DeliveryError):
        await harness.coach.deliver(harness.team["sam"], [Message("hello")])
    await harness.channel.start()
    await harness.settle()
    looked_up = sorted(c.body["email"] for c in harness.fake.calls_to("users.lookupByEmail"))
    assert looked_up == ["ada@example.com", "sam@example.com"]  # maria and ravi came with ids
    await harness.coach.deliver(harness.team["sam"], [Message("hello")])
    assert harness.fake.posted()[-1]["channel"] == "U0SAM"


async def test_a_proxys_plain_text_answer_to_one_lookup_leaves_the_others_linked(harness: Harness) -> None:
    """A gateway answering the first users.lookupByEmail with a plain-text 405 (no JSON
    error to read): that person stays unlinked, the next one is linked (it stopped the
    whole pass with an AttributeError)."""
    harness.fake.gateway("users.lookupByEmail", 1, status=405)
    await harness.channel.start()
    await harness.settle()
    assert len(harness.fake.calls_to("users.lookupByEmail")) + len(harness.fake.refused) == 2
    await harness.coach.deliver(harness.team["sam"], [Message("hello")])  # ada was first, sam is linked
    assert harness.fake.posted()[-1]["channel"] == "U0SAM"


async def test_rate_limited_send_waits_retry_after_and_is_not_lost(harness: Harness) -> None:
    harness.fake.refuse("chat.postMessage", 1)
    started = time.perf_counter()
    message_id = await harness.channel.deliver(recipient(7), [Message("hi")])
    assert time.perf_counter() - started >= 1.0  # Retry-After: 1 was honoured
    assert len(harness.fake.refused) == 1 and len(harness.fake.posted()) == 1
    assert message_id is not None


async def test_a_dispatch_of_thousands_of_dms_loses_none(harness: Harness) -> None:
    count = 2000
    harness.fake.refuse("chat.postMessage", *range(300, 340))
    people = [recipient(i, dm_channel=f"D{i:05d}") for i in range(count)]
    started = time.perf_counter()
    ids = await asyncio.gather(*(harness.channel.deliver(p, [Message(f"check-in {p.person_id}")])
                                 for p in people))
    elapsed = time.perf_counter() - started
    assert len(harness.fake.refused) == 40
    channels = [body["channel"] for body in harness.fake.posted()]
    assert sorted(channels) == sorted(p.dm_channel for p in people)  # each exactly once
    assert all(ids)
    assert elapsed < 20


def test_pacer_keeps_each_channel_and_workspace_under_its_rate() -> None:
    clock = [0.0]
    pacer = Pacer(workspace_rate=Rate(10, 5), channel_rate=Rate(1, 2), clock=lambda: clock[0])
    # one channel: a burst of two, then one per second
    waits = [pacer.reserve("T", "D1") for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.0, 1.0, 2.0])
    # the workspace: bursts of five (two already used above), then ten per second
    other = [pacer.reserve("T2", f"D{i}") for i in range(8)]
    assert other == pytest.approx([0, 0, 0, 0, 0, 0.1, 0.2, 0.3])
    # a 429 pauses the whole workspace
    pacer.pause("T2", 5)
    assert pacer.reserve("T2", "Dnew") == pytest.approx(5.0)
    assert pacer.reserve("T3", "Dnew") == 0.0


def test_oversized_message_is_split_within_slack_limits_and_loses_nothing() -> None:
    paragraph = "Ünïcödé 🚀 " * 30
    text = "\n\n".join(f"{i}: {paragraph}" for i in range(60))  # ~20,000 characters
    message = Message(
        text, title="A" * 200,
        fields=[Field(f"Rep {i}", "x" * 2500) for i in range(25)],
        progress=[Progress(f"KR {i}", i / 80, "caption") for i in range(80)],
        choices=[Choice(f"Option {i} with a very long label " * 3, f"v{i}") for i in range(30)],
    )
    posts = blocks.posts(message)
    assert len(posts) > 1
    all_blocks = [b for p in posts for b in p.blocks]
    for post in posts:
        assert len(post.blocks) <= 50 and len(post.text) <= 3000
    for block in all_blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "section" and "fields" in block:
            assert len(block["fields"]) <= 10
            assert all(len(f["text"]) <= 2000 for f in block["fields"])
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])
    shown = "".join(b["text"]["text"] for b in all_blocks if b["type"] == "section" and "text" in b)
    for i in range(60):
        assert f"{i}: Ünïcödé" in shown
    assert shown.count("🚀") == 60 * 30
    buttons = [e["value"] for b in all_blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [f"v{i}" for i in range(30)]
    assert all_blocks[-1]["type"] == "actions"  # the question stays at the end


async def test_oversized_message_is_sent_as_several_dms(harness: Harness) -> None:
    text = "\n".join(f"line {i} " + "word " * 60 for i in range(200))
    await harness.channel.deliver(recipient(1), [Message(text)])
    posted = harness.fake.posted()
    assert len(posted) >= 2
    joined = " ".join(b["text"]["text"] for p in posted for b in p["blocks"])
    assert all(f"line {i} " in joined for i in range(200))


async def test_images_are_uploaded_as_files_into_the_dm(harness: Harness) -> None:
    chart = Image(PNG, alt="Pipeline coverage by week", filename="coverage.png")
    await harness.channel.deliver(recipient(3), [Message("Your brief", title="Brief", image=chart)])
    [ask] = harness.fake.calls_to("files.getUploadURLExternal")
    assert ask.body["filename"] == "coverage.png" and int(ask.body["length"]) == len(PNG)
    assert list(harness.fake.uploads.values()) == [PNG]
    [done] = harness.fake.calls_to("files.completeUploadExternal")
    assert done.body["channel_id"] == "DU00003"
    assert harness.fake.calls_to("conversations.open") == []  # the post taught us the DM


async def test_an_image_alone_opens_the_dm_first(harness: Harness) -> None:
    chart = Image(PNG, alt="Scorecard")
    await harness.channel.deliver(recipient(4), [Message("", image=chart)])
    assert [c.body["users"] for c in harness.fake.calls_to("conversations.open")] == ["U00004"]
    [done] = harness.fake.calls_to("files.completeUploadExternal")
    assert done.body["channel_id"] == "DU00004"


async def test_a_refused_delivery_raises_delivery_error(harness: Harness) -> None:
    harness.fake.tokens.clear()  # every token is now invalid
    with pytest.raises(DeliveryError, match="invalid_auth"):
        await harness.channel.deliver(recipient(5), [Message("hi")])
