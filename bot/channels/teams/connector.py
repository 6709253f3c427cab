"""Every outbound Bot Framework connector call on one aiohttp session, with timeouts
and counted in /metrics.

botframework-connector builds a `ConnectorClient` per turn whose msrest pipeline
sends through `requests` in the event loop's default thread pool (a handful of
threads on a small machine) with a 100 s timeout: a hanging connector held every
thread and stalled all other sends. Here each client gets a driver that sends on one
shared `aiohttp.ClientSession` (no threads) with a connect timeout of a few seconds
and a total of ~30 s, and an aiohttp trace counts each call by operation and status
(`coachbot_platform_api_calls{platform="teams"}`).

The credentials policy of msrest still signs a `requests.Session` (it sets the
Authorization header on it); the driver copies that session's headers onto each
aiohttp request, so authentication works exactly as botbuilder set it up.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.aiohttp_bf_pipeline import AsyncBfPipeline
from botframework.connector.auth import ClaimsIdentity
from botframework.connector.auth.connector_factory import ConnectorFactory
from msrest.universal_http import ClientRequest
from msrest.universal_http.aiohttp import AioHttpClientResponse
from msrest.universal_http.async_requests import AsyncBasicRequestsHTTPSender

from bot.core import metrics

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0  # seconds to open a connection to the connector
TOTAL_TIMEOUT = 30.0  # seconds for a whole call, answer included


def operation(method: str, url: Any) -> str:
    """A connector call's name for metrics, from the HTTP verb and the path after
    `/v3/` (ids left out): `activities.send`, `activities.reply`, `activities.update`,
    `conversations.create`, `members.get` …"""
    path = str(getattr(url, "path", url))
    parts = path.split("/v3/", 1)[-1].strip("/").split("/")
    verb = method.upper()
    if parts[:1] != ["conversations"]:
        return "other"
    if len(parts) == 1:
        return "conversations.create" if verb == "POST" else "conversations.list"
    rest = parts[2:]
    if not rest:
        return "conversations.other"
    if rest[0] == "activities":
        if len(rest) == 1:
            return "activities.send" if verb == "POST" else "activities.other"
        if len(rest) == 2:
            return {"POST": "activities.reply", "PUT": "activities.update",
                    "DELETE": "activities.delete"}.get(verb, "activities.other")
        return "activities.members"
    if rest[0] == "members":
        return "members.get" if len(rest) == 2 else "members.list"
    return f"conversations.{rest[0]}" if rest[0] in ("pagedmembers", "attachments", "history") else "other"


class ConnectorHttp:
    """The one aiohttp session of the Teams channel's outbound calls (made on first
    use, inside the running event loop; closed when the channel stops)."""

    def __init__(self, timeout: float = TOTAL_TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # `sock_connect` only: aiohttp's `connect` also counts waiting for a pooled
            # connection, which a big dispatch does without the network being slow.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout, sock_connect=self.connect_timeout),
                trace_configs=[metrics.api_tracing("teams", operation)])
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


class AiohttpDriver(AsyncBasicRequestsHTTPSender):  # type: ignore[misc]
    """msrest's HTTP driver interface, sending on `ConnectorHttp`'s session. A timeout
    raises `TimeoutError`, a refused or reset connection `aiohttp.ClientError`: the
    channel turns both into "not now" for the dispatcher."""

    def __init__(self, http: ConnectorHttp) -> None:
        super().__init__()  # keeps a requests.Session for the credentials policy to sign
        self.http = http

    async def send(self, request: ClientRequest, **kwargs: Any) -> AioHttpClientResponse:
        signed = kwargs.get("session") or self.session
        headers = {str(k): str(v) for k, v in signed.headers.items()
                   if k.lower() not in ("accept-encoding", "connection", "user-agent")}
        headers.update({str(k): str(v) for k, v in request.headers.items()})
        response = await self.http.session().request(
            request.method, request.url, headers=headers, data=request.data, allow_redirects=False)
        try:
            wrapped = AioHttpClientResponse(request, response)
            await wrapped.load_body()
        finally:
            response.release()
        return wrapped


class TimedConnectorFactory(ConnectorFactory):
    """botbuilder's connector factory (credentials, audience, service URL), whose
    clients send through `AiohttpDriver`."""

    def __init__(self, inner: ConnectorFactory, http: ConnectorHttp) -> None:
        self.inner = inner
        self.http = http

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        made = await self.inner.create(service_url, audience)  # type: ignore[arg-type]
        client = ConnectorClient(made.config.credentials, base_url=service_url,
                                 pipeline_type=AsyncBfPipeline, driver=AiohttpDriver(self.http))
        client.config.user_agent_policy._user_agent = made.config.user_agent  # botbuilder's own
        return client


class TimedAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """`ConfigurationBotFrameworkAuthentication` whose connector clients are timed."""

    def __init__(self, configuration: Any, http: ConnectorHttp) -> None:
        super().__init__(configuration)
        self.http = http

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return TimedConnectorFactory(super().create_connector_factory(claims_identity), self.http)
