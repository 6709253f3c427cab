"""The platform-neutral brain: an inbound event in, replies out.

A turn goes to the first part of the coach that claims it: a slash command, then the
responders the features registered, in their stage order (a click on a prompt card,
a conversation in progress, an answer to a pending prompt …), then a friendly
fallback. The coach knows no feature: it is handed `Features` by the composition
root (`bot.runtime`), and every send to someone who did not ask goes through
`deliver`, the one path to a channel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

import prompts
from bot.core import cards, commands
from bot.core.channel import Channels, DeliveryError, FindsDeliveries, Place, PostingChannel, Recipient
from bot.core.clock import now
from bot.core.feature import Features, Held
from bot.core.messages import Inbound, Message, Sender
from bot.core.people import first_name
from bot.core.settings import Settings
from bot.core.turns import PersonLocks
from storage import held, people
from storage.conversations import ConversationMoved
from storage.db import Database
from storage.held import Held as HeldRows
from storage.models import Person

if TYPE_CHECKING:
    from storage.db import AsyncSession  # the unit of work's type (storage keeps the SQL)

log = logging.getLogger(__name__)


@dataclass
class Turn:
    """One inbound event from a known person, with what handlers need to answer it."""

    coach: Coach
    person: Person
    event: Inbound
    now: datetime
    # the turn's replies once answered: what the features' held notes are told after
    # (`Feature.holds`), so a note can say whether the card it is about stays open
    replies: list[Message] = field(default_factory=list)

    @property
    def db(self) -> Database:
        return self.coach.db

    @property
    def text(self) -> str:
        return self.event.text.strip()


class Coach:
    """Answers people and reaches them. One per process, shared by every channel."""

    def __init__(self, db: Database, settings: Settings, channels: Channels, features: Features) -> None:
        self.db = db
        self.settings = settings
        self.channels = channels
        self.features = features
        # one turn at a time per person (`bot.core.turns`); background work that moves
        # a person's conversation (a reminder, a resume hook) holds the same lock
        self.turns = PersonLocks()

    async def identify(self, sender: Sender) -> Person | None:
        """The person behind a platform user, or None (then the channel asks them to
        get added by their admin, and nothing is stored)."""
        async with self.db.session() as session:
            return await people.identify(
                session, sender.platform, sender.tenant, sender.user_id, sender.email
            )

    async def handle(self, event: Inbound) -> list[Message]:
        """Answer one inbound event. Every card the replies carry is sealed with its
        key, and a click on a card is let through once, and only while its question
        is still open (`bot.core.cards`); otherwise "already answered". The turn's
        units of work share one pooled connection (`Database.request`): one checkout
        per answer, not one per lookup.

        One turn at a time per person, in arrival order (`bot.core.turns`): a second
        message sent while the first is answered waits for it, whatever the channel,
        so both are answered in order from the conversation as the first left it. The
        lock is taken before the connection: a waiting turn holds none."""
        async with self.turns.hold(event.person_id), self.db.request():
            return cards.seal(await self._handle(event))

    async def _handle(self, event: Inbound) -> list[Message]:
        typed = event.action is None
        moment = now()

        async def first_read(session: AsyncSession) -> tuple[Person | None, list[tuple[Held, HeldRows]]]:
            # the person, and for a typed turn what the features read back and this
            # message lets go (`Feature.holds`), taken in one statement: one unit of work
            found = await people.get(session, event.person_id)
            letting: list[tuple[Held, HeldRows]] = []
            if found is not None and found.active and typed:
                turn = Turn(self, found, event, moment)
                letting_go = [h for h in self.features.held if not h.keeps(turn)]
                taken = await held.take(session, found.id, sorted({h.kind for h in letting_go}))  # type: ignore[arg-type]
                letting = [(waiting, taken[waiting.kind]) for waiting in letting_go]
            return found, letting

        # the turn's first read: retried once after a dropped connection (Database.read)
        person, letting = await self.db.read(first_read)
        if person is None or not person.active:  # never added, erased, or marked as left
            return [Message(prompts.render("core/unknown_person" if person is None else "core/inactive_person"))]
        if event.action is not None:
            action, card = cards.unseal(event.action)
            card = card or event.card
            event = replace(event, action=action, card=card)
            if card is not None and not await cards.first_click(self.db, person.id, card):  # type: ignore[arg-type]
                return [Message(prompts.render("core/already_answered"), private=True)]
        turn = Turn(self, person, event, moment)
        turn.replies = await self._settled(turn)
        # what was let go is told before the reply, once the reply is known (a note about
        # a card says whether the turn left that card open: `messages.leaves_card_open`)
        notes = [note for waiting, rows in letting for note in waiting.told(turn, rows)]
        return notes + turn.replies

    async def _settled(self, turn: Turn) -> list[Message]:
        """The turn's answer. A conversation this turn moved on may have been saved
        meanwhile by another process serving the same person (`ConversationMoved`:
        the turn's save and its end actions were rolled back): the turn runs once more,
        on the conversation as it now stands; losing again, the person is asked to
        send one message at a time. Never an answer silently lost or saved twice."""
        for attempt in ("first", "second"):
            try:
                return await self._answer(turn)
            except ConversationMoved as moved:
                log.info("person %s, %s try: %s", turn.person.id, attempt, moved)
        return [Message(prompts.render("core/one_at_a_time"), private=True)]

    async def _answer(self, turn: Turn) -> list[Message]:
        event, person = turn.event, turn.person
        parsed = (commands.parse(turn.text, lambda name: self.features.command(name) is not None)
                  if event.action is None else None)
        if parsed is not None:
            return await commands.dispatch(turn, *parsed)
        for responder in self.features.responders:
            replies = await responder.respond(turn)
            if replies is not None:
                return replies
        if turn.text.strip(" ?!.").lower() == "help":  # outside a conversation: the command list
            return await commands.dispatch(turn, "help", "")
        return [Message(prompts.render("core/fallback", name=first_name(person.name)), unheard=True)]

    async def home(self, person: Person) -> list[Message]:
        """A person's home view (Slack's App Home): the sections the features
        registered, in feature order."""
        moment = now()
        shown: list[Message] = []
        for section in self.features.home:
            shown.extend(await section(self, person, moment))
        return shown

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

    async def bind_workspace(self, platform: str, external_id: str, installer_email: str | None,
                             enterprise_id: str | None = None, name: str | None = None) -> bool:
        """Tie a chat workspace (a Slack team, a Teams tenant) to the organisation of
        the person installing the app. Anyone can reach an install page, so only an
        active coachbot admin, matched by the e-mail their platform profile shows, may
        bind one; otherwise it stays unbound and its users strangers. True when the
        workspace is (now or already) bound."""
        async with self.db.session() as session:
            if await people.bound_org(session, platform, external_id) is not None:
                return True
            installer = await people.by_email(session, installer_email) if installer_email else None
            if installer is None or installer.role != "admin" or not installer.active:
                return False
            await people.bind_workspace(session, installer.org_id, platform, external_id, enterprise_id, name)
        return True

    async def deliver(self, person_id: int, messages: list[Message]) -> str | None:
        """Send messages to someone who did not ask (a prompt, a manager's copy of a
        plan); return the platform's id of the last one. Raises DeliveryError when no
        running channel can reach them, or the channel's own error when it fails."""
        recipient = await self.recipient(person_id)
        return await self.send(recipient, messages)

    async def send(self, recipient: Recipient, messages: list[Message]) -> str | None:
        """The one path to a channel, for a recipient already looked up (the
        dispatcher looks up thousands at once with `recipients`)."""
        channel = self.channels.get(recipient.platform)
        if channel is None:
            raise DeliveryError(f"no running {recipient.platform} channel")
        return await channel.deliver(recipient, cards.seal(messages))

    async def post_to(self, place: Place, messages: list[Message], thread: str | None = None) -> str | None:
        """Post into a team's shared conversation (the weekly scorecard and its thread);
        returns the reference later replies use as `thread`. DeliveryError when no
        running channel of that platform can post to a conversation."""
        channel = self.channels.get(place.platform)
        if not isinstance(channel, PostingChannel):
            raise DeliveryError(f"no running {place.platform} channel posts to conversations")
        return await channel.post_to(place, messages, thread)

    async def find_sent(self, recipient: Recipient, tag: str) -> str | None:
        """The platform id of a message tagged `tag` already in the recipient's
        conversation, when their channel can look (`FindsDeliveries`); else None, and
        the caller sends. Raises TransientDeliveryError when the platform cannot say."""
        channel = self.channels.get(recipient.platform)
        if isinstance(channel, FindsDeliveries):
            return await channel.find_delivery(recipient, tag)
        return None

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
        """How to reach one person; raises DeliveryError with the reason when nobody can."""
        found = (await self.recipients([person_id]))[person_id]
        if isinstance(found, str):
            raise DeliveryError(found)
        return found

    async def recipients(self, person_ids: Iterable[int]) -> dict[int, Recipient | str]:
        """How to reach each person, in two queries whatever the head count: their
        identity on the first running channel that knows them (channels in the order
        the runtime added them: Slack, then Teams), else a channel that reaches anyone
        by name (the terminal). Otherwise the reason as text; `INACTIVE` for someone
        who left or never existed."""
        ids = list(dict.fromkeys(person_ids))
        async with self.db.session() as session:
            reach = await people.reach(session, ids)
        found: dict[int, Recipient | str] = {}
        for person_id in ids:
            way = reach.get(person_id)
            if way is None or not way.person.active:
                found[person_id] = INACTIVE
                continue
            person = way.person
            found[person_id] = f"{person.email} has no identity on a running channel"
            for channel in self.channels:
                known = way.identities.get(channel.platform)
                if known is not None:
                    user, tenant, dm = known
                    found[person_id] = Recipient(person_id, person.org_id, person.email, person.name,
                                                 channel.platform, user, tenant, dm)
                    break
            else:
                anyone = next((c for c in self.channels if getattr(c, "reaches_anyone", False)), None)
                if anyone is not None:
                    found[person_id] = Recipient(person_id, person.org_id, person.email, person.name,
                                                 anyone.platform)
        return found


INACTIVE = "inactive"
