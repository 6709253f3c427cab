"""Teams' section of the settings: the Azure bot registration (app id, password,
tenant) or the Bot Framework Emulator's anonymous mode, and a service URL override."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from bot.core.settings import SettingsError, parse_bool, parse_url, read


@dataclass(frozen=True)
class TeamsSettings:
    """MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (both, or neither);
    MICROSOFT_APP_TENANT_ID for a single-tenant registration; TEAMS_ALLOW_ANONYMOUS
    turns Bot Framework authentication off (the Emulator only, announced loudly);
    TEAMS_SERVICE_URL sends proactive messages elsewhere (tests)."""

    platform: ClassVar[str] = "teams"

    app_id: str | None = None
    app_password: str | None = None
    app_tenant_id: str | None = None
    allow_anonymous: bool = False
    service_url: str | None = None

    @property
    def anonymous(self) -> bool:
        """Authentication is off: anonymous allowed and no credentials to check with."""
        return self.allow_anonymous and not (self.app_id and self.app_password)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsSettings | None:
        """The section when Teams is configured, None when nothing of it is set;
        raises SettingsError naming the variable that is wrong or missing."""
        app_id, password = read(env, "MICROSOFT_APP_ID"), read(env, "MICROSOFT_APP_PASSWORD")
        anonymous_raw, service_url = read(env, "TEAMS_ALLOW_ANONYMOUS"), read(env, "TEAMS_SERVICE_URL")
        anonymous = parse_bool("TEAMS_ALLOW_ANONYMOUS", anonymous_raw) if anonymous_raw else False
        if service_url:
            parse_url("TEAMS_SERVICE_URL", service_url)
        if bool(app_id) != bool(password):
            missing = "MICROSOFT_APP_PASSWORD" if app_id else "MICROSOFT_APP_ID"
            raise SettingsError(missing, "Teams needs both MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD")
        if not ((app_id and password) or anonymous):
            return None
        return cls(app_id, password, read(env, "MICROSOFT_APP_TENANT_ID"), anonymous, service_url)
