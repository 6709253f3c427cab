"""The one aiohttp application that hosts every HTTP route: Slack's, Teams', and the
operator's: `/healthz` (the process is alive), `/readyz` (it can do its work) and
`/metrics` (Prometheus text format). Each HTTP channel mounts its own routes; the
server knows none of them, and times every request as an inbound event.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

import prompts
from bot import __version__
from bot.core import logs, metrics
from bot.core.channel import Channels, HttpChannel
from bot.core.clock import now
from bot.core.settings import SettingsError
from storage import health
from storage.db import Database
from storage.migrate import head

log = logging.getLogger(__name__)
OPERATOR_PATHS = {"/healthz", "/readyz", "/metrics"}
# A caller's X-Request-Id is kept only when it looks like an id: it goes on every log
# line written for the request, and anyone can send one.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,64}")


@dataclass
class Readiness:
    """What `/readyz` checks: the database is reachable and takes writes, its schema is
    at the newest migration, and the scheduler ticked within two intervals.

    `last_tick` answers when the scheduler last woke (None before the first tick, or
    when this process runs none); `interval` is its period in seconds."""

    db: Database
    last_tick: Callable[[], datetime | None] = lambda: None
    interval: float = 60.0
    expects_scheduler: bool = False
    started: datetime = field(default_factory=now)

    async def check(self) -> dict[str, str]:
        """Each check's name -> "ok" or what is wrong."""
        found: dict[str, str] = {}
        try:
            async with self.db.rolled_back() as session:
                version = await health.schema_version(session)
            found["database"] = "ok"
            expected = head()
            found["migrations"] = "ok" if version == expected else f"at {version}, code expects {expected}"
        except Exception as error:  # unreachable, read-only, no schema: all mean not ready
            found["database"] = " ".join(str(getattr(error, "orig", None) or error).split())[:200]
            found["migrations"] = "unknown"
        if self.expects_scheduler:
            last = self.last_tick() or self.started
            late = (now() - last).total_seconds()
            found["scheduler"] = "ok" if late <= 2 * self.interval + 5 else f"last tick {late:.0f} s ago"
        return found


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": __version__})


def _platform(path: str) -> str:
    return path.strip("/").split("/", 1)[0] if path not in OPERATOR_PATHS else ""


@web.middleware
async def observed(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                   ) -> web.StreamResponse:
    """Give each request an id for the logs (the caller's X-Request-Id when it looks
    like one: 1-64 letters, digits and `._:@/+=-`; else a new one) and count it with
    its answer time."""
    given = request.headers.get("X-Request-Id", "")
    request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
    started = time.perf_counter()
    status = 500
    with logs.context(request_id=request_id):
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            platform = _platform(request.path)
            if platform:
                metrics.inbound({"slack": "slack", "api": "teams"}.get(platform, platform), status,
                                time.perf_counter() - started)


def build_app(channels: Channels, readiness: Readiness | None = None) -> web.Application:
    app = web.Application(middlewares=[observed])
    app.router.add_get("/healthz", healthz)
    if readiness is not None:
        checker = readiness

        async def readyz(_request: web.Request) -> web.Response:
            checks = await checker.check()
            ok = all(v == "ok" for v in checks.values())
            return web.json_response({"status": "ok" if ok else "unavailable", "checks": checks},
                                     status=200 if ok else 503)

        async def metrics_page(_request: web.Request) -> web.Response:
            try:
                async with checker.db.session() as session:
                    metrics.stored(*await health.counts(session))
            except Exception as error:  # the process's own counters are still worth serving
                log.warning("metrics: could not read counts from the database: %s", error)
            return web.Response(body=metrics.text(), headers={"Content-Type": metrics.CONTENT_TYPE})

        app.router.add_get("/readyz", readyz)
        app.router.add_get("/metrics", metrics_page)
    for channel in channels:
        if isinstance(channel, HttpChannel):
            channel.mount(app)
    return app


async def start(app: web.Application, port: int, host: str = "0.0.0.0") -> web.AppRunner:
    """Serve `app` on `host`:`port` (Settings.host and .port: every interface by
    default, 127.0.0.1 behind a reverse proxy on the same machine). No access log:
    its lines would only repeat the metrics, with the caller's path and user agent.
    Raises SettingsError (HOST or PORT) when it cannot listen there."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:  # socket.gaierror included: a name that does not resolve
        await runner.cleanup()
        raise cannot_listen(error, host, port) from None
    return runner


async def check_address(host: str, port: int, setting: str = "PORT") -> None:
    """Bind every address `host` resolves to at `port` once and let go, as `start`
    will (SO_REUSEADDR, IPv6 sockets IPv6 only): at the top of start-up, so that a
    HOST or PORT the server cannot listen on stops it with one line before anything
    else is opened or logged. Raises SettingsError (HOST, or `setting`: the variable
    that chose the port)."""
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _name, address in found:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind(address)
    except OSError as error:  # socket.gaierror included: a name that does not resolve
        raise cannot_listen(error, host, port, setting) from None


def cannot_listen(error: OSError, host: str, port: int, setting: str = "PORT") -> SettingsError:
    """The one line for the admin when `host`:`port` cannot be listened on, naming the
    setting to change: PORT when the port is taken (EADDRINUSE) or privileged
    (EACCES), HOST otherwise (a name that does not resolve, an address that is not
    this machine's)."""
    reason = str(error.strerror or error)
    if error.errno == errno.EADDRINUSE:
        return SettingsError(setting, prompts.render("core/cannot_listen", problem="in_use", host=host, port=port,
                                                     setting=setting))
    if error.errno == errno.EACCES:
        return SettingsError(setting, prompts.render("core/cannot_listen", problem="denied", host=host, port=port,
                                                     reason=reason, setting=setting))
    return SettingsError("HOST", prompts.render("core/cannot_listen", problem="host", host=host, reason=reason))
