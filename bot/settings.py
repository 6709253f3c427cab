"""Every setting, read from the environment once and validated at start-up.

A bad value stops the process with one line that names the variable, before anything
is served: better than a rep finding out at 9:00 on Monday.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.db import normalise_url

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting is wrong; `str()` is the one line shown to the admin."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{Path.cwd() / 'coachbot.db'}"
    timezone: str = "UTC"
    country: str | None = None
    port: int = 3000
    log_level: str = "INFO"
    # Cadences (docs/cadence.md)
    tick_seconds: float = 60.0
    nudge_hours: float = 24.0
    # Slack (see the Slack section of the README)
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str | None = None
    # Microsoft Teams (see the Teams section of the README)
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = None
    microsoft_app_tenant_id: str | None = None
    teams_allow_anonymous: bool = False
    teams_service_url: str | None = None

    @property
    def slack_configured(self) -> bool:
        return bool(
            (self.slack_bot_token and self.slack_signing_secret)
            or self.slack_app_token
            or (self.slack_client_id and self.slack_client_secret and self.slack_signing_secret)
        )

    @property
    def teams_configured(self) -> bool:
        return bool((self.microsoft_app_id and self.microsoft_app_password)
                    or self.teams_allow_anonymous)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build and validate settings; raise `SettingsError` naming the first bad variable."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            variable = env_name(f.name)
            raw = env.get(variable)
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = _parse(variable, f.name, raw.strip())
        settings = cls(**values)  # type: ignore[arg-type]
        settings._check_combinations()
        return settings

    def _check_combinations(self) -> None:
        if self.slack_app_token and not self.slack_bot_token:
            raise SettingsError("SLACK_BOT_TOKEN", "Socket Mode (SLACK_APP_TOKEN) also needs the bot token (xoxb-…)")
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise SettingsError(
                "SLACK_SIGNING_SECRET",
                "HTTP mode needs the signing secret; or set SLACK_APP_TOKEN for Socket Mode",
            )
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            missing = "SLACK_CLIENT_SECRET" if self.slack_client_id else "SLACK_CLIENT_ID"
            raise SettingsError(missing, "OAuth install needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
        if bool(self.microsoft_app_id) != bool(self.microsoft_app_password):
            missing = "MICROSOFT_APP_PASSWORD" if self.microsoft_app_id else "MICROSOFT_APP_ID"
            raise SettingsError(missing, "Teams needs both MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD")


ENV_NAMES = {
    "timezone": "COACHBOT_TIMEZONE",
    "country": "COACHBOT_COUNTRY",
    "log_level": "COACHBOT_LOG_LEVEL",
    "tick_seconds": "COACHBOT_TICK_SECONDS",
    "nudge_hours": "COACHBOT_NUDGE_HOURS",
}


def env_name(field_name: str) -> str:
    return ENV_NAMES.get(field_name, field_name.upper())


def _parse(variable: str, name: str, raw: str) -> object:
    if name == "port":
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise SettingsError(variable, f"{raw!r} is not a port number (1-65535)")
        return int(raw)
    if name in {"tick_seconds", "nudge_hours"}:
        try:
            number = float(raw)
        except ValueError:
            number = -1.0
        if not 0 < number < 10_000:
            raise SettingsError(variable, f"{raw!r} is not a positive number")
        return number
    if name == "teams_allow_anonymous":
        if raw.lower() not in TRUE | FALSE:
            raise SettingsError(variable, f"{raw!r} is not true or false")
        return raw.lower() in TRUE
    if name == "timezone":
        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(variable, f"{raw!r} is not an IANA time zone such as Europe/Oslo") from None
        return raw
    if name == "country":
        import holidays

        if raw.upper() not in holidays.list_supported_countries():
            raise SettingsError(variable, f"{raw!r} is not a country code the holidays library knows (e.g. US, NO)")
        return raw.upper()
    if name == "database_url":
        try:
            normalise_url(raw, asynchronous=False)
        except ValueError:
            example = "sqlite:///coachbot.db or postgresql://user:pass@host/db"
            raise SettingsError(variable, f"{raw!r} is not a supported database URL ({example})") from None
        return raw
    if name == "log_level":
        if raw.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(variable, f"{raw!r} is not one of DEBUG, INFO, WARNING, ERROR")
        return raw.upper()
    if name == "slack_bot_token" and not raw.startswith("xoxb-"):
        raise SettingsError(variable, "a bot token starts with xoxb-")
    if name == "slack_app_token" and not raw.startswith("xapp-"):
        raise SettingsError(variable, "an app-level token starts with xapp-")
    if name in {"slack_api_url", "teams_service_url"} and not raw.startswith(("http://", "https://")):
        raise SettingsError(variable, f"{raw!r} is not an http(s) URL")
    return raw
