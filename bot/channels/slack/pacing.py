"""Pacing of outbound Slack calls, per workspace and per channel.

Slack lets an app post about one message per second into a channel (short bursts
are tolerated) and a few hundred per minute into a workspace. A dispatch of
thousands of check-in DMs that ignored this would be answered with a wall of 429s;
retrying each one on its own clock would then stampede again after `Retry-After`.
So every send first reserves a slot here, and a 429 pauses the whole workspace
until Slack says it may go on, which every waiting send then respects.

The buckets are GCRA (generic cell rate algorithm): one "theoretical arrival time"
per key, no timers, no background task, and exact under asyncio's single thread.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """`per_second` sustained, with bursts of up to `burst` back-to-back sends."""

    per_second: float
    burst: int = 1

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second

    @property
    def tolerance(self) -> float:
        return self.interval * (self.burst - 1)


# Slack's published guidance for chat.postMessage: ~1/s per channel with short bursts,
# "several hundred per minute" per workspace. We stay under both by default.
CHANNEL_RATE = Rate(per_second=1.0, burst=4)
WORKSPACE_RATE = Rate(per_second=4.0, burst=20)


class Pacer:
    """Hands out send slots; `await pacer.slot(workspace, channel)` before each call."""

    def __init__(
        self,
        workspace_rate: Rate = WORKSPACE_RATE,
        channel_rate: Rate = CHANNEL_RATE,
        clock: Callable[[], float] = time.monotonic,
        max_channels: int = 50_000,
    ) -> None:
        self.workspace_rate = workspace_rate
        self.channel_rate = channel_rate
        self._clock = clock
        self._workspace_tat: dict[str, float] = {}
        self._channel_tat: dict[tuple[str, str], float] = {}
        self._paused_until: dict[str, float] = {}
        self._max_channels = max_channels

    def reserve(self, workspace: str, channel: str | None = None) -> float:
        """Reserve the earliest slot both buckets allow; return seconds to wait for it."""
        now = self._clock()
        start = max(now, self._paused_until.get(workspace, 0.0))
        ws_tat = self._workspace_tat.get(workspace, now)
        start = max(start, ws_tat - self.workspace_rate.tolerance)
        key = (workspace, channel) if channel else None
        if key is not None:
            ch_tat = self._channel_tat.get(key, now)
            start = max(start, ch_tat - self.channel_rate.tolerance)
            self._channel_tat[key] = max(ch_tat, start) + self.channel_rate.interval
            if len(self._channel_tat) > self._max_channels:
                self._forget_idle(now)
        self._workspace_tat[workspace] = max(ws_tat, start) + self.workspace_rate.interval
        return start - now

    async def slot(self, workspace: str, channel: str | None = None) -> None:
        """Wait for a slot (channel may be None for calls not aimed at a conversation)."""
        delay = self.reserve(workspace, channel)
        if delay > 0:
            await asyncio.sleep(delay)

    def pause(self, workspace: str, seconds: float) -> None:
        """Slack said 429: nobody sends into this workspace for `seconds`."""
        until = self._clock() + max(0.0, seconds)
        self._paused_until[workspace] = max(self._paused_until.get(workspace, 0.0), until)

    def _forget_idle(self, now: float) -> None:
        """Drop channels whose bucket is full again, so memory stays bounded."""
        for key in [k for k, tat in self._channel_tat.items() if tat <= now]:
            del self._channel_tat[key]
