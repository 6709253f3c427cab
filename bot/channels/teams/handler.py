"""The Teams activity handler: Bot Framework activities in, the coach's answers out.

Thin on purpose. It only translates: who is speaking (tenant + AAD object id, else
UPN), what they said (text with the @mention removed, or a card choice), where to
reach them later (the conversation reference) and how the answer looks (Adaptive
Cards from `cards.py`). Everything the bot *knows* lives in the coach.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    Attachment,
    ChannelAccount,
)

import prompts
from bot.channels.teams import cards, forms
from bot.channels.teams.activities import (
    EMULATOR_TENANT,
    PLATFORM,
    activities_for,
    clean_text,
    dev_tenant,
    event_key,
    is_personal,
    mentions,
    shared_place,
    tenant_of,
)
from bot.core.channel import Recipient
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message, Sender
from conversations.people import hidden_character
from storage import events
from storage import teams as store
from storage.models import Person

log = logging.getLogger(__name__)

Deliver = Callable[[Recipient, list[Message]], Awaitable[str | None]]


class CoachBot(ActivityHandler):
    """Bot Framework's view of the coach."""

    def __init__(self, coach: Coach, deliver: Deliver | None = None, anonymous: bool = False,
                 tenant: str | None = None) -> None:
        """`deliver` sends proactively to a personal chat (the channel's own
        `deliver`); without it, private answers asked for in a channel are withheld.
        `tenant` (MICROSOFT_APP_TENANT_ID) is bound on first use; others by an admin."""
        self.coach = coach
        self.deliver = deliver
        self.anonymous = anonymous
        self.configured = {t for t in (tenant, EMULATOR_TENANT if anonymous else None) if t}
        self._admitted: set[str] = set()

    def tenant(self, activity: Activity) -> str | None:
        return tenant_of(activity) or dev_tenant(activity, self.anonymous)

    # --- every activity ---------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Drop a repeated activity id before any work; remember how to reach a known
        person in their personal chat. Strangers and foreign tenants leave no row."""
        activity = turn_context.activity
        if activity.type == ActivityTypes.installation_update and activity.action == "remove":
            await self._remember(turn_context)
            return
        if activity.from_property is None or activity.from_property.id == getattr(activity.recipient, "id", None):
            await super().on_turn(turn_context)  # the bot's own echo: nothing to store
            return
        if await self.person(turn_context) is None:
            await super().on_turn(turn_context)  # answered as a stranger; nothing stored
            return
        if activity.id and activity.type in (ActivityTypes.message, ActivityTypes.invoke):
            async with self.coach.db.session() as session:
                first = await events.claim_event(session, PLATFORM, event_key(activity, activity.id))
            if not first:
                log.info("Teams activity %s seen before; ignored", activity.id)
                turn_context.turn_state["coachbot.duplicate"] = True
                if activity.type != ActivityTypes.invoke:
                    return
        await self._remember(turn_context)
        await super().on_turn(turn_context)

    async def _remember(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        user = activity.from_property
        tenant = self.tenant(activity)
        if not (is_personal(activity) and tenant and user and user.id):
            return
        if activity.type == ActivityTypes.installation_update and activity.action == "remove":
            async with self.coach.db.session() as session:
                await store.forget_reference(session, tenant, user.id)
            return
        if user.id == getattr(activity.recipient, "id", None):
            return  # the bot's own conversationUpdate echo
        reference = TurnContext.get_conversation_reference(activity).serialize()
        reference.pop("activityId", None)  # proactive messages start a new thread
        async with self.coach.db.session() as session:
            await store.save_reference(session, tenant, user.id, user.aad_object_id, reference)

    # --- who is this ------------------------------------------------------------------

    async def person(self, turn_context: TurnContext) -> Person | None:
        """The person behind the Teams user (once per turn), only in a bound tenant: by
        AAD object id (`teams_user_id`), else by the UPN/e-mail Teams knows for them."""
        if "coachbot.person" not in turn_context.turn_state:
            turn_context.turn_state["coachbot.person"] = await self._person(turn_context)
        return turn_context.turn_state["coachbot.person"]  # type: ignore[no-any-return]

    async def admitted(self, tenant: str) -> bool:
        """Bound on purpose: by `coachbot teams bind`, or as the configured tenant (on
        first use, with one organisation). Speaking first binds nothing."""
        if tenant in self._admitted:
            return True
        async with self.coach.db.session() as session:
            bound = await store.tenant_bound(session, tenant)
            if not bound and tenant in self.configured:
                bound = await store.bind_configured_tenant(session, tenant)
        if bound:
            self._admitted.add(tenant)
        return bound

    async def _person(self, turn_context: TurnContext) -> Person | None:
        activity = turn_context.activity
        user: ChannelAccount | None = activity.from_property
        tenant = self.tenant(activity)
        if user is None or not tenant or not await self.admitted(tenant):
            return None
        user_id = user.aad_object_id or user.id
        sender = Sender(PLATFORM, tenant, user_id)
        person = await self.coach.identify(sender)
        if person is not None:
            return person
        for address in await self._addresses(turn_context, user):
            person = await self.coach.identify(
                Sender(PLATFORM, tenant, user_id, address))
            if person is not None:
                return person
        return None

    async def _named(self, activity: Activity) -> dict[str, str]:
        """E-mails of the mentioned people coachbot knows, by Teams user id."""
        tenant = self.tenant(activity) or ""
        named = {}
        for _, user_id, _ in mentions(activity):
            found = await self.coach.identify(Sender(PLATFORM, tenant, user_id))
            if found is not None:
                named[user_id] = found.email
        return named

    async def _addresses(self, turn_context: TurnContext, user: ChannelAccount) -> list[str]:
        """The user's e-mail and UPN from the connector's roster (activities carry
        neither); they differ when a company's sign-in names are not its addresses."""
        try:
            member = await TeamsInfo.get_member(turn_context, user.id)
        except Exception as error:  # an unreachable roster must not break the turn
            log.info("Teams member lookup for %s failed: %s", user.id, error)
            return []
        found = [getattr(member, "email", None), getattr(member, "user_principal_name", None)]
        # An address with a hidden character is not the one it reads as: never matched.
        return list(dict.fromkeys(a for a in found if a and hidden_character(a) is None))

    # --- messages, card clicks --------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        form = forms.submitted(activity.value)
        if form is not None:
            await self._form(turn_context, form)
            return
        pick = cards.pick_from(activity.value)
        text = "" if pick is not None else clean_text(activity)
        if pick is None and not text:
            return  # an empty form, a bare @mention, a sticker
        person = await self.person(turn_context)
        if person is None:
            await turn_context.send_activity(prompts.render("core/unknown_person"))
            return
        if pick is None and mentions(activity):
            text = clean_text(activity, await self._named(activity))
        if pick is not None and activity.reply_to_id:
            await self._close_card(turn_context, activity.reply_to_id, pick)
        replies = await self.coach.handle(Inbound(  # the core lets one click per card count
            person_id=person.id,  # type: ignore[arg-type]
            platform=PLATFORM,
            text=text,
            action=pick.value if pick is not None else None,
            conversation_id=activity.conversation.id if activity.conversation else None,
            event_id=activity.id,
            place=shared_place(activity),
            card=pick.key if pick is not None else None,
        ))
        await self.send(turn_context, person, replies)

    async def _form(self, turn_context: TurnContext, form: forms.Submitted) -> AdaptiveCardInvokeResponse:
        """A submitted form: one action with the fields' values (`Inbound.values`);
        the form's card is closed (a new one comes with the answer), and the answered
        card is returned for an invoke to show in its place."""
        activity = turn_context.activity
        answered = cards.Pick(form.action, form.label, form.title, form.text, None)
        closed = AdaptiveCardInvokeResponse(status_code=200, type=cards.CARD_CONTENT_TYPE,
                                            value=cards.answered_card(answered))
        if turn_context.turn_state.get("coachbot.duplicate"):  # a retried invoke: answered once
            return closed
        person = await self.person(turn_context)
        if person is None:
            await turn_context.send_activity(prompts.render("core/unknown_person"))
            return _invoke_message(prompts.render("core/unknown_person"))
        if activity.reply_to_id and activity.type == ActivityTypes.message:
            await self._close_card(turn_context, activity.reply_to_id, answered)
        replies = await self.coach.handle(Inbound(
            person_id=person.id,  # type: ignore[arg-type]
            platform=PLATFORM,
            action=form.action,
            values=form.values,
            conversation_id=activity.conversation.id if activity.conversation else None,
            event_id=activity.id,
            place=shared_place(activity),
        ))
        await self.send(turn_context, person, replies)
        return closed

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """Reject a malformed `adaptiveCard/action` here: botbuilder's own error answer
        for it holds an Exception object that cannot be serialised (a 500)."""
        activity = turn_context.activity
        if activity.name == "adaptiveCard/action":
            value = activity.value if isinstance(activity.value, dict) else {}
            action = value.get("action")
            if not isinstance(action, dict) or action.get("type") != "Action.Execute":
                return InvokeResponse(status=400, body={
                    "statusCode": 400, "type": "application/vnd.microsoft.error",
                    "value": {"code": "BadRequest", "message": "expected an Action.Execute value"},
                })
        return await super().on_invoke_activity(turn_context)

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        """`Action.Execute` (Universal Actions): the answered card goes back in the
        invoke response, which Teams swaps in for the clicked one."""
        activity = turn_context.activity
        form = forms.submitted({"action": invoke_value.action})
        if form is not None:
            return await self._form(turn_context, form)
        pick = cards.pick_from({"action": invoke_value.action})
        if pick is None:
            return _invoke_message(prompts.render("teams/card_expired"))
        answered = AdaptiveCardInvokeResponse(
            status_code=200, type=cards.CARD_CONTENT_TYPE, value=cards.answered_card(pick))
        if turn_context.turn_state.get("coachbot.duplicate"):
            return answered
        person = await self.person(turn_context)
        if person is None:
            return _invoke_message(prompts.render("core/unknown_person"))
        replies = await self.coach.handle(Inbound(  # the core lets one click per card count
            person_id=person.id,  # type: ignore[arg-type]
            platform=PLATFORM,
            action=pick.value,
            conversation_id=activity.conversation.id if activity.conversation else None,
            event_id=activity.id,
            place=shared_place(activity),
            card=pick.key,
        ))
        await self.send(turn_context, person, replies)
        return answered

    async def _close_card(self, turn_context: TurnContext, card_id: str, pick: cards.Pick) -> None:
        """Redraw the clicked card without its buttons (Action.Submit path)."""
        update = Activity(
            id=card_id,
            type=ActivityTypes.message,
            conversation=turn_context.activity.conversation,
            attachments=[Attachment(content_type=cards.CARD_CONTENT_TYPE,
                                    content=cards.answered_card(pick))],
        )
        try:
            await turn_context.update_activity(update)
        except Exception as error:  # the answer still counts if the redraw fails
            log.warning("Could not update answered Teams card %s: %s", card_id, error)

    # --- install ----------------------------------------------------------------------

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Greet a person when they install the app in their personal scope (the
        reference was saved by `on_turn`), so they know check-ins will come here."""
        activity = turn_context.activity
        bot_id = getattr(activity.recipient, "id", None)
        if not is_personal(activity) or not any(m.id == bot_id for m in members_added):
            return
        person = await self.person(turn_context)
        if person is None:
            await turn_context.send_activity(prompts.render("core/unknown_person"))
            return
        first = person.name.split()[0]
        await self.send(turn_context, person, [Message(prompts.render("teams/welcome", name=first))])

    # --- sending ----------------------------------------------------------------------

    async def send(self, turn_context: TurnContext, person: Person, messages: list[Message]) -> None:
        """Reply as cards. In a team channel or group chat the answer goes to the
        person's personal chat instead, as on Slack: a rep's numbers never land in a
        channel, and nobody else there can click the buttons of their question."""
        if not messages:
            return
        if is_personal(turn_context.activity):
            await turn_context.send_activities(activities_for(messages))
            return
        public: list[Message] = []
        private = list(messages)
        first = person.name.split()[0]
        if private:
            activity = turn_context.activity
            recipient = Recipient(
                person.id, person.org_id, person.email, person.name, PLATFORM,  # type: ignore[arg-type]
                user_id=activity.from_property.aad_object_id or activity.from_property.id,
                tenant=self.tenant(activity),
            )
            try:
                if self.deliver is None:
                    raise LookupError("no proactive sender")
                await self.deliver(recipient, private)
                public.append(Message(prompts.render("teams/sent_privately", name=first)))
            except Exception as error:
                log.info("Private Teams reply to %s not delivered: %s", person.email, error)
                public.append(Message(prompts.render("teams/open_personal_chat", name=first)))
        await turn_context.send_activities(activities_for(public))


def _invoke_message(text: str) -> AdaptiveCardInvokeResponse:
    """An invoke answer that Teams shows as a short message instead of a new card."""
    value: Any = text
    return AdaptiveCardInvokeResponse(
        status_code=200, type="application/vnd.microsoft.activity.message", value=value)
