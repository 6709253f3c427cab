"""The one aiohttp application that hosts every HTTP route: Slack's, Teams' and a
health check. Each HTTP channel mounts its own routes; the server knows none of them."""

from __future__ import annotations

from aiohttp import web

from bot import __version__
from bot.core.channel import Channels, HttpChannel


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": __version__})


def build_app(channels: Channels) -> web.Application:
    app = web.Application()
    app.router.add_get("/healthz", health)
    for channel in channels:
        if isinstance(channel, HttpChannel):
            channel.mount(app)
    return app


async def start(app: web.Application, port: int, host: str = "0.0.0.0") -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
