"""Outbound Slack Web API calls: one HTTP session, paced sends, coordinated 429s.

Bolt's listener `client` would work for a reply, but the scheduler's proactive DMs
and the replies must share one pacer and one view of each workspace's rate limit,
so every call that posts goes through here.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.channels.slack.pacing import Pacer, Rate
from bot.core import metrics
from bot.core.messages import Image

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
# Every call is bounded: a few seconds to connect, half a minute in all. Without this,
# aiohttp's default (5 minutes) applies to a session we pass in, and one hung call
# would stall whatever awaits it.
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 30.0
# Errors that say "not now" rather than "never": the dispatcher retries these.
TRANSIENT_ERRORS = frozenset({
    "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
    "team_added_to_org",
})
# Of those, the ones after which Slack may have posted the message all the same.
UNCERTAIN_ERRORS = frozenset({"internal_error", "fatal_error", "request_timeout"})
PROMPT_EVENT = "coachbot_prompt"  # message metadata event type carrying a prompt's tag


def error_code(error: Exception) -> str:
    """The `error` of a failed Web API call ("channel_not_found"), or "" when Slack, or
    a proxy in front of it, answered with something other than JSON (an HTML 502 page,
    a 405 in plain text): `SlackResponse.get` then has a string, not a dict, to read."""
    data = getattr(getattr(error, "response", None), "data", None)
    return str(data.get("error") or "") if isinstance(data, dict) else ""


def base_url(configured: str | None) -> str:
    """SLACK_API_URL (GovSlack, a test server) or slack.com, always with a final slash."""
    url = configured or SLACK_API
    return url if url.endswith("/") else url + "/"


class PacedRateLimitRetry(AsyncRetryHandler):
    """On 429: pause the whole workspace for `Retry-After`, then retry in a fresh slot.

    slack_sdk's own handler sleeps each request on its own; a thousand DMs rate
    limited together would all come back together. Pausing the pacer makes every
    waiting send in the workspace respect the same pause.
    """

    def __init__(self, pacer: Pacer, workspace: str, max_retry_count: int = 12) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer
        self.workspace = workspace

    async def _can_retry_async(
        self, *, state: RetryState, request: HttpRequest,
        response: HttpResponse | None = None, error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(
        self, *, state: RetryState, request: HttpRequest,
        response: HttpResponse | None = None, error: Exception | None = None,
    ) -> None:
        retry_after = 1.0
        if response is not None:
            for name, values in response.headers.items():
                if name.lower() == "retry-after" and values:
                    with contextlib.suppress(ValueError):
                        retry_after = float(values[0] if isinstance(values, list) else values)
        log.info("Slack rate limited workspace %s; pausing %.1fs", self.workspace, retry_after)
        self.pacer.pause(self.workspace, retry_after)
        await self.pacer.slot(self.workspace)
        state.next_attempt_requested = True
        state.increment_current_attempt()


class SlackApi:
    """Web API clients per bot token, sharing one aiohttp session and one pacer."""

    def __init__(self, api_url: str | None, pacer: Pacer | None = None,
                 lookups: Pacer | None = None, timeout: float = TOTAL_TIMEOUT,
                 connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.base_url = base_url(api_url)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.pacer = pacer or Pacer()
        # users.lookupByEmail is Tier 3 (~50/min): linking a big team must not trip it.
        self.lookups = lookups or Pacer(workspace_rate=Rate(per_second=0.8, burst=20))
        self._session: aiohttp.ClientSession | None = None
        self._clients: dict[tuple[str, str], AsyncWebClient] = {}

    def http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # `sock_connect`, not `connect`: aiohttp's `connect` also counts the wait for
            # a free connection in the pool (100), so a dispatch of thousands of DMs at
            # once timed out in the queue, not on the network. `total` still bounds it.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout, sock_connect=self.connect_timeout),
                trace_configs=[metrics.api_tracing("slack")])
        return self._session

    def client(self, token: str | None, workspace: str) -> AsyncWebClient:
        key = (token or "", workspace)
        found = self._clients.get(key)
        if found is None or found.session is not self._session or self._session is None:
            # No automatic retry of a reset or a 5xx here: the request may have been
            # posted, and only the dispatcher (which can look for the message first)
            # may send a prompt again. A 429 was refused, so it is retried in pace.
            found = AsyncWebClient(
                token=token, base_url=self.base_url, session=self.http(), timeout=int(self.timeout),
                retry_handlers=[PacedRateLimitRetry(self.pacer, workspace)],
            )
            self._clients[key] = found
        return found

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
        self._clients.clear()

    async def post(self, token: str, workspace: str, channel: str, payload: dict[str, Any],
                   thread_ts: str | None = None) -> AsyncSlackResponse:
        await self.pacer.slot(workspace, channel)
        extra = {"thread_ts": thread_ts} if thread_ts else {}
        return await self.client(token, workspace).chat_postMessage(
            channel=channel, unfurl_links=False, **payload, **extra
        )

    async def update(self, token: str, workspace: str, channel: str, ts: str,
                     payload: dict[str, Any]) -> AsyncSlackResponse:
        await self.pacer.slot(workspace, channel)
        return await self.client(token, workspace).chat_update(channel=channel, ts=ts, **payload)

    async def upload(self, token: str, workspace: str, channel: str, image: Image,
                     title: str) -> AsyncSlackResponse:
        await self.pacer.slot(workspace, channel)
        return await self.client(token, workspace).files_upload_v2(
            channel=channel, file=image.png, filename=image.filename, title=title,
            alt_txt=image.alt[:1000],
        )

    async def publish_home(self, token: str, workspace: str, user_id: str,
                           view: dict[str, Any]) -> AsyncSlackResponse:
        await self.pacer.slot(workspace)
        return await self.client(token, workspace).views_publish(user_id=user_id, view=view)

    async def respond(self, response_url: str, body: dict[str, Any]) -> None:
        """Answer through a slash command's or a click's response_url (ephemeral by default)."""
        webhook = AsyncWebhookClient(response_url, session=self.http())
        response = await webhook.send_dict(body)
        if response.status_code != 200:
            log.warning("response_url answered %s: %s", response.status_code, response.body)

    async def user_email(self, token: str, workspace: str, user_id: str) -> str | None:
        """The e-mail on a Slack profile (needs users:read.email), for people who have
        no Slack id in the team import yet."""
        response = await self.client(token, workspace).users_info(user=user_id)
        user = response.get("user") or {}
        if user.get("is_bot") or user.get("deleted"):
            return None
        return (user.get("profile") or {}).get("email")

    async def lookup_email(self, token: str, workspace: str, email: str) -> str | None:
        await self.lookups.slot(workspace)
        response = await self.client(token, workspace).users_lookupByEmail(email=email)
        return (response.get("user") or {}).get("id")

    async def tagged(self, token: str, workspace: str, channel: str, tag: str,
                     limit: int = 50) -> str | None:
        """The ts of a recent message in `channel` whose metadata carries `tag`, if any
        (conversations.history with include_all_metadata; needs im:history)."""
        await self.pacer.slot(workspace)
        response = await self.client(token, workspace).conversations_history(
            channel=channel, limit=limit, include_all_metadata=True)
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (metadata.get("event_type") == PROMPT_EVENT
                    and (metadata.get("event_payload") or {}).get("tag") == tag):
                return str(message.get("ts"))
        return None

    async def open_dm(self, token: str, workspace: str, user_id: str) -> str:
        response = await self.client(token, workspace).conversations_open(users=user_id)
        return str(response["channel"]["id"])
