"""Bot Framework authentication on /api/messages: enforced whenever credentials are
set, off only in the explicit, loudly logged anonymous development mode."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.channels import server
from bot.channels.teams import create_channel
from bot.channels.teams.settings import TeamsSettings
from bot.core.channel import Channels
from bot.core.settings import Settings
from bot.runtime import build_coach, platform_channels
from storage.db import Database
from storage.models import TeamsConversationRef
from teams.teamskit import FakeConnector, anonymous_settings, payload, teams_settings

APP_ID = "00000000-0000-0000-0000-00000000c0ac"


async def _client(settings: Settings, db: Database) -> TestClient:
    channels = Channels()
    coach = build_coach(db, settings, channels)
    channels.add(create_channel(settings.channel("teams"), coach))
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
    settings = teams_settings(db, app_id=APP_ID, app_password="secret", app_tenant_id=tenant)
    client = await _client(settings, db)
    body = payload("message_personal", connector.url)
    try:
        headers = [
            {},
            {"Authorization": ""},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer not-a-jwt"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "Bearer \u00e9.\u00e9.\u00e9"},  # non-ASCII: never a JWT
            {"Authorization": "Bearer \uff41\uff42.\uff43.\uff44"},
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
    create_channel(anonymous_settings(db).channel("teams"), build_coach(db))
    assert "UNAUTHENTICATED" in caplog.text
    assert "never in production" in caplog.text


async def test_credentials_win_over_the_anonymous_flag(db: Database, connector: FakeConnector,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    settings = teams_settings(db, app_id=APP_ID, app_password="secret", allow_anonymous=True)
    client = await _client(settings, db)
    try:
        response = await client.post("/api/messages", json=payload("message_personal", connector.url))
        assert response.status == 401
    finally:
        await client.close()
    assert "ignored" in caplog.text


async def test_never_anonymous_by_accident(db: Database) -> None:
    with pytest.raises(ValueError, match="TEAMS_ALLOW_ANONYMOUS"):
        create_channel(TeamsSettings(), build_coach(db))


async def test_coachbot_run_serves_teams_when_either_is_configured(db: Database) -> None:
    for settings in (anonymous_settings(db),
                     teams_settings(db, app_id=APP_ID, app_password="secret")):
        found = platform_channels(settings, build_coach(db))
        assert [c.platform for c in found] == ["teams"]
    assert platform_channels(Settings(database_url=db.url), build_coach(db)) == []


# --- a valid token, signed by a stand-in for the Bot Framework's keys ---------------------

KID = "coachbot-test-key"


class _Keys:
    """The Bot Framework's OpenID metadata and signing keys, served on loopback from a
    thread (botbuilder fetches them with blocking `requests`, so the server must not
    share the test's event loop)."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.algorithms import RSAAlgorithm

        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        jwk.update(kid=KID, use="sig", endorsements=["msteams"])
        keys = {"keys": [jwk]}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = keys if self.path == "/keys" else {"jwks_uri": f"{outer.url}/keys"}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, service_url: str, **claims: object) -> str:
        now = int(time.time())
        body = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": service_url,
                "nbf": now - 10, "exp": now + 600, **claims}
        return jwt.encode(body, self.private, algorithm="RS256", headers={"kid": KID})


@pytest.fixture
def bot_framework_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Keys]:
    from botframework.connector.auth import ChannelValidation

    keys = _Keys()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint",
                        f"{keys.url}/.well-known/openidconfiguration")
    yield keys
    keys.server.shutdown()


async def test_a_valid_bot_framework_token_is_accepted(db: Database, team: dict[str, int],
                                                       connector: FakeConnector,
                                                       bot_framework_keys: _Keys) -> None:
    settings = teams_settings(db, app_id=APP_ID, app_password="secret", app_tenant_id="tenant-1")
    client = await _client(settings, db)
    body = payload("message_personal", connector.url)
    keys = bot_framework_keys
    try:
        good = f"Bearer {keys.token(connector.url)}"
        wrong = [
            f"Bearer {keys.token(connector.url, aud='another-bot')}",
            f"Bearer {keys.token('https://elsewhere.example/')}",
            f"Bearer {keys.token(connector.url, exp=int(time.time()) - 3600)}",
        ]
        for header in wrong:
            response = await client.post("/api/messages", json=body,
                                         headers={"Authorization": header})
            assert response.status == 401
        response = await client.post("/api/messages", json=body, headers={"Authorization": good})
        assert response.status == 200
    finally:
        await client.close()
    async with db.session() as session:  # the activity went through to the coach
        assert (await session.exec(select(TeamsConversationRef))).first() is not None
    # The reply needs the bot's own token from login.microsoftonline.com, which the
    # loopback guard refuses: the failure is logged and nothing reached the connector
    # without a token.
    assert connector.sent == []


async def test_what_an_unauthenticated_caller_sends_is_not_repeated_in_the_log(
        db: Database, team: dict[str, int], connector: FakeConnector, caplog: pytest.LogCaptureFixture) -> None:
    """review3: a refused activity is logged by its fault, not by what it carried (a
    field botbuilder cannot parse used to be quoted whole, line breaks and all)."""
    caplog.set_level(logging.DEBUG)
    settings = teams_settings(db, app_id=APP_ID, app_password="secret")
    client = await _client(settings, db)
    evil = "x\n2026-12-01 01:00:00,000 ERROR bot.runtime: FORGED \x1b[2J" + "a" * 20_000
    body = payload("message_personal", connector.url)
    try:
        bogus = {"Authorization": "Bearer not-a-jwt"}  # a token to check: the body is read first
        for sent, headers in ((dict(body, timestamp=evil), bogus),
                              (dict(body, type=evil), bogus),
                              (dict(body, type=evil), {}),  # no token: refused unread
                              (body, {"Authorization": f"Bearer {_forged(evil)}"}),
                              (body, {"Authorization": "Bearer FORGED " + "a" * 5000})):
            response = await client.post("/api/messages", json=sent, headers=headers)
            assert response.status in (400, 401)
    finally:
        await client.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "FORGED" not in logged and "\x1b" not in logged and len(logged) < 10_000
    assert "not an activity (DeserializationError)" in logged
