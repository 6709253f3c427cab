"""Heavy work off the event loop: a worker thread with its own loop and engine.

The one event loop also acknowledges Slack and Teams requests, which have three
seconds and should take a couple of milliseconds. Planning 10,000 people is about a
second of Python (expanding rules, building rows, reading the population): on the
loop, every acknowledgement that arrives meanwhile waits for it. Run here, the
planning shares only the GIL with the loop, which CPython hands back every switch
interval (`sys.getswitchinterval()`, 5 ms by default), so an acknowledgement waits
milliseconds, not a second.

Async engines belong to the loop that opened their connections, so the work gets a
`Database` of its own on the same URL (a separate pool: on PostgreSQL one or two
more connections while it runs; on SQLite a second connection to the same file,
whose writers wait on each other through `busy_timeout`). The engine is disposed when
the work ends: planning runs every minute at most, and opening a connection costs
milliseconds next to the work it carries.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from storage.db import Database

T = TypeVar("T")

# While work runs off the loop, CPython hands the GIL to a waiting thread after this
# many seconds (instead of 5 ms): the loop's thread wakes from every socket call
# wanting the GIL back, and with the default an acknowledgement would wait 5 ms at
# each of them while the worker computes.
SWITCH_INTERVAL = 0.0005
_running = 0
_saved = [sys.getswitchinterval()]


def _restore(_future: object) -> None:
    global _running
    _running -= 1
    if _running == 0:
        sys.setswitchinterval(_saved[0])


async def run_off_loop(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work(db)` to completion on a fresh event loop in a worker thread, with a
    `Database` on `url` made (and disposed) in that loop; returns its result, raises
    its exception. Cancelling the caller cancels the work at its next await."""
    outer = asyncio.get_running_loop()
    lock = threading.Lock()
    holder: dict[str, Any] = {"cancelled": False}

    async def body() -> T:
        with lock:
            if holder["cancelled"]:  # cancelled before the thread began: do nothing
                raise asyncio.CancelledError
            holder["loop"], holder["task"] = asyncio.get_running_loop(), asyncio.current_task()
        db = Database(url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    global _running
    if _running == 0:
        _saved[0] = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
    _running += 1
    future = outer.run_in_executor(None, asyncio.run, body())
    future.add_done_callback(_restore)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        # Ask the worker's task to stop, then wait for it so that its connections are
        # returned before the caller goes on (a cancelled tick at shutdown).
        with lock:
            holder["cancelled"] = True
            if "task" in holder:
                holder["loop"].call_soon_threadsafe(holder["task"].cancel)
        with contextlib.suppress(BaseException):  # the cancellation is what the caller sees
            await future
        raise
