"""The Slack channel: a Bolt `AsyncApp` on our one aiohttp server (or Socket Mode),
turning Slack payloads into neutral `Inbound` turns and the coach's messages into
Block Kit.

Every listener acknowledges first and does the work in a background task: Slack
wants an answer within three seconds, and the coach may take longer than that when
the database is busy. The app runs with `process_before_response=True` so that the
acknowledgement leaves the moment the listener returns, without Bolt's polling loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Iterator
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack import blocks, forms, gate
from bot.channels.slack.api import TRANSIENT_ERRORS, UNCERTAIN_ERRORS, SlackApi, error_code
from bot.channels.slack.background import ACK_SENT, ANSWER_BY, Background, note_arrival
from bot.channels.slack.inbound import plain_text
from bot.channels.slack.install import Installs
from bot.channels.slack.learnt import LearntDms
from bot.channels.slack.lifecycle import Lifecycle
from bot.channels.slack.listeners import COMMAND, Listeners
from bot.channels.slack.outbox import Outbox
from bot.channels.slack.pacing import Pacer
from bot.channels.slack.posting import Posting
from bot.channels.slack.settings import SlackSettings
from bot.channels.slack.stores import DbInstallationStore, DbOAuthStateStore
from bot.core.channel import DeliveryError, Recipient, TransientDeliveryError
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message, Sender
from conversations.people import hidden_character
from storage.models import Person
from storage.secrets import SecretBox

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# How many turns the coach thinks about at once (its database work is CPU-bound in
# this process). Waiting turns sit on a semaphore rather than in the event loop's ready
# queue, so a burst of work cannot starve the next acknowledgement; calls to Slack are
# outside the gate, so slow network round trips do not hold it.
CONCURRENT_TURNS = 2
# After a turn that took d seconds the coach pauses PAUSE_RATIO x d before the next one, so
# under overload at least PAUSE_RATIO / (1 + PAUSE_RATIO) of the loop (a third) stays free for
# acknowledgements and the answers queue up instead. Below overload nobody waits.
PAUSE_RATIO = 0.5
# Who a Slack user is changes rarely; a minute's memory saves two queries a request.
# (The coach re-reads the person on every turn, so a deactivation still applies.)
PEOPLE_TTL = 60.0

# The logger Bolt is given, and so the base of every logger it makes: Bolt copies this
# one's level onto them (by default it copies the root's, so a quieter level set on
# `slack_bolt` in bot.core.logs would never apply, and Bolt's INFO line with the whole
# body of a request with a bad signature would reach the log).
BOLT_LOGGER = logging.getLogger("slack_bolt")

# What the bot asks for at install; manifest.yml lists the same scopes.
BOT_SCOPES = [
    "commands", "chat:write", "im:history", "im:write",
    "users:read", "users:read.email", "files:write",
]


@contextlib.contextmanager
def refusals(recipient: Recipient) -> Iterator[None]:
    """Slack's answers as the dispatcher needs them: "never" (user_not_found,
    account_inactive, channel_not_found, not_in_channel, missing_scope, invalid_auth …)
    as DeliveryError, "not now" (HTTP 5xx, 429 beyond its retries, a transient error
    code, a reset connection, a timeout) as TransientDeliveryError."""
    try:
        yield
    except SlackApiError as error:
        code = error_code(error)
        status = int(getattr(error.response, "status_code", 200) or 200)
        if status >= 500 or status == 429 or code in TRANSIENT_ERRORS:
            raise TransientDeliveryError(f"Slack answered HTTP {status} {code}".strip(),
                                         uncertain=status >= 500 or code in UNCERTAIN_ERRORS) from error
        raise DeliveryError(f"Slack refused a DM to {recipient.email}: {code}") from error
    except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
        raise TransientDeliveryError(f"Slack unreachable: {type(error).__name__} {error}".strip(),
                                     uncertain=True) from error


class SlackChannel(Background, Listeners, forms.FormListeners, Installs, Outbox, Posting, Lifecycle):
    """Slack for coachbot: HTTP events (single workspace or OAuth) or Socket Mode."""

    platform = "slack"

    def __init__(self, settings: SlackSettings, coach: Coach, pacer: Pacer | None = None,
                 concurrent_turns: int = CONCURRENT_TURNS) -> None:
        self.settings = settings
        self.coach = coach
        self.api = SlackApi(settings.api_url, pacer)
        self.socket_mode = bool(settings.app_token)
        self.oauth = bool(settings.client_id and settings.client_secret)
        self.installations = (
            DbInstallationStore(coach.db, settings.client_id, SecretBox(coach.settings.secret_key))  # type: ignore[arg-type]
            if self.oauth else None
        )
        self.app = self._build_app()
        self._register()
        Background.__init__(self)
        self._turns = asyncio.Semaphore(concurrent_turns)
        self._pause_until = 0.0
        self._socket: Any = None
        self._bound: set[str] = set()
        self._token_team: str | None = None
        self._paused: dict[str, str] = {}
        self._dm_known: set[tuple[int, str]] = set()
        self.learnt_dms = LearntDms(coach.db)
        self._unknown_events: OrderedDict[str, None] = OrderedDict()
        self._people: OrderedDict[tuple[str, str], tuple[float, Person]] = OrderedDict()
        self.replays = gate.Replays()  # signatures already taken in (this process only)
        self.relay: Any = None  # the acknowledging front's relay, while SLACK_ACK_PORT is served

    # --- construction -------------------------------------------------------------------

    def _build_app(self) -> AsyncApp:
        s = self.settings
        common: dict[str, Any] = {
            "name": "coachbot",
            "logger": BOLT_LOGGER,
            "process_before_response": True,
            "signing_secret": s.signing_secret,
            # Socket Mode needs no signature (the socket itself is authenticated); over
            # HTTP every request is verified, and a missing secret fails at start-up.
            "request_verification_enabled": not self.socket_mode or bool(s.signing_secret),
        }
        if self.oauth:
            oauth_settings = AsyncOAuthSettings(
                client_id=s.client_id,
                client_secret=s.client_secret,
                scopes=BOT_SCOPES,
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
                installation_store=self.installations,
                installation_store_bot_only=True,
                state_store=DbOAuthStateStore(self.coach.db),
                callback_options=AsyncCallbackOptions(success=self._installed, failure=self._failed),
            )
            app = AsyncApp(
                client=AsyncWebClient(base_url=self.api.base_url),
                oauth_settings=oauth_settings,
                installation_store_bot_only=True,
                **common,
            )
            app.enable_token_revocation_listeners()
            return app
        return AsyncApp(
            client=AsyncWebClient(token=s.bot_token, base_url=self.api.base_url), **common
        )

    def _register(self) -> None:
        app = self.app
        app.command(COMMAND)(self._on_command)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home_opened)
        app.event("app_uninstalled")(self._on_app_uninstalled)  # every mode: no 404, no retries
        app.event("tokens_revoked")(self._on_tokens_revoked)
        app.action(re.compile(rf"^{blocks.CHOICE_ACTION}:"))(self._on_choice)
        app.action(blocks.FORM_ACTION)(self._on_form_open)
        app.view(blocks.FORM_CALLBACK)(self._on_form_submit)
        app.view(forms.FIELDS_CALLBACK)(self._on_fields_submit)
        app.error(self._on_error)

    # --- Channel protocol: HTTP routes, start/stop, proactive delivery ------------------

    def mount(self, app: web.Application) -> None:
        """Slack's routes on the shared server: events in HTTP mode (unless SLACK_ACK_PORT
        takes them: two processes would each remember their own signatures, and a request
        taken in on one port could be replayed on the other), install pages with OAuth."""
        if not self.socket_mode and self.settings.ack_port is None:
            app.router.add_post(EVENTS_PATH, self.handle_http)
        if self.oauth:
            app.router.add_get(INSTALL_PATH, self._handle_install)
            app.router.add_get(REDIRECT_PATH, self._handle_redirect)

    async def handle_http(self, request: web.Request) -> web.Response:
        arrived = note_arrival()
        bolt_request = await gate.admit(request, self.settings.signing_secret, self.replays)
        if isinstance(bolt_request, web.Response):  # unsigned or replayed (401), undecodable (400)
            ANSWER_BY.reset(arrived)
            return bolt_request
        # The work a listener hands off waits until the acknowledgement is written: its
        # first steps (a database read, rendering) would otherwise run on the loop
        # between Bolt's ack and aiohttp's write, on the three-second path.
        sent = asyncio.Event()
        reset = ACK_SENT.set(sent)
        accepted = False
        try:
            bolt_response = await self.app.async_dispatch(bolt_request)
            # A 2xx from Bolt means a listener took the request (its work is under way):
            # from here its signature stays spent, even if the caller left before the ack.
            accepted = 200 <= bolt_response.status < 300
            response = await to_aiohttp_response(bolt_response)
            with contextlib.suppress(ConnectionError):  # the caller left: aiohttp ends it quietly
                await response.prepare(request)
                await response.write_eof()
            return response
        finally:
            if not accepted:  # refused or failed: the same signed request may come again
                pair = gate.signed_pair(request.headers)
                if pair is not None:
                    self.replays.release(*pair)
            ACK_SENT.reset(reset)
            ANSWER_BY.reset(arrived)
            sent.set()

    async def start(self) -> None:
        """Connect Socket Mode if configured; then link people to Slack users by e-mail
        in the background (nobody waits for a big team's lookups)."""
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(
                self.app, self.settings.app_token,
                web_client=AsyncWebClient(base_url=self.api.base_url),
            )
            await self._socket.connect_async()
            log.info("Slack Socket Mode connected")
        elif self.settings.ack_port is not None:
            await self._start_front(self.settings.ack_port)
        self.spawn(self.link_people(), "link people by e-mail")

    async def _start_front(self, port: int) -> None:
        """Slack's requests acknowledged by a process of their own on `port`
        (`bot.channels.slack.front`) and answered here."""
        from bot.channels.slack.relay import Relay
        from bot.core.settings import SettingsError

        if port == self.coach.settings.port:
            raise SettingsError("SLACK_ACK_PORT", f"{port} is PORT already; give the acknowledgements "
                                                  "a port of their own")
        settings = self.coach.settings
        self.relay = Relay(self.app, self.settings.signing_secret or "", settings.host, port, self.replays,
                           settings.log_level, settings.log_format)
        await self.relay.start()
        log.info("Slack's requests on %s port %s (SLACK_ACK_PORT), answered here; none on PORT",
                 self.coach.settings.host, port)

    async def stop(self) -> None:
        if self.relay is not None:  # no more acknowledgements, then finish the work taken in
            await self.relay.stop()
            self.relay = None
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.drain(timeout=10)
        await self.api.close()

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        """DM `messages` to one person; returns "channel:ts" of the last message sent.
        A refusal for good raises DeliveryError; "not now" (5xx, 429 beyond its
        retries, a reset, a timeout) raises TransientDeliveryError."""
        if not recipient.user_id:
            raise DeliveryError(f"{recipient.email} has no Slack user id")
        team = recipient.tenant or ""
        token = await self.token_for(team)
        channel = recipient.dm_channel or self.learnt_dms.channel_of(recipient.person_id) or recipient.user_id
        with refusals(recipient):
            channel, ts = await self._post_all(token, team, channel, messages, recipient.person_id,
                                               recipient.user_id)
        return f"{channel}:{ts}" if ts else None

    async def find_delivery(self, recipient: Recipient, tag: str) -> str | None:
        """"channel:ts" of a message in the person's DM tagged `tag` (message metadata),
        or None. Without the history scope, the answer is None (and the caller sends)."""
        if not recipient.user_id:
            return None
        team = recipient.tenant or ""
        token = await self.token_for(team)
        try:
            with refusals(recipient):
                channel = (recipient.dm_channel or self.learnt_dms.channel_of(recipient.person_id)
                           or await self.api.open_dm(token, team, recipient.user_id))
                ts = await self.api.tagged(token, team, channel, tag)
        except TransientDeliveryError:
            raise
        except DeliveryError as error:
            log.warning("cannot look for %s in Slack: %s", tag, error)
            return None
        return f"{channel}:{ts}" if ts else None

    # --- tokens, people ---------------------------------------------------------------------

    async def person(self, team_id: str, user_id: str, token: str | None) -> Person | None:
        """The person behind a Slack user: stored id from the team import, else the
        e-mail on their Slack profile. None for strangers (nothing is stored)."""
        if not team_id or not user_id or not await self._workspace_known(team_id):
            return None
        cached = self._people.get((team_id, user_id))
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self._turns:
            found = await self._paced(self.coach.identify(Sender("slack", team_id, user_id)))
        if found is None and token:
            found = await self._by_profile_email(team_id, user_id, token)
        if found is not None:
            self._people[(team_id, user_id)] = (time.monotonic() + PEOPLE_TTL, found)
            while len(self._people) > 10_000:
                self._people.popitem(last=False)
        return found

    async def _by_profile_email(self, team_id: str, user_id: str, token: str) -> Person | None:
        try:
            email = await self.api.user_email(token, team_id, user_id)
        except SlackApiError as error:
            log.warning("users.info %s failed: %s", user_id, error_code(error) or "no JSON")
            return None
        if not email or hidden_character(email) is not None:  # not the address it reads as
            return None
        async with self._turns:
            return await self.coach.identify(Sender("slack", team_id, user_id, email=email))

    async def _turn(self, event: Inbound) -> list[Message]:
        # the person's turn lock first (`bot.core.turns`; the coach's own hold is then
        # free): a burst from one person waits without holding a slot others need
        async with self.coach.turns.hold(event.person_id), self._turns:
            return await self._paced(self.coach.handle(event))

    async def _paced(self, work: Awaitable[Any]) -> Any:
        """Run CPU-heavy work, then owe a pause in proportion to how long it took."""
        pause = self._pause_until - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        started = time.monotonic()
        try:
            return await work
        finally:
            ended = time.monotonic()
            self._pause_until = max(self._pause_until, ended + (ended - started) * PAUSE_RATIO)

    async def _text(self, raw: str, team_id: str, token: str | None) -> str:
        """Typed text as the coach should read it; a mention becomes @their-email."""
        async def resolve(user_id: str) -> str | None:
            mentioned = await self.person(team_id, user_id, token)
            return mentioned.email if mentioned is not None else None

        return await plain_text(raw, resolve)

