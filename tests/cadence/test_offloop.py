"""Work run off the event loop (planning): its result and errors come back, it runs in
another thread on its own engine, and cancelling the caller stops it."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cadence import offloop
from bot.cadence.offloop import run_off_loop
from storage.db import Database
from storage.models import Person


async def test_the_work_runs_in_another_thread_on_its_own_engine(db: Database, team: dict[str, int]) -> None:
    seen: dict[str, object] = {}

    async def work(own: Database) -> int:
        seen["thread"], seen["db"] = threading.current_thread(), own
        seen["switch"] = sys.getswitchinterval()
        async with own.session() as session:
            return len((await session.exec(select(Person))).all())

    before = sys.getswitchinterval()
    assert await run_off_loop(db.url, work) == 4  # the sample team, read through the worker's engine
    assert seen["thread"] is not threading.main_thread() and seen["db"] is not db
    assert seen["switch"] == offloop.SWITCH_INTERVAL
    assert sys.getswitchinterval() == before  # restored once nothing runs off the loop


async def test_an_error_in_the_work_reaches_the_caller(tmp_path: Path) -> None:
    async def broken(_db: Database) -> None:
        raise ValueError("no rules")

    with pytest.raises(ValueError, match="no rules"):
        await run_off_loop(f"sqlite:///{tmp_path}/x.db", broken)


async def test_cancelling_the_caller_stops_the_work(tmp_path: Path) -> None:
    state: dict[str, bool] = {}

    async def slow(_db: Database) -> None:
        state["started"] = True
        await asyncio.sleep(30)
        state["finished"] = True

    task = asyncio.get_running_loop().create_task(run_off_loop(f"sqlite:///{tmp_path}/x.db", slow))
    while not state:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert state == {"started": True}
