"""The platform-neutral brain: an inbound event in, replies out.

A turn goes to the first part of the coach that claims it: a slash command, then the
responders in order (a conversation in progress, an answer to a pending prompt …),
then a friendly fallback. Responders are small classes with one method, so a new
capability plugs in here without the coach learning its details.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import prompts
from bot import commands
from bot.channel import Channels, DeliveryError, Recipient
from bot.clock import now
from bot.messages import Inbound, Message, Sender
from bot.settings import Settings
from storage import people
from storage.db import Database
from storage.models import Person

log = logging.getLogger(__name__)


@dataclass
class Turn:
    """One inbound event from a known person, with what handlers need to answer it."""

    coach: Coach
    person: Person
    event: Inbound
    now: datetime

    @property
    def db(self) -> Database:
        return self.coach.db

    @property
    def text(self) -> str:
        return self.event.text.strip()


class Responder(Protocol):
    async def respond(self, turn: Turn) -> list[Message] | None:
        """Answer the turn, or return None to let the next responder try."""
        ...


def default_responders() -> list[Responder]:
    """The responders every coach runs, most specific first."""
    from bot.checkins import PromptButtons, PromptResponder
    from bot.dialogs import DialogResponder

    responders: list[Responder] = [PromptButtons(), DialogResponder(), PromptResponder()]
    return responders


class Coach:
    def __init__(
        self,
        db: Database,
        settings: Settings | None = None,
        channels: Channels | None = None,
        responders: list[Responder] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings or Settings()
        self.channels = channels or Channels()
        self.responders = default_responders() if responders is None else responders

    async def identify(self, sender: Sender) -> Person | None:
        """The person behind a platform user, or None (then the channel asks them to
        get added by their admin, and nothing is stored)."""
        async with self.db.session() as session:
            return await people.identify(
                session, sender.platform, sender.tenant, sender.user_id, sender.email
            )

    async def handle(self, event: Inbound) -> list[Message]:
        async with self.db.session() as session:
            person = await people.get(session, event.person_id)
        if person is None or not person.active:
            return [Message(prompts.render("core/unknown_person"))]
        turn = Turn(self, person, event, now())
        parsed = commands.parse(turn.text) if event.action is None else None
        if parsed is not None:
            return await commands.dispatch(turn, *parsed)
        for responder in self.responders:
            replies = await responder.respond(turn)
            if replies is not None:
                return replies
        return [Message(prompts.render("core/fallback", name=person.name.split()[0]))]

    async def remember_identity(
        self, person_id: int, platform: str, user_id: str, dm_channel: str | None = None,
        tenant: str | None = None,
    ) -> None:
        """Keep a platform id a channel learned (by e-mail lookup, on install) for a
        person, with the workspace or tenant it belongs to when the channel knows it."""
        async with self.db.session() as session:
            person = await people.get(session, person_id)
            if person is not None:
                await people.link_identity(session, person, platform, user_id, dm_channel, tenant)

    async def deliver(self, person_id: int, messages: list[Message]) -> str | None:
        """Send messages to someone who did not ask (a manager's copy of a plan, a
        prompt). Raises DeliveryError when no running channel can reach them."""
        recipient = await self.recipient(person_id)
        channel = self.channels.get(recipient.platform)
        assert channel is not None
        return await channel.deliver(recipient, messages)

    async def send_copy(self, person_id: int, messages: list[Message]) -> bool:
        """Deliver a copy that follows data already saved (a plan to the manager, a
        summary to the rep). Any failure is logged and answered False, never raised:
        the action that saved the data must not fail, or be repeated, because of it."""
        try:
            await self.deliver(person_id, messages)
        except Exception as error:  # a timeout or a refusal alike: the data is safe
            log.warning("copy for person %s not delivered: %s", person_id, error)
            return False
        return True

    async def recipient(self, person_id: int) -> Recipient:
        """How to reach a person: their first identity on a running channel (Slack,
        then Teams); the terminal and test channels reach anyone by name."""
        async with self.db.session() as session:
            found = await people.reach(session, person_id)
        if found is None:
            raise DeliveryError(f"no person {person_id}")
        person = found.person
        ways = {platform: (user, tenant, dm) for platform, user, tenant, dm in found.identities}
        for platform in self.channels.platforms:
            if platform in ways:
                user, tenant, dm = ways[platform]
                return Recipient(person.id, person.org_id, person.email, person.name,  # type: ignore[arg-type]
                                 platform, user, tenant, dm)
            if platform in {"console", "test"}:
                return Recipient(person.id, person.org_id, person.email, person.name, platform)  # type: ignore[arg-type]
        raise DeliveryError(f"{person.email} has no identity on a running channel")
