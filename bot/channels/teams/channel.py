"""The Teams channel: POST /api/messages on the shared aiohttp server, and proactive
delivery through stored conversation references.

The request handler does the checks botbuilder's own `CloudAdapter.process` skips:
a body that is not a JSON activity is a 400 (botbuilder would raise a 500), and an
authentication failure of any kind, including an unparsable token, is a 401.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext, serializer_helper
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import DeserializationError
from msrest.serialization import Model

import prompts
from bot.channels.teams.activities import activities_for
from bot.channels.teams.adapter import RetryingCloudAdapter, status_of
from bot.channels.teams.connector import ConnectorHttp
from bot.channels.teams.handler import CoachBot
from bot.channels.teams.settings import TeamsSettings
from bot.core.channel import DeliveryError, Place, Recipient, TransientDeliveryError
from bot.core.coach import Coach
from bot.core.messages import Message
from storage import teams as store

log = logging.getLogger(__name__)

ROUTE = "/api/messages"
MAX_BODY = 1024 * 1024  # Bot Framework activities are small; cards are capped at ~28 KB


class TeamsChannel:
    """Microsoft Teams through the Bot Framework (botbuilder-python 4.17)."""

    platform = "teams"

    def __init__(self, settings: TeamsSettings, coach: Coach, retry_base_delay: float = 1.0,
                 http: ConnectorHttp | None = None) -> None:
        self.settings = settings
        self.coach = coach
        self.http = http or ConnectorHttp()
        self.adapter = RetryingCloudAdapter(settings, retry_base_delay=retry_base_delay, http=self.http)
        self.bot = CoachBot(coach, deliver=self.deliver, anonymous=settings.anonymous,
                            tenant=settings.app_tenant_id)
        self.app_id = settings.app_id or ""

    def mount(self, app: web.Application) -> None:
        app.router.add_post(ROUTE, self.handle)

    async def start(self) -> None:
        """Nothing to open: the connector session is made on the first call."""

    async def stop(self) -> None:
        await self.http.close()

    # --- inbound ----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """One activity from the Bot Framework connector."""
        auth_header = request.headers.get("Authorization", "")
        if not self.settings.anonymous and not _bearer(auth_header):
            # Nothing but a bearer token can pass botbuilder's check: refused before
            # the body (up to MAX_BODY of anyone's JSON) is even read.
            log.warning("Rejected /api/messages request: no bearer token")
            return web.json_response({"error": "unauthorized"}, status=401)
        activity = await _read_activity(request)
        if isinstance(activity, web.Response):
            return activity
        try:
            authenticated = await self.adapter.bot_framework_authentication.authenticate_request(
                activity, auth_header)
        except Exception as error:  # PermissionError, a malformed JWT, unreachable keys
            log.warning("Rejected /api/messages request: %s", error or type(error).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        invoke: InvokeResponse | None = await self.adapter.process_activity(
            authenticated, activity, self.bot.on_turn)
        if invoke is not None:
            # ActivityHandler already serialised the body; a Model is serialised here
            # (botbuilder's own CloudAdapter.process serialises twice and fails).
            body = serializer_helper(invoke.body) if isinstance(invoke.body, Model) else invoke.body
            return web.json_response(body, status=int(invoke.status))
        return web.Response(status=200)

    # --- outbound ---------------------------------------------------------------------

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        """Send to a person's personal chat; return the id of the last activity sent.

        With a stored reference this is `continue_conversation`. Without one, but
        with another reference in the same tenant (which tells us the tenant's service
        URL), the personal chat is opened by AAD object id: Teams allows that exactly
        when the app is installed for the person, which recovers installs whose
        install event was missed. Otherwise, or when Teams refuses, the person never
        installed the app (or removed it): a DeliveryError for the admin, not a skip.
        """
        if not messages:
            return None
        if not recipient.user_id:
            raise DeliveryError(_unreachable("teams/not_installed", recipient))
        async with self.coach.db.session() as session:
            stored = await store.find_reference(session, recipient.tenant, recipient.user_id)
            neighbour = None
            if stored is None and recipient.tenant:
                neighbour = await store.tenant_reference(session, recipient.tenant)
        sender = _Sender(messages)
        if stored is not None:
            reference = ConversationReference().deserialize(stored)
            reference.activity_id = None
            if self.settings.service_url:
                reference.service_url = self.settings.service_url
            await self.adapter.continue_conversation(reference, sender.send, self.app_id)
        elif neighbour is not None:
            await self._open_personal_chat(recipient, neighbour, sender)
        else:
            raise DeliveryError(_unreachable("teams/not_installed", recipient))
        if sender.failed:
            status = status_of(sender.failed)
            if status in (401, 403, 404):
                template = "teams/blocked" if stored is not None else "teams/not_installed"
                raise DeliveryError(
                    _unreachable(template, recipient, reason=f"HTTP {status}")
                ) from sender.failed
            if status is None or status >= 500 or status == 429 or isinstance(sender.failed, TimeoutError):
                # not now, rather than never: the dispatcher tries again later
                raise TransientDeliveryError(
                    f"Teams connector: {f'HTTP {status}' if status else type(sender.failed).__name__}",
                    uncertain=status != 429) from sender.failed
            raise sender.failed
        return sender.sent[-1] if sender.sent else None

    async def post_to(self, place: Place, messages: list[Message], thread: str | None = None) -> str | None:
        """Post proactively into a team channel (the scorecard); `thread` is the id of
        the channel post to reply under (Teams addresses a thread as
        "<channel conversation id>;messageid=<post id>"). Returns the first activity's
        id: the thread of later replies. The service URL is the tenant's (any stored
        reference in it), as Teams has one per region."""
        if not messages:
            return None
        async with self.coach.db.session() as session:
            neighbour = await store.tenant_reference(session, place.tenant) if place.tenant else None
        if neighbour is None:
            raise DeliveryError(f"no Teams conversation known in tenant {place.tenant}")
        known = ConversationReference().deserialize(neighbour)
        conversation = place.channel + (f";messageid={thread}" if thread else "")
        reference = ConversationReference(
            bot=known.bot or ChannelAccount(id=f"28:{self.app_id}"), channel_id="msteams",
            service_url=self.settings.service_url or known.service_url,
            conversation=ConversationAccount(id=conversation, is_group=True, conversation_type="channel",
                                             tenant_id=place.tenant))
        sender = _Sender(messages)
        await self.adapter.continue_conversation(reference, sender.send, self.app_id)
        if sender.failed:
            raise DeliveryError(f"Teams refused a post to {place.channel}: "
                                f"HTTP {status_of(sender.failed)}") from sender.failed
        return next((i for i in sender.sent if i), None)

    async def _open_personal_chat(self, recipient: Recipient, neighbour: dict[str, Any],
                                  sender: _Sender) -> None:
        """Create the 1:1 conversation with the person (by AAD object id), send, and
        keep its reference so the next message is an ordinary continuation."""
        known = ConversationReference().deserialize(neighbour)
        service_url = self.settings.service_url or known.service_url
        tenant, aad = recipient.tenant, recipient.user_id
        bot = known.bot or ChannelAccount(id=f"28:{self.app_id}")
        user = ChannelAccount(id=aad, aad_object_id=aad, name=recipient.name)
        parameters = ConversationParameters(
            is_group=False, bot=bot, members=[user], tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}})

        async def opened(turn_context: TurnContext) -> None:
            activity = turn_context.activity
            activity.from_property = user  # replies are addressed to the event's sender
            reference = TurnContext.get_conversation_reference(activity).serialize()
            reference.pop("activityId", None)
            async with self.coach.db.session() as session:
                await store.save_reference(session, tenant, aad, aad, reference)  # type: ignore[arg-type]
            await sender.send(turn_context)

        try:
            await self.adapter.create_conversation(
                self.app_id, opened, parameters, "msteams", service_url)
        except Exception as error:  # the create call itself, before any turn runs
            sender.failed = error

class _Sender:
    """The callback a proactive turn runs: send the messages, keep their ids, and keep
    an error (the adapter's error hook would otherwise swallow it)."""

    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages
        self.sent: list[str | None] = []
        self.failed: Exception | None = None

    async def send(self, turn_context: TurnContext) -> None:
        # botbuilder gives a proactive turn's activity a made-up id, which would make
        # every send a reply to a message that never existed.
        turn_context.activity.id = None
        try:
            responses = await turn_context.send_activities(activities_for(self.messages))
        except Exception as error:
            self.failed = error
            return
        self.sent.extend(r.id if r is not None else None for r in responses)


def _unreachable(template: str, recipient: Recipient, **values: Any) -> str:
    return prompts.render(template, name=recipient.name, email=recipient.email, **values)


async def _read_activity(request: web.Request) -> Activity | web.Response:
    """The request's activity, or the 4xx answer that explains what is wrong with it."""
    if request.content_type != "application/json":
        return _bad("expected Content-Type: application/json", status=415)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _bad("activity too large", status=413)
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError) as error:  # bad JSON or UTF-8, huge integers, deep nesting
        return _bad("body is not JSON", f"body is not JSON ({type(error).__name__})")
    if not isinstance(body, dict):
        return _bad("body is not a JSON object")
    try:
        activity = Activity().deserialize(body)
    except (DeserializationError, ValueError, TypeError, AttributeError, RecursionError) as error:
        return _bad(f"not an activity: {error}", f"not an activity ({type(error).__name__})")
    if not activity.type or not isinstance(activity.type, str):
        return _bad("activity has no type")
    if activity.conversation is None or not activity.conversation.id:
        return _bad("activity has no conversation")
    if not activity.service_url:
        return _bad("activity has no serviceUrl")
    return activity


def _bearer(header: str) -> bool:
    """Whether an Authorization header could carry a Bot Framework token at all."""
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def _bad(reason: str, logged: str | None = None, status: int = 400) -> web.Response:
    """A 400 that tells the caller `reason`; the log says `logged` (default `reason`),
    which names the fault without repeating what an unauthenticated caller sent."""
    log.info("Bad /api/messages request: %s", logged or reason)
    return web.json_response({"error": reason}, status=status)
