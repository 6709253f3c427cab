"""Slack's section of the settings: which mode (single-workspace HTTP, Socket Mode,
OAuth install), its tokens and secrets, checked the way Slack documents them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from bot.core.settings import SettingsError, parse_url, read


@dataclass(frozen=True)
class SlackSettings:
    """SLACK_BOT_TOKEN (xoxb-…) with SLACK_SIGNING_SECRET for HTTP events; plus
    SLACK_APP_TOKEN (xapp-…) for Socket Mode; SLACK_CLIENT_ID/SECRET with the signing
    secret for the OAuth install. SLACK_API_URL points the Web API elsewhere (tests).
    SLACK_ACK_PORT (HTTP events only) has Slack's requests acknowledged by a process
    of its own listening on that port (`bot.channels.slack.front`), for busy installs."""

    platform: ClassVar[str] = "slack"

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    api_url: str | None = None
    ack_port: int | None = None

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings | None:
        """The section when Slack is configured, None when nothing of it is set;
        raises SettingsError naming the variable that is wrong or missing."""
        bot_token, signing_secret = read(env, "SLACK_BOT_TOKEN"), read(env, "SLACK_SIGNING_SECRET")
        app_token, api_url = read(env, "SLACK_APP_TOKEN"), read(env, "SLACK_API_URL")
        client_id, client_secret = read(env, "SLACK_CLIENT_ID"), read(env, "SLACK_CLIENT_SECRET")
        if bot_token and not bot_token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN", "a bot token starts with xoxb-")
        if app_token and not app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN", "an app-level token starts with xapp-")
        if api_url:
            parse_url("SLACK_API_URL", api_url)
        ack_port = _ack_port(read(env, "SLACK_ACK_PORT"), app_token)
        if app_token and not bot_token:
            raise SettingsError("SLACK_BOT_TOKEN", "Socket Mode (SLACK_APP_TOKEN) also needs the bot token (xoxb-…)")
        if bot_token and not (signing_secret or app_token):
            raise SettingsError(
                "SLACK_SIGNING_SECRET",
                "HTTP mode needs the signing secret; or set SLACK_APP_TOKEN for Socket Mode",
            )
        if bool(client_id) != bool(client_secret):
            missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
            raise SettingsError(missing, "OAuth install needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
        configured = (bot_token and signing_secret) or app_token or (client_id and client_secret and signing_secret)
        if not configured:
            return None
        return cls(bot_token, signing_secret, app_token, client_id, client_secret, api_url, ack_port)


def _ack_port(raw: str | None, app_token: str | None) -> int | None:
    """SLACK_ACK_PORT as a port number; None when unset. Raises SettingsError for a
    value that is not a port, or with Socket Mode (no HTTP requests to acknowledge)."""
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError("SLACK_ACK_PORT", f"{raw!r} is not a port number (1-65535)")
    if app_token:
        raise SettingsError("SLACK_ACK_PORT", "Socket Mode (SLACK_APP_TOKEN) receives no HTTP requests; "
                                              "unset one of the two")
    return int(raw)
