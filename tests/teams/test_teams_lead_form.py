"""The lead form on Teams, through the real channel (botbuilder CloudAdapter on the
real aiohttp app, the connector faked on loopback) and the real coach: `okr lead`
answers with a card of inputs; the card's Action.Submit arrives as a message activity
whose `value` holds the inputs beside our data, and Action.Execute as an
`adaptiveCard/action` invoke with them in `value.action.data`. Both go through the
one capture path: same rules (the card comes back with what was typed and the
problem under its field), duplicate merge, the event chosen on the card."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.channels import server
from bot.channels.teams.channel import TeamsChannel
from bot.core.channel import Channels
from bot.runtime import build_coach
from storage import event_names
from storage.db import Database
from storage.models import Event, Lead
from teams.teamskit import FakeConnector, TeamsKit, anonymous_settings, connector  # noqa: F401 (fixture)


@pytest.fixture
async def kit(db: Database, team: dict[str, int], connector: FakeConnector) -> AsyncIterator[TeamsKit]:  # noqa: F811
    """The Teams channel in front of the real coach, every real feature answering."""
    settings = anonymous_settings(db)
    channels = Channels()
    coach = build_coach(db, settings, channels)
    channel = TeamsChannel(settings.channel("teams"), coach, retry_base_delay=0.01)
    channels.add(channel)
    client = TestClient(TestServer(server.build_app(channels), host="127.0.0.1"))
    await client.start_server()
    yield TeamsKit(client, channel, coach, connector)
    await client.close()


async def running_event(db: Database, team: dict[str, int]) -> Event:
    today = datetime.now(UTC).date()
    event = Event(org_id=team["org"], name="NRF 2027", starts_on=today - timedelta(days=1),
                  ends_on=today + timedelta(days=1), location="London", timezone="Europe/London",
                  created_by=team["maria"])
    async with db.session() as session:
        return await event_names.add_event(session, event, [team["ravi"]])


async def leads(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())


def form_cards(kit: TeamsKit) -> list[dict[str, Any]]:
    return [c for c in kit.connector.cards()
            if any(a.get("data", {}).get("coachbot", {}).get("form") for a in c.get("actions", []))]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


async def test_okr_lead_answers_with_a_card_of_inputs(kit: TeamsKit, db: Database, team: dict[str, int]) -> None:
    event = await running_event(db, team)
    response = await kit.activity("message_personal", text="okr lead", id="lead-1")
    assert response.status == 200
    [card] = form_cards(kit)
    fields = inputs(card)
    assert list(fields) == ["name", "company", "temperature", "email", "phone", "note", "event"]
    assert fields["name"]["type"] == "Input.Text" and fields["name"]["isRequired"] is True
    assert fields["name"]["maxLength"] == 101  # one over: a longer name gets the re-ask
    assert fields["email"]["style"] == "Email" and fields["phone"]["style"] == "Tel"
    assert fields["note"]["isMultiline"] is True
    assert fields["temperature"]["type"] == "Input.ChoiceSet"
    assert [c["value"] for c in fields["temperature"]["choices"]] == ["hot", "warm", "cold"]
    assert fields["event"]["value"] == str(event.id)
    [submit] = card["actions"]
    assert submit["type"] == "Action.Submit" and submit["data"]["coachbot"]["form"] == "leadform:submit"


def submitted_value(card: dict[str, Any], **typed: str) -> dict[str, Any]:
    """What Teams puts in `value` on Action.Submit: the inputs' values beside the
    action's data (an untouched input keeps its preset value)."""
    preset = {k: v.get("value", "") for k, v in inputs(card).items()}
    return {**card["actions"][0]["data"], **preset, **typed}


async def test_a_submitted_card_is_captured_and_merged_and_the_card_closed(
        kit: TeamsKit, db: Database, team: dict[str, int]) -> None:
    event = await running_event(db, team)
    await kit.activity("message_personal", text="okr lead form", id="lead-1")
    [card] = form_cards(kit)
    value = submitted_value(card, name="Σωκράτης Παππάς", company="Ελληνικά Πετρέλαια", temperature="hot",
                            email="s.pappas@helpe.example", note="\u2066wants\u2069 pricing\u200b")
    response = await kit.activity("card_submit", id="submit-1", value=value, replyToId="1:form-card")
    assert response.status == 200
    [update] = kit.connector.updated
    assert update.path.endswith("/activities/1:form-card")  # the submitted card, closed
    assert "actions" not in update.body["attachments"][0]["content"]
    assert "saved for NRF 2027" in kit.connector.texts()
    assert len(form_cards(kit)) == 2  # a fresh form for the next lead
    again = submitted_value(card, name="Σωκράτης Παππάς", company="Ελληνικά Πετρέλαια", note="second talk")
    await kit.activity("card_submit", id="submit-2", value=again, replyToId="1:form-card-2")
    assert "Merged into lead" in kit.connector.texts()
    [lead] = await leads(db)
    assert (lead.name, lead.company, lead.temperature, lead.email) == (
        "Σωκράτης Παππάς", "Ελληνικά Πετρέλαια", "hot", "s.pappas@helpe.example")
    assert lead.notes == "wants pricing\nsecond talk"
    assert (lead.event_id, lead.owner_id) == (event.id, team["ravi"])


async def test_a_problem_comes_back_on_a_card_with_what_was_typed(
        kit: TeamsKit, db: Database, team: dict[str, int]) -> None:
    await running_event(db, team)
    await kit.activity("message_personal", text="okr lead form", id="lead-1")
    [card] = form_cards(kit)
    value = submitted_value(card, name="Jane Roe", company="C" * 121, temperature="lukewarm", email="jane@")
    await kit.activity("card_submit", id="submit-1", value=value, replyToId="1:form-card")
    assert await leads(db) == []
    retry = form_cards(kit)[-1]
    fields = inputs(retry)
    assert fields["name"]["value"] == "Jane Roe" and fields["company"]["value"] == "C" * 121
    shown = json.dumps(retry, ensure_ascii=False)
    assert "at most 120 characters" in shown and "an e-mail address" in shown
    assert "choose hot, warm or cold" in shown
    assert fields["company"]["errorMessage"] == "at most 120 characters"


async def test_an_action_execute_invoke_with_the_inputs_is_captured_once(
        kit: TeamsKit, db: Database, team: dict[str, int]) -> None:
    event = await running_event(db, team)
    await kit.activity("message_personal", text="okr lead form", id="lead-1")
    [card] = form_cards(kit)
    data = submitted_value(card, name="Ana Silva", company="Farfetch", temperature="warm")
    execute = {"action": {"type": "Action.Execute", "title": "Save lead", "verb": "coachbot", "data": data},
               "trigger": "manual"}
    for _ in range(2):  # Teams retries an invoke it did not see answered
        response = await kit.activity("card_invoke_execute", id="f:invoke-1", value=execute)
        assert response.status == 200
        body = await response.json()
        assert body["type"] == "application/vnd.microsoft.card.adaptive" and "actions" not in body["value"]
    [lead] = await leads(db)
    assert (lead.name, lead.company, lead.temperature, lead.event_id) == ("Ana Silva", "Farfetch", "warm", event.id)
