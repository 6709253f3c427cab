"""The event loop stays free for Slack while the cadence works: planning runs in a
worker thread (a signed request is acknowledged while a plan is still running), and
the DM channels learnt by a dispatch are written in batches, not one unit of work per
person, without losing one."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from slackkit import Harness, fake_fixture, harness_fixture  # noqa: F401 (fixtures)
from sqlmodel import select

from bot.cadence import dispatcher as dispatcher_module
from bot.cadence.dispatcher import Dispatcher
from bot.core.messages import Message
from storage import people
from storage.models import ChatIdentity

PLAN_SECONDS = 2.0  # how long the stand-in for a big plan holds its thread


async def dm_channel(harness: Harness, person_id: int) -> str | None:
    async with harness.coach.db.session() as session:
        identity = (await session.exec(select(ChatIdentity).where(
            ChatIdentity.person_id == person_id, ChatIdentity.platform == "slack"))).one()
    return identity.dm_channel


async def test_a_signed_command_is_acknowledged_while_a_plan_holds_its_thread(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    real = dispatcher_module.load_population  # a fresh process's first plan starts here
    planning = threading.Event()
    threads: list[threading.Thread] = []

    async def heavy_load(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        planning.set()
        time.sleep(PLAN_SECONDS)  # Python holding its thread, as expanding 10,000 people's rules does
        return await real(*args, **kwargs)

    monkeypatch.setattr(dispatcher_module, "load_population", heavy_load)
    tick = asyncio.get_running_loop().create_task(Dispatcher(harness.coach).tick())
    for _ in range(1000):  # fail, not hang, if planning no longer goes through it
        if planning.is_set():
            break
        await asyncio.sleep(0.01)
    assert planning.is_set(), "the tick never started planning"
    started = time.perf_counter()
    response = await harness.command("status")
    acked_in = time.perf_counter() - started
    assert response.status == 200
    assert not tick.done(), "the plan was still running when the request was acknowledged"
    assert acked_in < PLAN_SECONDS / 2  # on the loop, the ack would wait out the whole plan
    report = await tick
    assert threads and threads[0] is not threading.main_thread()
    assert report.seconds["plan"] >= PLAN_SECONDS * 0.9
    await harness.settle()


async def test_learnt_dm_channels_are_written_in_one_batch_at_drain(harness: Harness) -> None:
    learnt = harness.channel.learnt_dms
    learnt.flush_after = 3600.0  # only the drain writes them in this test
    ravi, maria = harness.team["ravi"], harness.team["maria"]
    for person in (ravi, maria):
        await harness.coach.deliver(person, [Message("Time for your check-in")])
    assert learnt.pending == 2 and learnt.batches == 0
    assert await dm_channel(harness, ravi) is None  # not written one by one
    await harness.coach.deliver(ravi, [Message("again")])
    assert harness.fake.posted()[-1]["channel"] == "DU0RAVI"  # known while it waits
    await harness.settle()
    assert learnt.batches == 1 and learnt.pending == 0
    assert await dm_channel(harness, ravi) == "DU0RAVI"
    assert await dm_channel(harness, maria) == "DU0MARIA"


async def test_a_full_batch_is_written_without_waiting(harness: Harness) -> None:
    learnt = harness.channel.learnt_dms
    learnt.flush_size, learnt.flush_after = 2, 3600.0
    for person in (harness.team["ravi"], harness.team["maria"]):
        await harness.coach.deliver(person, [Message("Time for your check-in")])
    for _ in range(100):
        if learnt.batches:
            break
        await asyncio.sleep(0.02)
    assert learnt.batches == 1
    assert await dm_channel(harness, harness.team["maria"]) == "DU0MARIA"


async def test_a_failed_batch_is_kept_and_written_later(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    learnt = harness.channel.learnt_dms
    learnt.flush_after = 3600.0
    real = people.remember_dm_channels
    calls = 0

    async def flaky(*args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database restarting")
        return await real(*args, **kwargs)

    monkeypatch.setattr(people, "remember_dm_channels", flaky)
    await harness.coach.deliver(harness.team["ravi"], [Message("Time for your check-in")])
    assert await learnt.flush() == 0  # failed: kept
    assert learnt.pending == 1
    assert await learnt.flush() == 1
    assert await dm_channel(harness, harness.team["ravi"]) == "DU0RAVI"


async def test_the_batch_write_links_a_person_without_a_slack_identity(harness: Harness) -> None:
    sam = harness.team["sam"]  # came from the team file without a Slack id
    async with harness.coach.db.session() as session:
        stored = await people.remember_dm_channels(session, [
            people.LearntDm(sam, "slack", "U0SAM", "DU0SAM", "T0001"),
            people.LearntDm(harness.team["ravi"], "slack", "U0RAVI", "DU0RAVI-old", None),
            people.LearntDm(harness.team["ravi"], "slack", "U0RAVI", "DU0RAVI", None),
        ])
    assert stored == 2  # the newer of ravi's two wins
    assert await dm_channel(harness, sam) == "DU0SAM"
    assert await dm_channel(harness, harness.team["ravi"]) == "DU0RAVI"


async def test_the_work_behind_a_command_starts_after_its_acknowledgement_is_written(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiohttp import web

    from bot.channels.slack.background import ACK_HEAD_START

    order: list[str] = []
    at: dict[str, float] = {}
    real_eof, real_command = web.Response.write_eof, harness.channel._command

    async def written(self: web.Response, *args: Any, **kwargs: Any) -> None:
        request = getattr(self, "_req", None)
        await real_eof(self, *args, **kwargs)
        if request is not None and request.path == "/slack/events":  # not the fake Slack's answers
            order.append("acknowledged")
            at.setdefault("acknowledged", time.perf_counter())

    async def command(*args: Any, **kwargs: Any) -> None:
        order.append("work started")
        at.setdefault("work started", time.perf_counter())
        await real_command(*args, **kwargs)

    real_dispatch = harness.channel.app.async_dispatch

    async def dispatch_that_yields(*args: Any, **kwargs: Any) -> Any:
        answer = await real_dispatch(*args, **kwargs)  # the listener has acked by now
        await asyncio.sleep(0.05)  # Bolt's own steps after the ack, with a real await among them
        return answer

    monkeypatch.setattr(web.Response, "write_eof", written)
    monkeypatch.setattr(harness.channel, "_command", command)
    monkeypatch.setattr(harness.channel.app, "async_dispatch", dispatch_that_yields)
    response = await harness.command("status")
    await harness.settle()
    assert response.status == 200
    assert order[:2] == ["acknowledged", "work started"]
    # and a head start, so the ack's bytes get a core before the answer's work takes one
    assert at["work started"] - at["acknowledged"] >= ACK_HEAD_START * 0.9
    assert harness.fake.responses, "and the answer still came"

