"""The work behind Slack's requests, run after their acknowledgement (mixed into the
SlackChannel): started once the acknowledgement is written, one person's work in the
order their requests arrived, counted so that a shutdown or a test can wait for it.

Why the order: each request's work first reads who sent it and claims the event in the
database, and two such reads finish in any order, so two messages sent a moment apart
reached the coach swapped ("answer 1" before "answer 0"). The person's turn lock
(`bot.core.turns`) is taken only later, in the coach; here each sender's work waits
for the work of their previous request to end.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Coroutine, Hashable
from typing import Any

log = logging.getLogger("bot.channels.slack.channel")

# How long the work behind a request waits after its acknowledgement is written (s).
# The ack's bytes still need a core in the processes that carry them: a reverse proxy
# on the same machine (and in `bench/slack_ack_bench.py` the load generator). Started
# at once, the answer's CPU and its database server's took the small machine's cores
# first: at 50 `/okr status` a second on PostgreSQL the ack's p99 was 3.1 ms against
# bare Bolt's 1.8 ms (1.7x); with this head start 2.3 ms against 1.9 ms (1.2x). The
# answer goes to the `response_url`, which Slack accepts for 30 minutes.
ACK_HEAD_START = 0.002

# A modal's answer (`response_action`) must reach Slack within 3 s of the submission, or
# the modal shows an error and the answer is lost. The coach gets what is left of this
# many seconds counted from the request's arrival (not from after its sender was looked
# up, which may itself call Slack); past it the modal is closed and the answer follows
# as a DM. The front (`front.REPLY_WITHIN`, 2.8 s) waits longer than this.
ANSWER_WITHIN = 2.5
# The event loop's time by which the request being dispatched must be answered.
ANSWER_BY: contextvars.ContextVar[float | None] = contextvars.ContextVar("slack_answer_by", default=None)

# Set while Bolt dispatches an HTTP request: work spawned then starts only once the
# acknowledgement is written (see `SlackChannel.handle_http`).
ACK_SENT: contextvars.ContextVar[asyncio.Event | None] = contextvars.ContextVar("slack_ack_sent", default=None)


def answer_time_left() -> float:
    """Seconds (0 or more) left to answer the request being dispatched within its
    acknowledgement; ANSWER_WITHIN when its arrival was not noted (Socket Mode)."""
    deadline = ANSWER_BY.get()
    if deadline is None:
        return ANSWER_WITHIN
    return max(0.0, deadline - asyncio.get_running_loop().time())


def note_arrival(arrived: float | None = None) -> contextvars.Token[float | None]:
    """Start the clock of `answer_time_left` for the request being dispatched: now, or
    at `arrived` (`time.monotonic()`, the machine's clock: another process's arrival,
    the front's), never later than now."""
    now, loop = time.monotonic(), asyncio.get_running_loop()
    waited = 0.0 if arrived is None else max(0.0, now - arrived)
    return ANSWER_BY.set(loop.time() - waited + ANSWER_WITHIN)


class Background:
    """Background work of a SlackChannel (mixed into it)."""

    learnt_dms: Any

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_of: dict[Hashable, asyncio.Task[None]] = {}

    def spawn(self, work: Coroutine[Any, Any, Any], what: str, sender: Hashable | None = None) -> None:
        """Run `work` in the background (counted by `drain`); during an HTTP request,
        only once its acknowledgement is written, and ACK_HEAD_START after it; with a
        `sender` (Slack's team and user ids), after the work last spawned for them."""
        previous = self._last_of.get(sender) if sender is not None else None
        task = asyncio.get_running_loop().create_task(self._guard(work, what, ACK_SENT.get(), previous))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if sender is not None:
            self._last_of[sender] = task
            task.add_done_callback(lambda done: self._last_of.get(sender) is done and self._last_of.pop(sender))

    async def _guard(self, work: Coroutine[Any, Any, Any], what: str, ack_sent: asyncio.Event | None,
                     previous: asyncio.Task[None] | None) -> None:
        try:
            try:
                if ack_sent is not None:
                    await ack_sent.wait()
                    await asyncio.sleep(ACK_HEAD_START)
                if previous is not None:
                    await asyncio.wait({previous})  # its failure is its own (logged there)
            except asyncio.CancelledError:
                work.close()  # never started
                raise
            await work
        except Exception:
            log.exception("Slack: %s failed", what)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the work started by acknowledged requests (tests, shutdown), then
        store the DM channels learnt meanwhile."""
        while self._tasks:
            done, _ = await asyncio.wait(list(self._tasks), timeout=timeout)
            if not done:
                break
        await self.learnt_dms.close()
