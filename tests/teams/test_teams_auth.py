"""Bot Framework authentication on /api/messages: enforced whenever credentials are
set, off only in the explicit, loudly logged anonymous development mode."""

from __future__ import annotations

import logging

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import server
from bot.channel import Channels
from bot.channels.teams import create_channel
from bot.coach import Coach
from bot.runtime import platform_channels
from bot.settings import Settings
from storage.db import Database
from teams.teamskit import FakeConnector, anonymous_settings, payload

APP_ID = "00000000-0000-0000-0000-00000000c0ac"


async def _client(settings: Settings, db: Database) -> TestClient:
    channels = Channels()
    coach = Coach(db, settings, channels)
    channels.add(create_channel(settings, coach))
    client = TestClient(TestServer(server.build_app(channels), host="127.0.0.1"))
    await client.start_server()
    return client


def _forged(issuer: str) -> str:
    claims = {"iss": issuer, "aud": APP_ID, "serviceurl": "http://127.0.0.1/"}
    return jwt.encode(claims, "not-microsofts-signing-key-0123456789abcdef", algorithm="HS256", headers={"kid": "x"})


@pytest.mark.parametrize("tenant", [None, "tenant-1"])
async def test_requests_without_a_valid_token_get_401(db: Database, team: dict[str, int],
                                                     connector: FakeConnector,
                                                     tenant: str | None) -> None:
    settings = Settings(database_url=db.url, microsoft_app_id=APP_ID,
                        microsoft_app_password="secret", microsoft_app_tenant_id=tenant)
    client = await _client(settings, db)
    body = payload("message_personal", connector.url)
    try:
        headers = [
            {},
            {"Authorization": ""},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer not-a-jwt"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": f"Bearer {_forged('https://evil.example.com')}"},
            # claims the real issuer: its keys cannot be fetched here, so it fails closed
            {"Authorization": f"Bearer {_forged('https://api.botframework.com')}"},
        ]
        for header in headers:
            response = await client.post("/api/messages", json=body, headers=header)
            assert response.status == 401, header
    finally:
        await client.close()
    assert connector.calls == []  # nothing was answered, nobody was looked up


async def test_anonymous_mode_says_so_loudly(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    create_channel(anonymous_settings(db), Coach(db))
    assert "UNAUTHENTICATED" in caplog.text
    assert "never in production" in caplog.text


async def test_credentials_win_over_the_anonymous_flag(db: Database, connector: FakeConnector,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(database_url=db.url, microsoft_app_id=APP_ID,
                        microsoft_app_password="secret", teams_allow_anonymous=True)
    client = await _client(settings, db)
    try:
        response = await client.post("/api/messages", json=payload("message_personal", connector.url))
        assert response.status == 401
    finally:
        await client.close()
    assert "ignored" in caplog.text


async def test_never_anonymous_by_accident(db: Database) -> None:
    with pytest.raises(ValueError, match="TEAMS_ALLOW_ANONYMOUS"):
        create_channel(Settings(database_url=db.url), Coach(db))


async def test_coachbot_run_serves_teams_when_either_is_configured(db: Database) -> None:
    for settings in (anonymous_settings(db),
                     Settings(database_url=db.url, microsoft_app_id=APP_ID,
                              microsoft_app_password="secret")):
        found = platform_channels(settings, Coach(db))
        assert [c.platform for c in found] == ["teams"]
    assert platform_channels(Settings(database_url=db.url), Coach(db)) == []
