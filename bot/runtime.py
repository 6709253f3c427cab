"""The composition root: the one place that lists the features and the chat
platforms, builds the coach, the channels and the timer from settings, and runs them
on one event loop. `coachbot run`, `chat` and `demo` are thin wrappers.

Adding a capability is one module in `bot/features/` and one line in FEATURES;
adding a chat platform is one folder in `bot/channels/` and one line in PLATFORMS (bot.platforms, kept
light so commands that need only the settings start fast).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.channel import Channel, Channels, RunningChannel
from bot.core.coach import Coach
from bot.core.commands import help_feature
from bot.core.feature import Feature, Features
from bot.core.flows import check_actions
from bot.core.settings import Settings
from bot.features import (
    absence,
    action_items,
    alerts,
    briefs,
    checkin,
    conversations,
    discovery,
    export,
    goals,
    home,
    one_on_ones,
    prompt_answers,
    quiet_hours,
    retention,
    salary,
    scorecard,
    status,
    trade_shows,
    wig,
)
from bot.platforms import PLATFORMS, load_settings  # noqa: F401  (load_settings: re-exported)
from conversations.loader import load_flows
from storage import slack as slack_store
from storage.db import Database
from storage.migrate import upgrade
from storage.secrets import SecretBox

if TYPE_CHECKING:  # imported when running: `coachbot team import` needs neither aiohttp nor APScheduler
    from aiohttp import web

    from bot.cadence.timer import CadenceScheduler

log = logging.getLogger(__name__)

# Every capability, in the order `/okr help` lists their commands and the home view
# shows their sections. Responders run in the stage each one registered with.
FEATURES: tuple[Feature, ...] = (
    status.feature,
    checkin.feature,
    wig.feature,
    scorecard.feature,
    export.feature,
    goals.feature,
    discovery.feature,
    salary.feature,
    trade_shows.feature,
    one_on_ones.feature,
    briefs.feature,
    action_items.feature,
    alerts.feature,
    prompt_answers.feature,
    absence.feature,
    quiet_hours.feature,
    conversations.feature,
    home.feature,
    retention.feature,
    help_feature,
)

def build_coach(db: Database, settings: Settings | None = None, channels: Channels | None = None,
                extra: Iterable[Feature] = ()) -> Coach:
    """A coach with every feature; `extra` features (a test's recorder) go first."""
    return Coach(db, settings or Settings(database_url=db.url), channels or Channels(),
                 Features([*extra, *FEATURES]))


@dataclass
class Runtime:
    settings: Settings
    db: Database
    coach: Coach
    channels: Channels
    scheduler: CadenceScheduler | None


def platform_channels(settings: Settings, coach: Coach) -> list[Channel]:
    """The chat platforms this process serves, from what the settings configure."""
    found: list[Channel] = []
    for section, create in PLATFORMS:
        configured = settings.channel(section.platform)
        if configured is not None:
            found.append(create(configured, coach))
    return found


@contextlib.asynccontextmanager
async def running(settings: Settings, extra: list[Channel] | None = None,
                  with_scheduler: bool = True) -> AsyncIterator[Runtime]:
    """Migrate, check every flow, start channels, HTTP server and scheduler; stop them
    all on the way out. Raises SettingsError (HOST or PORT) first thing when the server
    cannot listen there."""
    from bot.cadence import timer

    if settings.serving:  # a HOST or PORT it cannot listen on stops it before anything is opened
        from bot.channels import server

        await server.check_address(settings.host, settings.port)
    features = Features(FEATURES)
    # the migrations (mostly waiting on the database, in a thread) while the flows are
    # checked (CPU): a restarted instance delivers its first due prompt sooner
    migrating = asyncio.ensure_future(asyncio.to_thread(upgrade, settings.database_url))
    try:
        check_actions(features.actions, load_flows())  # a broken flow stops start-up, not a user mid-chat
    finally:
        await migrating  # raises DatabaseUnavailable
    db = Database(settings.database_url)
    try:
        await check_secrets(db, settings)  # raises SecretsLocked
    except BaseException:
        await db.dispose()
        raise
    channels = Channels()
    coach = Coach(db, settings, channels, features)
    for channel in platform_channels(settings, coach) + (extra or []):
        channels.add(channel)
    runner: web.AppRunner | None = None
    started: list[RunningChannel] = []
    scheduler: CadenceScheduler | None = None
    warming: asyncio.Task[None] | None = None
    try:
        if settings.serving:  # the HTTP server's imports (aiohttp's web) only when it serves
            readiness = server.Readiness(
                db, lambda: scheduler.last_tick_at if scheduler is not None else None,
                settings.tick_seconds, expects_scheduler=with_scheduler)
            runner = await server.start(server.build_app(channels, readiness), settings.port, settings.host)
            log.info("HTTP server listening on %s port %s", settings.host, settings.port)
        for channel in channels:
            if isinstance(channel, RunningChannel):
                await channel.start()
                started.append(channel)
        if with_scheduler:
            scheduler = timer.create_scheduler(coach)
            await scheduler.start()
            warming = asyncio.get_running_loop().create_task(
                warm_up(lambda: scheduler is not None and scheduler.last_tick_at is not None))
        else:
            settle_heap()
        yield Runtime(settings, db, coach, channels, scheduler)
    finally:
        # Stop taking new work first (no new claims, no new events), then let what is
        # in flight finish: within 25 s of SIGTERM in all (platforms kill at 30 s).
        if warming is not None:
            warming.cancel()
        if scheduler is not None:
            scheduler.dispatcher.stopping = True
        if runner is not None:
            await runner.cleanup()  # no new connections; requests in progress get 5 s
        if scheduler is not None:
            await scheduler.stop(timeout=SHUTDOWN_TICK_SECONDS)
        for channel in reversed(started):
            await channel.stop()
        await db.dispose()
        log.info("stopped")


# Modules no delivery needs, left out of start-up so that a restarted instance takes
# over due prompts sooner (matplotlib: ~1 s of CPU), and loaded once its first tick is
# done so that the first brief of the day does not pay for them.
WARM_UP = ("bot.features.brief_chart",)


async def warm_up(ready: Callable[[], bool], modules: Iterable[str] = WARM_UP) -> None:
    """Import `modules` in a worker thread once `ready()` (polled every second), then
    `settle_heap`: start-up is over."""
    while not ready():
        await asyncio.sleep(1.0)
    for name in modules:
        await asyncio.to_thread(importlib.import_module, name)
    settle_heap()


def settle_heap() -> None:
    """Collect start-up's garbage once, then move everything still alive (the modules
    the runtime imported after `bot.cli.launch` froze the command tree: Bolt, aiohttp,
    the features, the compiled templates and statements) to the permanent generation
    (`gc.freeze`, as the Python documentation suggests for long-lived start-up state).

    Why: CPython's oldest-generation collection walks every tracked object. With the
    runtime's ~150,000 start-up objects in it, one such collection took 86 ms while
    serving `/okr status` at 200 requests/s (once per ~1,000 requests), and every
    acknowledgement arriving meanwhile waited: it set the p99. Objects made later are
    collected as before; a frozen object that becomes garbage is still freed by its
    reference count, only a cycle among frozen objects would stay."""
    gc.collect()
    gc.freeze()


# How long a shutdown waits for the prompts being sent (the rest of a shutdown takes
# a few seconds; platforms kill the process 30 s after SIGTERM).
SHUTDOWN_TICK_SECONDS = 15.0


async def check_secrets(db: Database, settings: Settings) -> None:
    """Refuse to start when stored Slack tokens are sealed and the key is missing or
    wrong (SecretsLocked, one line); warn when tokens are stored without a key."""
    box = SecretBox(settings.secret_key)
    async with db.session() as session:
        stored = await slack_store.installation_data(session)
    for data in stored:
        box.open(data)
    if stored and not box.enabled:
        log.warning("Slack tokens are stored unencrypted: set COACHBOT_SECRET_KEY and run "
                    "`coachbot secrets rotate` to encrypt them")
