"""Signed requests through the real Bolt app on our aiohttp server: /okr, DMs,
buttons, identity mapping, signature checks and retried events."""

from __future__ import annotations

import asyncio
import json
import time

from slackkit import TEAM, Harness, command_body, event_body, fake_fixture, harness_fixture, sign  # noqa: F401 (fixtures)
from sqlalchemy import func
from sqlmodel import SQLModel, select

from bot.core.messages import Choice, Message
from storage.models import ChatIdentity, CheckInAnswer, ProcessedEvent


async def row_counts(h: Harness) -> dict[str, int]:
    counts = {}
    async with h.coach.db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            counts[table.name] = (await session.exec(select(func.count()).select_from(table))).one()
    return counts


async def test_okr_help_is_acknowledged_then_answered_ephemerally(harness: Harness) -> None:
    response = await harness.command("help")
    assert response.status == 200
    assert await response.text() == ""
    await harness.settle()
    [answer] = harness.fake.responses
    assert answer["response_type"] == "ephemeral"
    shown = " ".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")
    assert "/okr status" in shown and "/okr help" in shown
    assert not harness.fake.posted()  # nothing leaked into a channel


async def test_acknowledges_before_the_coach_has_answered(harness: Harness) -> None:
    harness.recorder.gate = asyncio.Event()
    started = time.perf_counter()
    response = await harness.dm("a long answer", event_id="EvSLOW")
    assert response.status == 200
    assert time.perf_counter() - started < 1.0
    assert harness.recorder.turns == []  # the coach is still thinking
    harness.recorder.gate.set()
    await harness.settle()
    assert len(harness.recorder.turns) == 1


async def test_forged_unsigned_and_replayed_requests_get_401_and_change_nothing(harness: Harness) -> None:
    before = await row_counts(harness)
    body = command_body(harness.fake, "help")
    forged = await harness.post(body, sign(body, secret="not-the-secret"))
    unsigned = await harness.post(body, {})
    replayed = await harness.post(body, sign(body, timestamp=int(time.time()) - 6 * 60))
    tampered_headers = sign(body)
    tampered = await harness.post(body.replace("help", "status"), tampered_headers)
    assert [forged.status, unsigned.status, replayed.status, tampered.status] == [401] * 4
    await harness.settle()
    assert harness.fake.calls == [] and harness.fake.responses == []
    assert harness.recorder.turns == []
    assert await row_counts(harness) == before


async def test_unsigned_junk_gets_401_and_signed_junk_400_never_a_500(harness: Harness) -> None:
    """Bolt parses a body before it checks its signature: a body that does not parse
    must still be refused as unsigned (401) rather than crash (500)."""
    junk = [(b"{not json", "application/json"), (b"\xff\xfe", "application/json"),
            (b"\xff\xfe", "application/x-www-form-urlencoded"),
            (b"payload=%7Bnot", "application/x-www-form-urlencoded"), (b"[1, 2]", "application/json")]
    for body, content_type in junk:
        for headers in ({}, sign("x"), sign(body.decode("latin-1"), secret="not-the-secret")):
            response = await harness.client.post("/slack/events", data=body,
                                                  headers={"Content-Type": content_type, **headers})
            assert response.status == 401, (body, headers)
    signed = await harness.client.post("/slack/events", data=b"{not json",
                                       headers={"Content-Type": "application/json", **sign("{not json")})
    assert signed.status == 400
    assert (await harness.command("help")).status == 200


async def test_dm_reaches_the_coach_and_the_reply_has_buttons(harness: Harness) -> None:
    harness.recorder.reply = lambda event: [Message(
        "How confident are you?", title="Check-in",
        choices=[Choice("On track", "on_track", "primary"), Choice("At risk", "at_risk"),
                 Choice("Off track", "off_track", "danger")])]
    response = await harness.dm("ready")
    assert response.status == 200
    await harness.settle()
    [turn] = harness.recorder.turns
    assert turn.text == "ready" and turn.platform == "slack" and turn.conversation_id == "DU0RAVI"
    [posted] = harness.fake.posted("DU0RAVI")
    kinds = [b["type"] for b in posted["blocks"]]
    assert kinds == ["header", "section", "actions"]
    buttons = posted["blocks"][-1]["elements"]
    assert [(b["text"]["text"], b["value"], b.get("style")) for b in buttons] == [
        ("On track", "on_track", "primary"), ("At risk", "at_risk", None),
        ("Off track", "off_track", "danger")]
    assert "How confident are you?" in posted["text"]


async def test_a_retried_event_is_processed_once(harness: Harness) -> None:
    first = await harness.dm("42 demos", event_id="EvRETRY")
    second = await harness.dm("42 demos", event_id="EvRETRY", retry=1)
    await harness.settle()
    third = await harness.dm("42 demos", event_id="EvRETRY", retry=2)
    await harness.settle()
    assert [first.status, second.status, third.status] == [200, 200, 200]
    assert len(harness.recorder.turns) == 1
    assert len(harness.fake.posted()) == 1
    async with harness.coach.db.session() as session:
        claims = (await session.exec(select(ProcessedEvent))).all()
    assert [c.event_id for c in claims] == [f"{TEAM}:DU0RAVI:{harness.message_ts[(TEAM, 'EvRETRY')]}"]


async def test_button_click_is_an_action_and_the_card_loses_its_buttons(harness: Harness) -> None:
    card = [{"type": "section", "text": {"type": "mrkdwn", "text": "How confident?"}},
            {"type": "actions", "block_id": "coachbot_choices_0", "elements": [
                {"type": "button", "action_id": "coachbot_choice:0", "value": "at_risk",
                 "text": {"type": "plain_text", "text": "At risk"}}]}]
    await harness.interact({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0RAVI", "team_id": TEAM},
        "api_app_id": "A1", "trigger_id": "1.2", "container": {"type": "message",
        "message_ts": "1700000000.000001", "channel_id": "DU0RAVI", "is_ephemeral": False},
        "channel": {"id": "DU0RAVI"}, "message": {"ts": "1700000000.000001", "blocks": card},
        "response_url": harness.fake.response_url(),
        "actions": [{"type": "button", "action_id": "coachbot_choice:0", "block_id": "coachbot_choices_0",
                     "value": "at_risk", "text": {"type": "plain_text", "text": "At risk"}}],
    })
    await harness.settle()
    [turn] = harness.recorder.turns
    assert turn.action == "at_risk" and turn.text == ""
    [update] = [c.body for c in harness.fake.calls_to("chat.update")]
    assert update["ts"] == "1700000000.000001"
    assert [b["type"] for b in update["blocks"]] == ["section", "context"]
    assert "At risk" in update["blocks"][1]["elements"][0]["text"]
    assert harness.fake.posted("DU0RAVI")[0]["text"] == "heard: at_risk"


async def test_unknown_user_is_asked_to_get_added_and_nothing_is_stored(harness: Harness) -> None:
    before = await row_counts(harness)
    await harness.dm("hello?", user="U0STRANGER", event_id="EvX1")
    await harness.dm("hello?", user="U0STRANGER", event_id="EvX1", retry=1)
    await harness.command("status", user="U0STRANGER")
    await harness.settle()
    assert harness.recorder.turns == []
    [dm] = harness.fake.posted("DU0STRANGER")
    assert "admin" in dm["text"]
    [ephemeral] = harness.fake.responses
    assert "admin" in ephemeral["text"] and ephemeral["response_type"] == "ephemeral"
    assert await row_counts(harness) == before


async def test_user_without_slack_id_is_found_by_email_and_remembered(harness: Harness) -> None:
    await harness.dm("hi", user="U0SAM", event_id="EvSAM")
    await harness.settle()
    [turn] = harness.recorder.turns
    assert turn.person_id == harness.team["sam"]
    assert [c.body["user"] for c in harness.fake.calls_to("users.info")] == ["U0SAM"]
    async with harness.coach.db.session() as session:
        identity = (await session.exec(select(ChatIdentity).where(
            ChatIdentity.person_id == harness.team["sam"]))).one()
    assert (identity.user_id, identity.dm_channel) == ("U0SAM", "DU0SAM")
    await harness.dm("again", user="U0SAM", event_id="EvSAM2")  # now by stored id
    await harness.settle()
    assert len(harness.fake.calls_to("users.info")) == 1


async def test_answers_keep_emoji_rich_text_and_any_script(harness: Harness) -> None:
    typed = "Готово ✅ 完成 🎉 नमस्ते — R&amp;D &lt;3 &gt; *bold* <@U0MARIA|maria> <https://ex.com/a?b=1&amp;c=2|deck>"
    await harness.dm(typed, event_id="EvUNI")
    await harness.settle()
    expected = ("Готово ✅ 完成 🎉 नमस्ते — R&D <3 > *bold* @maria@example.com "
                "deck (https://ex.com/a?b=1&c=2)")
    assert harness.recorder.turns[0].text == expected
    async with harness.coach.db.session() as session:
        stored = (await session.exec(select(CheckInAnswer))).one()
    assert stored.text == expected


async def test_okr_command_text_reaches_the_coach_with_mentions_resolved(harness: Harness) -> None:
    await harness.command("discover Ünïcode GmbH <@U0MARIA|maria>")
    await harness.settle()
    # "discover" is a real command: the coach answers it; what matters here is the text.
    assert harness.fake.responses or harness.fake.posted()


async def test_click_on_an_ephemeral_card_answers_privately_and_continues_in_the_dm(
        harness: Harness) -> None:
    harness.recorder.reply = lambda event: [Message("Let's start: what worked last year?"),
                                            Message("only you see this", private=True)]
    await harness.interact({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0RAVI"},
        "api_app_id": "A1", "trigger_id": "1.2",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0GENERAL",
                      "is_ephemeral": True},
        "channel": {"id": "C0GENERAL"}, "response_url": harness.fake.response_url(),
        "actions": [{"type": "button", "action_id": "coachbot_choice:1", "block_id": "coachbot_choices_0",
                     "value": "goals", "text": {"type": "plain_text", "text": "Set goals"}}],
    })
    await harness.settle()
    [dm] = harness.fake.posted("U0RAVI")
    assert dm["text"] == "Let's start: what worked last year?"
    replaced, ephemeral = harness.fake.responses
    assert replaced["replace_original"] is True and "Set goals" in replaced["text"]
    texts = [b["text"]["text"] for b in ephemeral["blocks"] if b["type"] == "section"]
    assert texts[0] == "only you see this" and "direct messages" in texts[1]
    assert ephemeral["response_type"] == "ephemeral"


async def test_event_for_a_message_edit_or_a_bot_is_ignored(harness: Harness) -> None:
    await harness.dm("edited", event_id="EvE1", subtype="message_changed")
    await harness.dm("from a bot", event_id="EvE2", bot_id="B999")
    channel_event = event_body({"type": "message", "channel_type": "channel", "channel": "C1",
                                "user": "U0RAVI", "text": "public", "ts": "1.2"}, "EvE3")
    await harness.post(channel_event, sign(channel_event), "application/json")
    await harness.settle()
    assert harness.recorder.turns == [] and harness.fake.posted() == []


async def test_url_verification_challenge_is_answered(harness: Harness) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aB", "type": "url_verification"})
    response = await harness.post(body, sign(body), "application/json")
    assert response.status == 200
    assert (await response.json())["challenge"] == "3eZbrw1aB"


async def test_a_manager_asks_for_a_reps_status_by_mention(harness: Harness) -> None:
    await harness.command("status <@U0RAVI|ravi>", user="U0MARIA", hook="maria")
    await harness.command("status <@U0MARIA|maria>", user="U0RAVI", hook="ravi")  # a rep may not
    await harness.settle()
    answers = {r["hook"]: r for r in harness.fake.responses}
    for_maria, for_ravi = answers["maria"], answers["ravi"]
    assert for_maria["response_type"] == for_ravi["response_type"] == "ephemeral"
    assert "Ravi" in json.dumps(for_maria, ensure_ascii=False)
    assert "Maria" not in json.dumps(for_ravi, ensure_ascii=False).replace("@maria", "")


async def test_an_answer_typed_with_a_file_attached_reaches_the_coach(harness: Harness) -> None:
    """Slack marks a message that carries a file `subtype: file_share`; the words
    typed with it are an answer like any other, not an edit or a join to skip."""
    await harness.dm("pipeline is 1.2M, screenshot attached", event_id="EvF1", subtype="file_share",
                     files=[{"id": "F1", "name": "pipeline.png"}])
    await harness.dm("", event_id="EvF2", subtype="file_share", files=[{"id": "F2"}])  # a file alone
    await harness.settle()
    assert [t.text for t in harness.recorder.turns] == ["pipeline is 1.2M, screenshot attached"]
    assert "heard: pipeline is 1.2M" in json.dumps(harness.fake.posted(), ensure_ascii=False)


async def test_a_click_the_coach_fails_on_is_not_silently_lost(harness: Harness) -> None:
    """The clicked card already shows the pick; if the coach then fails, the person
    must be told so (as for a typed DM), not left believing the answer was taken."""
    def broken(event: object) -> list[Message]:
        raise RuntimeError("the coach tripped")

    harness.recorder.reply = broken
    await harness.interact({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0RAVI", "team_id": TEAM},
        "api_app_id": "A1", "trigger_id": "1.2", "container": {"type": "message",
        "message_ts": "1700000000.000001", "channel_id": "DU0RAVI", "is_ephemeral": False},
        "channel": {"id": "DU0RAVI"}, "message": {"ts": "1700000000.000001", "blocks": []},
        "response_url": harness.fake.response_url(),
        "actions": [{"type": "button", "action_id": "coachbot_choice:0", "block_id": "coachbot_choices_0",
                     "value": "at_risk", "text": {"type": "plain_text", "text": "At risk"}}],
    })
    await harness.settle()
    assert "went wrong" in json.dumps(harness.fake.posted("DU0RAVI"), ensure_ascii=False)


async def test_a_dm_the_coach_fails_on_is_apologised_for_and_its_retry_served(harness: Harness) -> None:
    """One failure path for every listener: the person hears something went wrong,
    and the event is released so that Slack's retry of it is served, not dropped."""
    def broken(event: object) -> list[Message]:
        raise RuntimeError("the coach tripped")

    harness.recorder.reply = broken
    await harness.dm("42 demos", event_id="EvFAIL")
    await harness.settle()
    assert "went wrong" in json.dumps(harness.fake.posted("DU0RAVI"), ensure_ascii=False)
    harness.recorder.reply = lambda event: [Message(f"heard: {event.text}")]
    await harness.dm("42 demos", event_id="EvFAIL", retry=1)
    await harness.settle()
    assert "heard: 42 demos" in json.dumps(harness.fake.posted("DU0RAVI"), ensure_ascii=False)
