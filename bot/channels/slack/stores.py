"""slack_sdk's installation and OAuth-state store interfaces, kept in our database.

Bolt's OAuth flow and its per-request authorisation talk to these two classes; the
rows live beside everything else (SQLite or PostgreSQL), so several coachbot
processes share installs and a state issued by one is accepted by another.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from storage import slack as store
from storage.db import Database, utcnow
from storage.secrets import SecretBox

log = logging.getLogger(__name__)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Installation.to_dict() carries datetimes; the JSON column wants timestamps."""
    return {k: (v.timestamp() if isinstance(v, datetime) else v) for k, v in data.items()}


BOT_CACHE_SECONDS = 30.0


class DbInstallationStore(AsyncInstallationStore):
    """Installations per (app, enterprise, team, user) in the `slackinstallation` table.

    Bolt looks the workspace's bot up on every request, before the acknowledgement;
    a short cache keeps that off the database. Saving or deleting here clears it; a
    token revoked through another instance is forgotten here within the cache time.
    """

    def __init__(self, db: Database, client_id: str, box: SecretBox | None = None) -> None:
        self.db = db
        self.client_id = client_id
        self.box = box or SecretBox(None)  # tokens sealed at rest when COACHBOT_SECRET_KEY is set
        self._bots: dict[tuple[str | None, str | None, bool], tuple[float, Bot | None]] = {}

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        self._bots.clear()
        async with self.db.session() as session:
            await store.save_installation(
                session, self.client_id, installation.enterprise_id, installation.team_id,
                installation.user_id, bool(installation.is_enterprise_install),
                self.box.seal(_jsonable(installation.to_dict())),
            )

    async def async_save_bot(self, bot: Bot) -> None:
        self._bots.clear()
        async with self.db.session() as session:
            await store.save_installation(
                session, self.client_id, bot.enterprise_id, bot.team_id, None,
                bool(bot.is_enterprise_install), self.box.seal(_jsonable(bot.to_dict())),
            )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        async with self.db.session() as session:
            row = await store.find_installation(
                session, self.client_id, enterprise_id, team_id, user_id, is_enterprise_install
            )
        if row is None:
            return None
        return Installation(**_installation_fields(self.box.open(row.data)))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        key = (enterprise_id, team_id, bool(is_enterprise_install))
        cached = self._bots.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.db.session() as session:
            row = await store.find_installation(
                session, self.client_id, enterprise_id, team_id, None, is_enterprise_install,
                with_bot=True, opened=self.box.open,
            )
        bot = None if row is None else Installation(**_installation_fields(self.box.open(row.data))).to_bot()
        if bot is not None:  # a miss is not remembered: an install must work at once
            self._bots[key] = (time.monotonic() + BOT_CACHE_SECONDS, bot)
        return bot

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._bots.clear()
        async with self.db.session() as session:
            await store.strip_bot_tokens(session, self.client_id, enterprise_id, team_id,
                                         self.box.open, self.box.seal)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self._bots.clear()
        async with self.db.session() as session:
            await store.delete_installations(session, self.client_id, enterprise_id, team_id, user_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._bots.clear()
        async with self.db.session() as session:
            await store.delete_installations(session, self.client_id, enterprise_id, team_id)


_INSTALLATION_ARGS = set(Installation.__init__.__code__.co_varnames[1:])


def _installation_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Stored dict -> Installation(**kwargs): unknown keys travel as custom values."""
    known = {k: v for k, v in data.items() if k in _INSTALLATION_ARGS}
    custom = {k: v for k, v in data.items() if k not in _INSTALLATION_ARGS}
    if custom:
        known["custom_values"] = custom
    return known


class DbOAuthStateStore(AsyncOAuthStateStore):
    """One-time OAuth `state` values with an expiry, consumed on the redirect."""

    def __init__(self, db: Database, expiration_seconds: int = 600) -> None:
        self.db = db
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        async with self.db.session() as session:
            await store.issue_state(session, state, utcnow() + timedelta(seconds=self.expiration_seconds))
        return state

    async def async_consume(self, state: str) -> bool:
        async with self.db.session() as session:
            return await store.consume_state(session, state)
