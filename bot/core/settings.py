"""Every setting, read from the environment once and validated at start-up.

A bad value stops the process with one line that names the variable, before anything
is served: better than a rep finding out at 9:00 on Monday. The core's own settings
are here; each chat platform declares its section (tokens, secrets, URLs, with the
platform's own checks) in its channel folder, and the composition root hands those
sections to `Settings.from_env`.

The HTTP server (Slack's and Teams' endpoints, /healthz, /readyz, /metrics) listens on
`HOST` (default `0.0.0.0`, every interface; `127.0.0.1` to take requests only from a
reverse proxy on the same machine; an IPv4 or IPv6 address or a host name) and `PORT`
(default 3000).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.db import normalise_url

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")


class SettingsError(ValueError):
    """A setting is wrong; `str()` is the one line shown to the admin."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


class ChannelSettings(Protocol):
    """A chat platform's section: read from the environment by the channel itself."""

    platform: ClassVar[str]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ChannelSettings | None:
        """The section, None when none of its variables is set; raises SettingsError."""
        ...


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{Path.cwd() / 'coachbot.db'}"
    timezone: str = "UTC"
    country: str | None = None
    # Where the HTTP server listens (HOST, PORT): every interface by default
    host: str = "0.0.0.0"
    port: int = 3000
    log_level: str = "INFO"
    log_format: str = "text"
    # Fernet keys for secrets at rest, newest first (COACHBOT_SECRET_KEY, comma-separated)
    secret_key: str | None = field(default=None, repr=False)
    # Raw answers older than this many days are pruned by housekeeping (None: kept)
    retention_days: int | None = None
    # Cadences (docs/cadence.md)
    tick_seconds: float = 60.0
    nudge_hours: float = 24.0
    # One-on-ones: may a manager's manager read the briefs of the reps below them?
    skip_level_briefs: bool = False
    # The configured chat platforms' sections (see each channel's settings module)
    channels: tuple[Any, ...] = ()

    def channel(self, platform: str) -> Any | None:
        """The configured section of a platform ("slack", "teams"), or None."""
        return next((c for c in self.channels if c.platform == platform), None)

    @property
    def serving(self) -> bool:
        """Whether any chat platform is configured (else `run` talks in the terminal)."""
        return bool(self.channels)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None,
                 sections: Iterable[type[ChannelSettings]] = ()) -> Settings:
        """Build and validate settings; raise `SettingsError` naming the first bad variable."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "channels":
                continue
            variable = env_name(f.name)
            raw = env.get(variable)
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = _parse(variable, f.name, raw.strip())
        found = tuple(s for s in (section.from_env(env) for section in sections) if s is not None)
        return cls(**values, channels=found)  # type: ignore[arg-type]


ENV_NAMES = {
    "timezone": "COACHBOT_TIMEZONE",
    "country": "COACHBOT_COUNTRY",
    "log_level": "COACHBOT_LOG_LEVEL",
    "log_format": "COACHBOT_LOG_FORMAT",
    "secret_key": "COACHBOT_SECRET_KEY",
    "retention_days": "COACHBOT_RETENTION_DAYS",
    "tick_seconds": "COACHBOT_TICK_SECONDS",
    "nudge_hours": "COACHBOT_NUDGE_HOURS",
    "skip_level_briefs": "COACHBOT_SKIP_LEVEL_BRIEFS",
}


def env_name(field_name: str) -> str:
    return ENV_NAMES.get(field_name, field_name.upper())


def read(env: Mapping[str, str], variable: str) -> str | None:
    """A variable's value, stripped; None when unset or blank."""
    raw = env.get(variable)
    return raw.strip() if raw is not None and raw.strip() else None


def parse_bool(variable: str, raw: str) -> bool:
    if raw.lower() not in TRUE | FALSE:
        raise SettingsError(variable, f"{raw!r} is not true or false")
    return raw.lower() in TRUE


def parse_url(variable: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(variable, f"{raw!r} is not an http(s) URL")
    return raw


def parse_host(variable: str, raw: str) -> str:
    """An address to listen on: an IPv4 or IPv6 address (brackets allowed) or a host name.
    A name whose last label is all digits ("999.1.1.1", "10.0.1") is neither: host
    names never end so (RFC 1123 2.1), and the resolver would take it for a mistyped
    or old-style address. Raises SettingsError naming `variable`."""
    bare = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else raw
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        if HOST_NAME.fullmatch(raw) and not raw.rsplit(".", 1)[-1].isdigit():
            return raw
    raise SettingsError(variable, f"{raw!r} is not an IP address or host name to listen on (e.g. 0.0.0.0, 127.0.0.1)")


def _parse(variable: str, name: str, raw: str) -> object:
    if name == "host":
        return parse_host(variable, raw)
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
    if name == "skip_level_briefs":
        return parse_bool(variable, raw)
    if name == "timezone":
        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(variable, f"{raw!r} is not an IANA time zone such as Europe/Oslo") from None
        return raw
    if name == "country":
        from bot.core.regions import known_region

        if "-" in raw or not known_region(raw):
            raise SettingsError(variable, f"{raw!r} is not a country code the holidays library knows (e.g. US, NO)")
        return raw.upper()
    if name == "database_url":
        try:
            normalise_url(raw, asynchronous=False)
        except ValueError:
            example = "sqlite:///coachbot.db or postgresql://user:pass@host/db"
            raise SettingsError(variable, f"{raw!r} is not a supported database URL ({example})") from None
        return raw
    if name == "log_format":
        if raw.lower() not in {"text", "json"}:
            raise SettingsError(variable, f"{raw!r} is not text or json")
        return raw.lower()
    if name == "retention_days":
        if not raw.isdigit() or int(raw) < 1:
            raise SettingsError(variable, f"{raw!r} is not a whole number of days (1 or more)")
        return int(raw)
    if name == "secret_key":
        from storage.secrets import InvalidKey, keyring

        try:
            keyring(raw)
        except InvalidKey as error:
            raise SettingsError(variable, str(error)) from None
        return raw
    if name == "log_level":
        if raw.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(variable, f"{raw!r} is not one of DEBUG, INFO, WARNING, ERROR")
        return raw.upper()
    return raw
