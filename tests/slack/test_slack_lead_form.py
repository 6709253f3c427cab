"""The lead form on Slack, end to end with the real coach: `/okr lead` opens the
modal at once while an event runs (and leaves a "Log a lead" button), the button
opens it too, and signed view_submission payloads shaped as Slack sends them are
captured through the same path as a typed line: same rules (field errors come back
inside the modal), same duplicate merge, the event chosen in the form."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from slackkit import (  # noqa: F401 (fixtures)
    TEAM,
    FakeSlack,
    Harness,
    command_body,
    fake_fixture,
    real_harness_fixture,
)
from sqlmodel import select

from bot.channels.slack.forms import FIELD_BLOCK, FIELDS_CALLBACK
from storage import event_names
from storage.db import Database
from storage.models import Event, Lead


async def running_event(db: Database, team: dict[str, int], name: str = "NRF 2027") -> Event:
    today = datetime.now(UTC).date()
    event = Event(org_id=team["org"], name=name, starts_on=today - timedelta(days=1),
                  ends_on=today + timedelta(days=1), location="London", timezone="Europe/London",
                  created_by=team["maria"])
    async with db.session() as session:
        return await event_names.add_event(session, event, [team["ravi"], team["sam"]])


async def leads(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())


def view_of(call_body: dict[str, Any]) -> dict[str, Any]:
    view = call_body["view"]
    return json.loads(view) if isinstance(view, str) else view


def submission(values: dict[str, Any], metadata: str, user: str = "U0RAVI") -> dict[str, Any]:
    """A view_submission as Slack sends it: each input's state under its block id."""
    state: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, tuple):  # a static_select: (value, label)
            element = {"type": "static_select", "selected_option": {
                "text": {"type": "plain_text", "text": value[1], "emoji": True}, "value": value[0]}}
        else:
            element = {"type": "email_text_input" if name == "email" else "plain_text_input", "value": value}
        state[f"{FIELD_BLOCK}{name}"] = {"value": element}
    return {
        "type": "view_submission", "team": {"id": TEAM, "domain": "example"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A1", "token": "legacy", "trigger_id": "1.2.4",
        "view": {"id": "VLEAD", "team_id": TEAM, "type": "modal", "callback_id": FIELDS_CALLBACK,
                 "private_metadata": metadata, "hash": "1700000000.abc", "blocks": [],
                 "state": {"values": state}, "app_id": "A1", "bot_id": "B1"},
        "response_urls": [], "is_enterprise_install": False,
    }


async def open_form(harness: Harness) -> dict[str, Any]:
    await harness.post(command_body(harness.fake, "lead", trigger="1.2.3"))
    await harness.settle()
    [opened] = harness.fake.calls_to("views.open")
    assert opened.body["trigger_id"] == "1.2.3"  # the command's own trigger
    return view_of(opened.body)


async def test_okr_lead_opens_the_modal_at_once_and_leaves_a_button(harness: Harness, db: Database,
                                                                    team: dict[str, int]) -> None:
    event = await running_event(db, team)
    view = await open_form(harness)
    assert view["callback_id"] == FIELDS_CALLBACK
    inputs = {b["block_id"][len(FIELD_BLOCK):]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["name", "company", "temperature", "email", "phone", "note", "event"]
    assert inputs["name"]["optional"] is False and inputs["company"]["optional"] is True
    assert inputs["email"]["element"]["type"] == "email_text_input"
    assert inputs["note"]["element"]["multiline"] is True
    assert [o["value"] for o in inputs["temperature"]["element"]["options"]] == ["hot", "warm", "cold"]
    assert inputs["event"]["element"]["initial_option"]["value"] == str(event.id)  # the running one
    [note] = harness.fake.responses
    buttons = [e for b in note["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any(e["action_id"] == "coachbot_form_open" and e["value"] == "/okr lead form" for e in buttons)


async def test_the_button_opens_the_same_form(harness: Harness, db: Database, team: dict[str, int]) -> None:
    await running_event(db, team)
    await harness.interact({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0RAVI"}, "api_app_id": "A1",
        "trigger_id": "trig-9", "container": {"type": "message", "is_ephemeral": True},
        "actions": [{"type": "button", "action_id": "coachbot_form_open", "value": "/okr lead form",
                     "block_id": "coachbot_form"}]})
    await harness.settle()
    [updated] = harness.fake.calls_to("views.update")
    assert view_of(updated.body)["callback_id"] == FIELDS_CALLBACK


async def test_a_submitted_form_is_captured_merged_and_the_form_comes_back_empty(
        harness: Harness, db: Database, team: dict[str, int]) -> None:
    event = await running_event(db, team)
    view = await open_form(harness)
    response = await harness.interact(submission({
        "name": "山田 太郎", "company": "ソニー株式会社", "temperature": ("hot", "🔥 Hot"),
        "email": "taro@sony.example", "phone": "+81 3 1234 5678", "note": "wants a demo\nin March",
        "event": (str(event.id), "NRF 2027")}, view["private_metadata"]))
    answer = await response.json()
    assert answer["response_action"] == "update"
    shown = json.dumps(answer["view"], ensure_ascii=False)
    assert "saved for NRF 2027" in shown
    names = [b for b in answer["view"]["blocks"] if b.get("block_id") == f"{FIELD_BLOCK}name"]
    assert names and "initial_value" not in names[0]["element"]  # empty, for the next lead
    again = await harness.interact(submission({
        "name": "山田 太郎", "company": "ソニー株式会社", "temperature": ("warm", "Warm"), "email": "",
        "note": "\u202esecond\u200b talk", "event": (str(event.id), "NRF 2027")}, view["private_metadata"]))
    assert "Merged into lead" in json.dumps(await again.json(), ensure_ascii=False)
    [lead] = await leads(db)  # the hottest temperature is kept: the second, warm talk does not cool it
    assert (lead.name, lead.company, lead.temperature, lead.email, lead.phone) == (
        "山田 太郎", "ソニー株式会社", "hot", "taro@sony.example", "+81 3 1234 5678")
    assert lead.notes == "wants a demo\nin March\nsecond talk"
    assert (lead.event_id, lead.owner_id) == (event.id, team["ravi"])


async def test_problems_come_back_as_field_errors_and_nothing_is_stored(
        harness: Harness, db: Database, team: dict[str, int]) -> None:
    await running_event(db, team)
    view = await open_form(harness)
    response = await harness.interact(submission({
        "name": "J" * 101, "company": "Acme", "email": "jane@", "note": "n" * 1001},
        view["private_metadata"]))
    answer = await response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {f"{FIELD_BLOCK}name", f"{FIELD_BLOCK}email", f"{FIELD_BLOCK}note"}
    assert answer["errors"][f"{FIELD_BLOCK}name"] == "at most 100 characters"
    assert "1000" in answer["errors"][f"{FIELD_BLOCK}note"]
    missing = await (await harness.interact(submission({"name": " ", "company": "Acme"},
                                                        view["private_metadata"]))).json()
    assert missing["errors"] == {f"{FIELD_BLOCK}name": "the person's name is needed"}
    assert await leads(db) == []


async def test_with_two_events_running_the_form_needs_the_choice(
        harness: Harness, db: Database, team: dict[str, int]) -> None:
    await running_event(db, team)
    second = await running_event(db, team, "Web Summit")
    await harness.command("lead form")
    await harness.settle()
    metadata = json.dumps({"team": TEAM, "action": "leadform:submit"})
    unchosen = await (await harness.interact(submission({"name": "Ana Silva"}, metadata))).json()
    assert unchosen["errors"] == {f"{FIELD_BLOCK}event": "choose the event this lead belongs to"}
    chosen = await (await harness.interact(submission(
        {"name": "Ana Silva", "event": (str(second.id), "Web Summit")}, metadata))).json()
    assert "saved for Web Summit" in json.dumps(chosen)
    [lead] = await leads(db)
    assert lead.event_id == second.id
