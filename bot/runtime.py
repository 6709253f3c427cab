"""Composition: build the coach, its channels and the scheduler from settings, and run
them on one event loop. `coachbot run` and `coachbot demo` are thin wrappers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot import server
from bot.channel import Channel, Channels, RunningChannel
from bot.coach import Coach
from bot.dialogs import check_actions
from bot.settings import Settings
from conversations.loader import load_flows
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    coach: Coach
    channels: Channels


def platform_channels(settings: Settings, coach: Coach) -> list[Channel]:
    """The chat platforms this process serves, from what the settings configure."""
    found: list[Channel] = []
    if settings.slack_configured:
        from bot.channels.slack import create_channel as slack_channel

        found.append(slack_channel(settings, coach))
    if settings.teams_configured:
        from bot.channels.teams import create_channel as teams_channel

        found.append(teams_channel(settings, coach))
    return found


@contextlib.asynccontextmanager
async def running(settings: Settings, extra: list[Channel] | None = None,
                  with_scheduler: bool = True) -> AsyncIterator[Runtime]:
    """Migrate, check every flow, start channels, HTTP server and scheduler; stop them
    all on the way out."""
    load_flows()  # a broken flow file stops start-up here, not a user mid-chat
    check_actions()  # and so does a flow ending in an action nobody registered
    await asyncio.to_thread(upgrade, settings.database_url)
    db = Database(settings.database_url)
    channels = Channels()
    coach = Coach(db, settings, channels)
    for channel in platform_channels(settings, coach) + (extra or []):
        channels.add(channel)
    runner: web.AppRunner | None = None
    started: list[RunningChannel] = []
    scheduler = None
    try:
        if settings.slack_configured or settings.teams_configured:
            runner = await server.start(server.build_app(channels), settings.port)
            log.info("HTTP server listening on port %s", settings.port)
        for channel in channels:
            if isinstance(channel, RunningChannel):
                await channel.start()
                started.append(channel)
        if with_scheduler:
            from bot.scheduler import create_scheduler

            scheduler = create_scheduler(coach)
            await scheduler.start()
        yield Runtime(settings, db, coach, channels)
    finally:
        if scheduler is not None:
            await scheduler.stop()
        for channel in reversed(started):
            await channel.stop()
        if runner is not None:
            await runner.cleanup()
        await db.dispose()
