"""The Bot Framework adapter: who may call /api/messages, and sending that survives 429.

botbuilder's `CloudAdapter` with `ConfigurationBotFrameworkAuthentication` validates
the JWT that the Bot Framework connector puts on every request; with an empty app id
botbuilder treats authentication as disabled, which is exactly (and only) what our
explicit TEAMS_ALLOW_ANONYMOUS development mode asks for.

The connector client has no retry of its own (msrest's aiohttp pipeline sends once),
and Teams answers bursts with 429, so every send and update goes through `retrying`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ResourceResponse
from msrest.exceptions import HttpOperationError

import prompts
from bot.channels.teams.connector import ConnectorHttp, TimedAuthentication
from bot.channels.teams.settings import TeamsSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class AuthConfig:
    """The attribute names `ConfigurationBotFrameworkAuthentication` reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str | None


def auth_config(settings: TeamsSettings) -> AuthConfig:
    """Credentials when they are set (authentication enforced), else the explicit
    anonymous development mode; never anonymous by accident."""
    if settings.app_id and settings.app_password:
        if settings.allow_anonymous:
            log.warning(prompts.render("teams/anonymous_ignored"))
        tenant = settings.app_tenant_id
        return AuthConfig(
            APP_ID=settings.app_id,
            APP_PASSWORD=settings.app_password,
            APP_TYPE="SingleTenant" if tenant else "MultiTenant",
            APP_TENANTID=tenant,
        )
    if settings.allow_anonymous:
        banner = "!" * 78
        log.warning("%s\n%s\n%s", banner, prompts.render("teams/anonymous_warning"), banner)
        return AuthConfig(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID=None)
    raise ValueError(
        "Teams needs MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, "
        "or TEAMS_ALLOW_ANONYMOUS=true for local development"
    )


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a connector error, if it was one (msrest keeps the HTTP
    library's own response: aiohttp's `status`, requests' `status_code`)."""
    if isinstance(error, HttpOperationError) and error.response is not None:
        status = getattr(error.response, "status", None) or getattr(error.response, "status_code", None)
        return int(status) if status is not None else None
    return None


def _retry_after(error: HttpOperationError) -> float | None:
    headers = getattr(error.response, "headers", None) or {}
    raw = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own back-off


async def retrying(call: Callable[[], Awaitable[T]], attempts: int = 5,
                   base_delay: float = 1.0, max_delay: float = 30.0) -> T:
    """Run `call`, retrying 429 and 5xx answers with exponential back-off and jitter,
    honouring Retry-After when the connector sends one."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except HttpOperationError as error:
            status = status_of(error)
            retriable = status == 429 or (status is not None and status >= 500)
            if not retriable or attempt == attempts:
                raise
            delay = _retry_after(error)
            if delay is None:
                delay = base_delay * 2 ** (attempt - 1) * (1 + random.random() / 4)
            delay = min(delay, max_delay)
            log.warning("Teams connector answered %s; retry %d/%d in %.1fs",
                        status, attempt, attempts - 1, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


class RetryingCloudAdapter(CloudAdapter):
    """`CloudAdapter` whose sends and card updates are retried on 429/5xx.

    Activities are sent one at a time so a retry never repeats one that already
    went through. Every connector call goes through `http` (timeouts, metrics).
    """

    def __init__(self, settings: TeamsSettings, retry_base_delay: float = 1.0,
                 http: ConnectorHttp | None = None) -> None:
        self.http = http or ConnectorHttp()
        super().__init__(TimedAuthentication(auth_config(settings), self.http))
        self.retry_base_delay = retry_base_delay
        self.on_turn_error = self._on_error

    async def send_activities(self, context: TurnContext,
                              activities: list[Activity]) -> list[ResourceResponse]:
        parent = super().send_activities
        responses: list[ResourceResponse] = []
        for activity in activities:
            sent = await retrying(lambda a=activity: parent(context, [a]),  # type: ignore[misc]
                                  base_delay=self.retry_base_delay)
            responses.extend(sent)
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> Any:
        parent = super().update_activity
        return await retrying(lambda: parent(context, activity), base_delay=self.retry_base_delay)

    async def _on_error(self, context: TurnContext, error: Exception) -> None:
        """A failing turn is logged, never turned into a crash or a 500 that makes
        the connector resend the same activity again and again."""
        activity = context.activity
        log.exception("Teams turn failed (type=%s id=%s)", activity.type, activity.id,
                      exc_info=error)
