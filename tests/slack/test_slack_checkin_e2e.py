"""A real check-in through Slack with the real coach (its flows, its storage): from
`/okr checkin`, in the DM, and in the modal. Asserts on structure, not wording."""

from __future__ import annotations

import json
from typing import Any

from slackkit import TEAM, FakeSlack, Harness, fake_fixture, real_harness_fixture  # noqa: F401 (fixtures)
from test_slack_home_and_socket import seed_okrs

from bot.core.cards import unseal


def buttons(post: dict[str, Any]) -> list[str]:
    """The buttons' values as the features see them (the core seals the card's key in)."""
    return [unseal(e["value"])[0] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]


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
    assert [unseal(o["value"])[0] for o in field["element"]["options"]] == ["on_track", "at_risk", "off_track"]


def click(post: dict[str, Any], value: str, user: str = "U0RAVI", at: str = "1700000002.0") -> dict[str, Any]:
    """The block_actions payload Slack sends when `user` clicks the button worth `value`
    on a message the bot posted in their DM, at `at` (each click its own action_ts and
    trigger_id)."""
    [(block, element)] = [(b, e) for b in post["blocks"] if b["type"] == "actions"
                          for e in b["elements"] if unseal(e["value"])[0] == value]
    ts = post.get("ts", "1700000000.000001")  # a postMessage body has none; Slack would send the real one
    return {
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user}, "api_app_id": "A1",
        "trigger_id": f"trig-click-{at}", "channel": {"id": f"D{user}"},
        "container": {"type": "message", "channel_id": f"D{user}", "message_ts": ts,
                      "is_ephemeral": False},
        "message": {"ts": ts, "blocks": post["blocks"]},
        "actions": [{**element, "block_id": block["block_id"], "action_ts": at}],
    }


async def test_whole_checkin_by_dm_stores_it_and_copies_the_manager(harness: Harness) -> None:
    from sqlmodel import select

    from storage.models import CheckIn, CheckInAnswer, KeyResult

    await seed_okrs(harness)
    async with harness.coach.db.session() as session:
        krs = {kr.title: kr for kr in (await session.exec(select(KeyResult))).all()}
    typed = {"New customers signed": 9.0, "Pipeline created": 350_000.0}
    picked = {"New customers signed": "on_track", "Pipeline created": "off_track"}
    blockers = "Legal review of the Acme contract is stuck 🧾 #4471"
    change = "Book two demos a week with lapsed accounts"

    def to(user: str) -> list[dict[str, Any]]:  # the first post opens the DM by user id, later ones use it
        return [p for p in harness.fake.posted() if p.get("channel") in {user, f"D{user}"}]

    def to_ravi() -> list[dict[str, Any]]:
        return to("U0RAVI")

    await harness.command("checkin")
    await harness.settle()
    n = 0

    async def say(text: str) -> dict[str, Any]:
        nonlocal n
        n += 1
        before = len(to_ravi())
        await harness.dm(text, event_id=f"EvWhole{n}", ts=f"1700000100.{n:06d}")
        await harness.settle()
        after = to_ravi()
        assert len(after) > before, f"no reply to {text!r}"
        return after[-1]

    since = 0
    for title in ("New customers signed", "Pipeline created"):  # seed order: one value, one confidence each
        asked = to_ravi()[since:]
        assert asked and title in json.dumps(asked, ensure_ascii=False)
        confidence = await say(f"{typed[title]:g}")
        assert buttons(confidence) == ["on_track", "at_risk", "off_track"]
        before = len(to_ravi())
        response = await harness.interact(click(confidence, picked[title]))
        assert response.status == 200
        await harness.settle()
        assert len(to_ravi()) > before
        since = before
    await say(blockers)
    await say(change)
    assert not buttons(to_ravi()[-1])

    async with harness.coach.db.session() as session:
        [checkin] = (await session.exec(select(CheckIn).where(CheckIn.person_id == harness.team["ravi"]))).all()
        answers = (await session.exec(select(CheckInAnswer).where(CheckInAnswer.checkin_id == checkin.id))).all()
        stored = {kr.title: kr for kr in (await session.exec(select(KeyResult))).all()}
    assert checkin.kind == "okr_checkin" and checkin.completed_at is not None
    assert checkin.blockers == blockers and checkin.change_next == change
    assert {(a.key_result_id, a.value, a.confidence) for a in answers} == {
        (krs[t].id, typed[t], picked[t]) for t in typed}
    for title, value in typed.items():
        assert stored[title].current_value == value
        assert stored[title].confidence == picked[title]

    assert any(blockers in json.dumps(p, ensure_ascii=False) for p in to("U0MARIA"))
    assert not any(blockers in json.dumps(p, ensure_ascii=False) for p in harness.fake.posted()
                   if p.get("channel") not in {"U0MARIA", "DU0MARIA", "U0RAVI", "DU0RAVI"})


async def test_a_double_click_is_answered_already_answered_and_changes_nothing(harness: Harness) -> None:
    """Issue #11: a second click on "Off track" used to become the answer to the next
    question. The core now lets one click per card count."""
    await seed_okrs(harness)
    await harness.command("checkin")
    await harness.settle()
    await harness.dm("7", event_id="EvDouble1")
    await harness.settle()
    card = harness.fake.posted()[-1]
    await harness.interact(click(card, "off_track"))
    await harness.settle()
    asked_next = json.dumps(harness.fake.posted()[-1], ensure_ascii=False)
    assert "Pipeline created" in asked_next
    await harness.interact(click(card, "off_track", at="1700000002.5"))  # the same button again
    await harness.settle()
    replies = json.dumps(harness.fake.posted()[-1:] + harness.fake.responses[-1:], ensure_ascii=False)
    assert "already answered" in replies
    await harness.dm("350k", event_id="EvDouble2")                 # still the Pipeline value
    await harness.settle()
    assert buttons(harness.fake.posted()[-1]) == ["on_track", "at_risk", "off_track"]
