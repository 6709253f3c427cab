"""Bodies that do not decode, at /api/messages (review4): 1.5 KB of "[" without an
Authorization header was a RecursionError, a 500 and a traceback at ERROR. Now a
caller without a bearer token is refused (401) before the body is read whenever
authentication is on, and a body that does not decode into an activity object is a
400 with one line in the log, never a 500 or an ERROR."""

from __future__ import annotations

import json
import logging

import pytest

from storage.db import Database
from teams.teamskit import FakeConnector, TeamsKit, payload, teams_settings
from teams.test_teams_auth import APP_ID, _client

JSON = {"Content-Type": "application/json"}
DEEP = "[" * 1500
UNDECODABLE = [
    pytest.param(DEEP.encode(), id="deep-array"),
    pytest.param(b'{"a":' * 1500, id="deep-object"),
    pytest.param(b"1e999999", id="huge-float"),
    pytest.param(b"1" * 5000, id="integer-of-5000-digits"),
    pytest.param(b"-" * 10**5, id="100k-minus-signs"),
    pytest.param(b'{"type": "message", "text": "\xff\xfe"}', id="not-utf8"),
    pytest.param(b"[1, 2]", id="json-list"),
    pytest.param(b"42", id="json-number"),
    pytest.param(b"null", id="json-null"),
]


def loud(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "Basic dXNlcjpwYXNz"}])
async def test_deeply_nested_json_without_a_bearer_token_is_401_not_500(
        db: Database, caplog: pytest.LogCaptureFixture, headers: dict[str, str]) -> None:
    """The reviewer's request: authentication is on, and no token came with it."""
    client = await _client(teams_settings(db, app_id=APP_ID, app_password="secret"), db)
    try:
        response = await client.post("/api/messages", data=DEEP, headers={**JSON, **headers})
        assert response.status == 401, response.status
    finally:
        await client.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(loud(caplog)) == 1  # the one "Rejected /api/messages request" line


@pytest.mark.parametrize("body", UNDECODABLE)
async def test_an_undecodable_body_with_a_bogus_token_is_4xx_with_one_line(
        db: Database, caplog: pytest.LogCaptureFixture, body: bytes) -> None:
    """A bearer token is there, so the body is read (botbuilder checks the token against
    the activity): what does not decode is a 400, before any token is looked at."""
    caplog.set_level(logging.INFO)
    client = await _client(teams_settings(db, app_id=APP_ID, app_password="secret"), db)
    try:
        response = await client.post("/api/messages", data=body,
                                     headers={**JSON, "Authorization": "Bearer not-a-jwt"})
        assert response.status == 400, response.status
    finally:
        await client.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    ours = [r for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.INFO]
    assert len(ours) == 1, [r.getMessage() for r in ours]
    assert body[:20].decode("utf-8", "replace") not in caplog.text


@pytest.mark.parametrize("body", UNDECODABLE)
async def test_an_undecodable_body_is_400_in_anonymous_mode_and_the_next_activity_is_answered(
        teams: TeamsKit, caplog: pytest.LogCaptureFixture, body: bytes) -> None:
    response = await teams.client.post("/api/messages", data=body, headers=JSON)
    assert response.status == 400, response.status
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(loud(caplog)) <= 1
    assert (await teams.activity("message_personal")).status == 200


@pytest.mark.parametrize("depth", [900, 990, 1500])
async def test_a_real_activity_carrying_deep_channel_data_is_never_a_500(
        teams: TeamsKit, connector: FakeConnector, caplog: pytest.LogCaptureFixture, depth: int) -> None:
    """Nesting inside a real activity, around where the decoders' recursion limits lie."""
    shape = payload("message_personal", connector.url) | {"channelData": "DEEP"}
    text = json.dumps(shape).replace('"DEEP"', '{"a":' * depth + "1" + "}" * depth)
    response = await teams.client.post("/api/messages", data=text, headers=JSON)
    assert response.status in (200, 400), response.status
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
