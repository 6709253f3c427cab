"""The small protocol every channel implements, so the brain never imports a channel.

The coach and the scheduler hold `Channels`, a registry by platform, and call
`deliver(recipient, messages)`; each channel turns neutral messages into its own
format and returns the platform's id of what it sent (for exactly-once bookkeeping).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.core.messages import Message, Place

__all__ = ["Place"]  # defined with the messages: an inbound turn names where it came from

if TYPE_CHECKING:  # the core needs aiohttp only for this annotation
    from aiohttp import web


@dataclass(frozen=True)
class Recipient:
    """Everything a channel needs to reach a person proactively."""

    person_id: int
    org_id: int
    email: str
    name: str
    platform: str
    user_id: str | None = None
    tenant: str | None = None
    dm_channel: str | None = None


class DeliveryError(RuntimeError):
    """A channel could not deliver, for good: the platform refused this person or this
    message (not installed, user unknown or deactivated, channel not found, a scope
    missing). Trying again would not help; the admins hear about it."""


class TransientDeliveryError(DeliveryError):
    """A channel could not deliver *now*: a 5xx, a 429 that outlasted its retries, a
    connection reset, a timeout. The dispatcher tries again with back-off until the
    prompt's deadline. `uncertain` says the platform may have accepted the message
    all the same (a timeout after the request left, a 5xx), so a retry first looks
    for it in the conversation (`FindsDeliveries`)."""

    def __init__(self, message: str, uncertain: bool = True) -> None:
        super().__init__(message)
        self.uncertain = uncertain


@runtime_checkable
class Channel(Protocol):
    """A chat platform (or the terminal). `platform` names it; a channel that can
    reach anyone by name without an identity (the terminal, a test recorder) sets
    `reaches_anyone = True`."""

    platform: str

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        """Send `messages` to one person; return the platform message id of the last one."""
        ...


@runtime_checkable
class PostingChannel(Channel, Protocol):
    """A channel that can also post into a shared conversation, not only to people."""

    async def post_to(self, place: Place, messages: list[Message], thread: str | None = None) -> str | None:
        """Post `messages` into `place` (as replies in `thread` when given, a reference an
        earlier `post_to` returned); return the reference of the first message posted,
        which later replies use as their `thread`. Raises DeliveryError when refused."""
        ...


@runtime_checkable
class FindsDeliveries(Channel, Protocol):
    async def find_delivery(self, recipient: Recipient, tag: str) -> str | None:
        """The platform id of a message already sent to `recipient` carrying `tag`
        (`Message.tag`, set by the dispatcher), or None. Used before re-sending a prompt
        whose earlier attempt may have reached the platform (a crash or a timeout
        between "accepted" and "recorded"). Raises TransientDeliveryError when the
        platform cannot say now."""
        ...


@runtime_checkable
class HttpChannel(Channel, Protocol):
    def mount(self, app: web.Application) -> None:
        """Add this channel's routes to the one aiohttp application."""
        ...


@runtime_checkable
class RunningChannel(Channel, Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Channels:
    """The channels this process runs, by platform. Who is reached where is decided by
    the identities a person has, in the order the channels were added (the runtime
    adds Slack, then Teams, then the terminal)."""

    def __init__(self, *channels: Channel) -> None:
        self._by_platform: dict[str, Channel] = {c.platform: c for c in channels}

    def add(self, channel: Channel) -> None:
        self._by_platform[channel.platform] = channel

    def get(self, platform: str) -> Channel | None:
        return self._by_platform.get(platform)

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._by_platform.values())
