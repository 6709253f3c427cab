"""App Home (objectives, next check-in, commitments, a manager's team), the check-in
form in a modal, and Socket Mode over a local WebSocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from fake_slack import FakeSlack
from slackkit import TEAM, Harness, fake_fixture, harness_fixture, make_harness, sign, slack_settings  # noqa: F401 (fixtures)

from bot.core.messages import Choice, Message
from storage import people
from storage.db import Database
from storage.models import Commitment, KeyResult, Objective, Occurrence


async def seed_okrs(h: Harness) -> None:
    ravi = h.team["ravi"]
    async with h.coach.db.session() as session:
        objective = Objective(org_id=h.team["org"], owner_id=ravi, title="Grow new business",
                              period="2027", priority=1)
        session.add(objective)
        await session.flush()
        session.add(KeyResult(objective_id=objective.id, title="New customers signed",  # type: ignore[arg-type]
                              start_value=0, target_value=20, current_value=5, unit="customers",
                              confidence="at_risk"))
        session.add(KeyResult(objective_id=objective.id, title="Pipeline created",  # type: ignore[arg-type]
                              start_value=0, target_value=400_000, current_value=300_000, unit="$"))
        session.add(Commitment(person_id=ravi, text="Call 10 lapsed accounts 📞",
                               week_start=date(2030, 1, 7)))
        session.add(Occurrence(key=f"okr_checkin:{ravi}:2099-01-12", org_id=h.team["org"],
                               person_id=ravi, kind="okr_checkin",
                               due_at=datetime(2099, 1, 12, 4, 0, tzinfo=UTC),
                               local_date=date(2099, 1, 12)))


async def home_of(h: Harness, user: str) -> list[dict]:  # type: ignore[type-arg]
    body = json.dumps({"team_id": TEAM, "type": "event_callback", "event_id": f"EvHome{user}",
                       "event": {"type": "app_home_opened", "user": user, "channel": f"D{user}",
                                 "tab": "home"}, "api_app_id": "A1"})
    assert (await h.post(body, sign(body), "application/json")).status == 200
    await h.settle()
    [publish] = [c.body for c in h.fake.calls_to("views.publish") if c.body["user_id"] == user]
    view = json.loads(publish["view"]) if isinstance(publish["view"], str) else publish["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    return view["blocks"]  # type: ignore[no-any-return]


def words(view_blocks: list[dict]) -> str:  # type: ignore[type-arg]
    out = []
    for block in view_blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [f["text"] for f in block.get("fields", [])]
        out += [e.get("text", {}).get("text", "") if isinstance(e.get("text"), dict) else e.get("text", "")
                for e in block.get("elements", [])]
    return "\n".join(out)


async def test_home_shows_objectives_next_checkin_and_commitments(harness: Harness) -> None:
    await seed_okrs(harness)
    shown = words(await home_of(harness, "U0RAVI"))
    assert "Grow new business" in shown
    assert "New customers signed" in shown and "25%" in shown and "🟡 at risk" in shown
    assert "Pipeline created" in shown and "75%" in shown and "⚪ not rated yet" in shown
    assert "Monday 12 January, 09:30" in shown  # 04:00 UTC in Asia/Kolkata
    assert "Call 10 lapsed accounts 📞" in shown
    assert "Check in now" in shown
    assert "Your team" not in shown


async def test_managers_home_has_the_team_view(harness: Harness) -> None:
    await seed_okrs(harness)
    shown = words(await home_of(harness, "U0MARIA"))
    assert "Your team" in shown
    assert "Ravi Rep" in shown and "2 key results, 1 at risk" in shown
    assert "Sam Seller" in shown and "no objectives yet" in shown


async def test_strangers_home_asks_them_to_get_added(harness: Harness) -> None:
    shown = words(await home_of(harness, "U0STRANGER"))
    assert "admin" in shown and "Check in now" not in shown


async def test_check_in_in_a_modal(harness: Harness) -> None:
    harness.recorder.reply = lambda event: [Message(
        "How confident are you in New customers signed?",
        choices=[Choice("On track", "on_track"), Choice("At risk", "at_risk")])]
    await harness.interact({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0RAVI"}, "api_app_id": "A1",
        "trigger_id": "trig-1", "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home"},
        # the home button sends "/okr checkin"; any text opens the same conversation form
        "actions": [{"type": "button", "action_id": "coachbot_form_open", "value": "check me in",
                     "block_id": "coachbot_home_actions"}],
    })
    await harness.settle()
    [opened] = harness.fake.calls_to("views.open")
    assert opened.body["trigger_id"] == "trig-1"
    [updated] = harness.fake.calls_to("views.update")
    view = json.loads(updated.body["view"]) if isinstance(updated.body["view"], str) else updated.body["view"]
    assert harness.recorder.turns[0].text == "check me in"
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert [o["value"] for o in field["element"]["options"]] == ["on_track", "at_risk"]

    def submission(answer: dict) -> dict:  # type: ignore[type-arg]
        return {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": "U0RAVI"},
                "api_app_id": "A1", "trigger_id": "trig-2",
                "view": {"id": "VFORM", "type": "modal", "callback_id": "coachbot_form",
                         "private_metadata": json.dumps({"team": TEAM}),
                         "state": {"values": {"coachbot_answer": {"answer": answer}}}}}

    empty = await harness.interact(submission({"type": "static_select", "selected_option": None}))
    assert (await empty.json())["response_action"] == "errors"
    harness.recorder.reply = lambda event: [Message("Saved. Any blockers? ✍️")]
    response = await harness.interact(submission(
        {"type": "static_select", "selected_option": {"value": "at_risk"}}))
    answer = await response.json()
    assert answer["response_action"] == "update"
    assert "Saved. Any blockers? ✍️" in words(answer["view"]["blocks"])
    assert harness.recorder.turns[-1].action == "at_risk"
    typed = await harness.interact(submission({"type": "plain_text_input", "value": "Legal review 🐢"}))
    assert (await typed.json())["response_action"] == "update"
    assert harness.recorder.turns[-1].text == "Legal review 🐢"


@pytest.fixture
async def socket(db: Database, team: dict[str, int], fake: FakeSlack) -> AsyncIterator[Harness]:
    async with db.session() as session:
        await people.bind_workspace(session, team["org"], "slack", TEAM)
    settings = slack_settings(db, fake, app_token="xapp-1-test", signing_secret=None)
    async for h in make_harness(db, team, fake, settings):
        await h.channel.start()
        yield h


async def test_socket_mode_serves_okr_and_dms(socket: Harness) -> None:
    assert socket.fake.calls_to("apps.connections.open")
    routes = [r.resource.canonical for r in socket.client.server.app.router.routes()]  # type: ignore[union-attr]
    assert "/slack/events" not in routes  # no HTTP endpoint in Socket Mode
    await socket.fake.socket_send({
        "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
        "payload": {"team_id": TEAM, "user_id": "U0RAVI", "command": "/okr", "text": "help",
                    "channel_id": "C1", "response_url": socket.fake.response_url(),
                    "trigger_id": "t", "api_app_id": "A1"},
    })
    event = {"team_id": TEAM, "type": "event_callback", "event_id": "EvSock", "api_app_id": "A1",
             "event": {"type": "message", "channel_type": "im", "channel": "DU0RAVI",
                       "user": "U0RAVI", "text": "Über 🚀", "ts": "1.1"}}
    await socket.fake.socket_send({"envelope_id": "env-2", "type": "events_api", "payload": event,
                                   "retry_attempt": 0, "accepts_response_payload": False})
    await socket.fake.socket_send({"envelope_id": "env-3", "type": "events_api", "payload": event,
                                   "retry_attempt": 1, "accepts_response_payload": False})
    for _ in range(200):
        await socket.settle()
        if len(socket.fake.socket_acks) >= 3 and socket.fake.responses and socket.fake.posted("DU0RAVI"):
            break
        await asyncio.sleep(0.02)
    assert {a["envelope_id"] for a in socket.fake.socket_acks} == {"env-1", "env-2", "env-3"}
    assert "/okr status" in json.dumps(socket.fake.responses[0])
    assert [t.text for t in socket.recorder.turns] == ["Über 🚀"]  # the retry was processed once
    await socket.channel.stop()


async def test_a_failing_form_answer_gets_a_clean_answer_not_a_500(harness: Harness) -> None:
    def broken(event: object) -> list[Message]:
        raise RuntimeError("the coach tripped")

    harness.recorder.reply = broken
    response = await harness.interact({
        "type": "view_submission", "team": {"id": TEAM}, "user": {"id": "U0RAVI"},
        "api_app_id": "A1", "trigger_id": "trig-3",
        "view": {"id": "VFORM", "type": "modal", "callback_id": "coachbot_form",
                 "private_metadata": json.dumps({"team": TEAM}),
                 "state": {"values": {"coachbot_answer": {"answer": {
                     "type": "plain_text_input", "value": "Legal review"}}}}}})
    assert response.status == 200
    answer = await response.json()
    assert answer["response_action"] == "update"
    assert "went wrong" in words(answer["view"]["blocks"])


async def test_a_form_the_coach_fails_to_open_does_not_stay_loading(harness: Harness) -> None:
    def broken(event: object) -> list[Message]:
        raise RuntimeError("the coach tripped")

    harness.recorder.reply = broken
    await harness.interact({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0RAVI"}, "api_app_id": "A1",
        "trigger_id": "trig-4", "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home"},
        "actions": [{"type": "button", "action_id": "coachbot_form_open", "value": "check me in",
                     "block_id": "coachbot_home_actions"}],
    })
    await harness.settle()
    [updated] = harness.fake.calls_to("views.update")
    view = json.loads(updated.body["view"]) if isinstance(updated.body["view"], str) else updated.body["view"]
    assert "went wrong" in words(view["blocks"])
