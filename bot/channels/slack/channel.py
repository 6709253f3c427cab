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
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Coroutine
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

import prompts
from bot.channels.slack import blocks
from bot.channels.slack.api import SlackApi
from bot.channels.slack.inbound import plain_text
from bot.channels.slack.pacing import Pacer
from bot.channels.slack.settings import SlackSettings
from bot.channels.slack.stores import DbInstallationStore, DbOAuthStateStore
from bot.core.channel import DeliveryError, Recipient
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message, Sender
from storage import events, people
from storage import slack as store
from storage.models import Person

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
COMMAND = "/okr"
# How many turns the coach thinks about at once (its database work is CPU-bound in
# this process). Waiting turns sit on a semaphore rather than in the event loop's ready
# queue, so a burst of work cannot starve the next acknowledgement; calls to Slack are
# outside the gate, so slow network round trips do not hold it.
THINKERS = 2
# After a turn that took d seconds the coach rests REST x d before the next one, so
# under overload at least REST / (1 + REST) of the loop (a third) stays free for
# acknowledgements and the answers queue up instead. Below overload nobody waits.
REST = 0.5
# Who a Slack user is changes rarely; a minute's memory saves two queries a request.
# (The coach re-reads the person on every turn, so a deactivation still applies.)
PEOPLE_TTL = 60.0

# What the bot asks for at install; manifest.yml lists the same scopes.
BOT_SCOPES = [
    "commands", "chat:write", "im:history", "im:read", "im:write",
    "users:read", "users:read.email", "files:write",
]


class SlackChannel:
    """Slack for coachbot: HTTP events (single workspace or OAuth) or Socket Mode."""

    platform = "slack"

    def __init__(self, settings: SlackSettings, coach: Coach, pacer: Pacer | None = None,
                 thinkers: int = THINKERS) -> None:
        self.settings = settings
        self.coach = coach
        self.api = SlackApi(settings.api_url, pacer)
        self.socket_mode = bool(settings.app_token)
        self.oauth = bool(settings.client_id and settings.client_secret)
        self.installations = (
            DbInstallationStore(coach.db, settings.client_id)  # type: ignore[arg-type]
            if self.oauth else None
        )
        self.app = self._build_app()
        self._register()
        self._tasks: set[asyncio.Task[None]] = set()
        self._thinking = asyncio.Semaphore(thinkers)
        self._rest_until = 0.0
        self._socket: Any = None
        self._bound: set[str] = set()
        self._dm_known: set[tuple[int, str]] = set()
        self._unknown_events: OrderedDict[str, None] = OrderedDict()
        self._people: OrderedDict[tuple[str, str], tuple[float, Person]] = OrderedDict()

    # --- construction -------------------------------------------------------------------

    def _build_app(self) -> AsyncApp:
        s = self.settings
        common: dict[str, Any] = {
            "name": "coachbot",
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
        app.action(re.compile(rf"^{blocks.CHOICE_ACTION}:"))(self._on_choice)
        app.action(blocks.FORM_ACTION)(self._on_form_open)
        app.view(blocks.FORM_CALLBACK)(self._on_form_submit)
        app.error(self._on_error)

    # --- Channel protocol: HTTP routes, start/stop, proactive delivery ------------------

    def mount(self, app: web.Application) -> None:
        """Slack's routes on the shared server: events in HTTP mode, install pages with OAuth."""
        if not self.socket_mode:
            app.router.add_post(EVENTS_PATH, self.handle_http)
        if self.oauth:
            app.router.add_get(INSTALL_PATH, self._handle_install)
            app.router.add_get(REDIRECT_PATH, self._handle_redirect)

    async def handle_http(self, request: web.Request) -> web.Response:
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, AttributeError, TypeError):
            # Bolt parses the body before it checks the signature: a body that does not
            # parse is refused as unsigned (401) unless Slack really signed it (400).
            secret, raw = self.settings.signing_secret, await request.read()
            try:
                signed = bool(secret) and SignatureVerifier(secret).is_valid_request(  # type: ignore[arg-type]
                    raw.decode("utf-8"), dict(request.headers))
            except UnicodeDecodeError:  # Slack sends UTF-8; this was never Slack's
                signed = False
            return web.json_response({"error": "unparsable request" if signed else "invalid request"},
                                     status=400 if signed else 401)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def _handle_install(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

    async def _handle_redirect(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

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
        self.spawn(self.link_people(), "link people by e-mail")

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.drain(timeout=10)
        await self.api.close()

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        """DM `messages` to one person; returns "channel:ts" of the last message sent."""
        if not recipient.user_id:
            raise DeliveryError(f"{recipient.email} has no Slack user id")
        team = recipient.tenant or ""
        token = await self.token_for(team)
        channel = recipient.dm_channel or recipient.user_id
        try:
            channel, ts = await self._post_all(token, team, channel, messages, recipient.person_id,
                                               recipient.user_id)
        except SlackApiError as error:
            raise DeliveryError(f"Slack refused a DM to {recipient.email}: "
                                f"{error.response.get('error')}") from error
        return f"{channel}:{ts}" if ts else None

    # --- background work ------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, Any], what: str) -> None:
        task = asyncio.get_running_loop().create_task(self._guard(work, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, work: Awaitable[Any], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("Slack: %s failed", what)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the work started by acknowledged requests (tests, shutdown)."""
        while self._tasks:
            done, _ = await asyncio.wait(list(self._tasks), timeout=timeout)
            if not done:
                break

    # --- tokens, people ---------------------------------------------------------------------

    async def token_for(self, team_id: str, enterprise_id: str | None = None) -> str:
        """The bot token for a workspace: the configured one, or its OAuth installation."""
        if self.installations is None:
            assert self.settings.bot_token
            return self.settings.bot_token
        if enterprise_id is None and team_id:
            async with self.coach.db.session() as session:
                workspace = await store.workspace(session, team_id)
            enterprise_id = workspace.enterprise_id if workspace is not None else None
        bot = await self.installations.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id:
            bot = await self.installations.async_find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        if bot is None or not bot.bot_token:
            raise DeliveryError(f"coachbot is not installed in Slack workspace {team_id}")
        return bot.bot_token

    async def _workspace_known(self, team_id: str) -> bool:
        """With OAuth, only workspaces bound at install may reach anyone's data; the
        automatic binding of a single-company install is for a single-workspace token."""
        if not self.oauth or team_id in self._bound:
            return True
        async with self.coach.db.session() as session:
            found = await store.workspace(session, team_id) is not None
        if found:
            self._bound.add(team_id)
        return found

    async def person(self, team_id: str, user_id: str, token: str | None) -> Person | None:
        """The person behind a Slack user: stored id from the team import, else the
        e-mail on their Slack profile. None for strangers (nothing is stored)."""
        if not team_id or not user_id or not await self._workspace_known(team_id):
            return None
        cached = self._people.get((team_id, user_id))
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self._thinking:
            found = await self._rested(self.coach.identify(Sender("slack", team_id, user_id)))
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
            log.warning("users.info %s failed: %s", user_id, error.response.get("error"))
            return None
        if not email:
            return None
        async with self._thinking:
            return await self.coach.identify(Sender("slack", team_id, user_id, email=email))

    async def _turn(self, event: Inbound) -> list[Message]:
        async with self._thinking:
            return await self._rested(self.coach.handle(event))

    async def _rested(self, work: Awaitable[Any]) -> Any:
        """Run CPU-heavy work, then owe a rest in proportion to how long it took."""
        pause = self._rest_until - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        started = time.monotonic()
        try:
            return await work
        finally:
            ended = time.monotonic()
            self._rest_until = max(self._rest_until, ended + (ended - started) * REST)

    async def _remember_dm(self, person: Person, user_id: str, channel: str, team: str) -> None:
        if not channel.startswith("D") or (person.id, channel) in self._dm_known:  # type: ignore[operator]
            return
        await self.coach.remember_identity(person.id, "slack", user_id, channel, team or None)  # type: ignore[arg-type]
        self._dm_known.add((person.id, channel))  # type: ignore[arg-type]

    async def _text(self, raw: str, team_id: str, token: str | None) -> str:
        """Typed text as the coach should read it; a mention becomes @their-email."""
        async def resolve(user_id: str) -> str | None:
            mentioned = await self.person(team_id, user_id, token)
            return mentioned.email if mentioned is not None else None

        return await plain_text(raw, resolve)

    async def link_people(self) -> int:
        """Find people without a Slack id by e-mail (users.lookupByEmail), so their
        check-ins reach them. Returns how many were linked."""
        teams: list[tuple[str, int]] = []
        if not self.oauth and self.settings.bot_token:
            auth = await self.api.client(self.settings.bot_token, "").auth_test()
            async with self.coach.db.session() as session:
                org_id = await people.workspace_org(session, "slack", str(auth["team_id"]))
            if org_id is not None:
                teams.append((str(auth["team_id"]), org_id))
        else:
            async with self.coach.db.session() as session:
                teams = [(w.external_id, w.org_id) for w in await store.workspaces(session)]
        linked = 0
        for team_id, org_id in teams:
            try:
                token = await self.token_for(team_id)
            except DeliveryError:
                continue
            async with self.coach.db.session() as session:
                unlinked = list(await store.unlinked_people(session, org_id))
            for person in unlinked:
                try:
                    user_id = await self.api.lookup_email(token, team_id, person.email)
                except SlackApiError as error:
                    if error.response.get("error") != "users_not_found":
                        log.warning("users.lookupByEmail failed: %s", error.response.get("error"))
                    continue
                if user_id:
                    await self.coach.remember_identity(person.id, "slack", user_id, tenant=team_id)  # type: ignore[arg-type]
                    linked += 1
        if linked:
            log.info("Slack: linked %s people by e-mail", linked)
        return linked

    # --- sending ---------------------------------------------------------------------------

    async def _post_all(self, token: str, team: str, channel: str, messages: list[Message],
                        person_id: int | None = None, user_id: str | None = None,
                        thread_ts: str | None = None) -> tuple[str, str | None]:
        """Post messages in order into a conversation (images uploaded as files)."""
        ts: str | None = None
        for message in messages:
            for post in blocks.posts(message):
                response = await self.api.post(token, team, channel, post.payload(), thread_ts)
                ts = str(response.get("ts"))
                if response.get("channel") and response["channel"] != channel:
                    channel = str(response["channel"])  # a user id posts into the DM: learn it
                    if person_id is not None and user_id:
                        await self.coach.remember_identity(person_id, "slack", user_id, channel, team or None)
            if message.image is not None:
                if not channel.startswith(("D", "C", "G")):
                    assert user_id is not None
                    channel = await self.api.open_dm(token, team, user_id)
                await self.api.upload(token, team, channel, message.image,
                                      message.title or message.image.alt[:200])
        return channel, ts

    async def _respond(self, response_url: str, messages: list[Message],
                       replace: bool = False) -> None:
        for i, post in enumerate(blocks.combined(messages)):
            body = {**post.payload(), "response_type": "ephemeral"}
            if replace and i == 0:
                body["replace_original"] = True
            await self.api.respond(response_url, body)

    async def _answer(self, *, token: str, team: str, user_id: str, person: Person,
                      replies: list[Message], response_url: str | None,
                      where: str | None) -> None:
        """Replies to a slash command or an ephemeral click: private ones as ephemeral
        messages where the person asked; the rest (a conversation) in their DM."""
        private = [m for m in replies if m.private]
        public = [m for m in replies if not m.private]
        images = [m for m in private if m.image is not None]
        dm: str | None = None
        if public or images:
            dm, _ = await self._post_all(token, team, user_id, public + [
                Message("", image=m.image) for m in images], person.id, user_id)  # type: ignore[arg-type]
            await self._remember_dm(person, user_id, dm, team)
            if response_url and where != dm:
                private.append(Message(prompts.render("slack/see_dm")))
        if private and response_url:
            await self._respond(response_url, private)
        elif private:
            await self._post_all(token, team, user_id, private, person.id, user_id)  # type: ignore[arg-type]

    async def _unknown(self, token: str | None, team: str, channel: str | None,
                       response_url: str | None) -> None:
        message = Message(prompts.render("core/unknown_person"), private=True)
        if response_url:
            await self._respond(response_url, [message])
        elif channel and token:
            await self.api.post(token, team, channel, blocks.posts(message)[0].payload())

    # --- listeners --------------------------------------------------------------------------

    async def _on_command(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        await ack()
        self.spawn(self._command(body, context.bot_token), "/okr")

    async def _command(self, body: dict[str, Any], token: str) -> None:
        team, user_id = body.get("team_id", ""), body.get("user_id", "")
        response_url = body.get("response_url")
        person = await self.person(team, user_id, token)
        if person is None:
            await self._unknown(token, team, None, response_url)
            return
        args = await self._text(body.get("text") or "", team, token)
        try:
            replies = await self._turn(Inbound(
                person_id=person.id, platform="slack", text=f"{COMMAND} {args}".strip(),  # type: ignore[arg-type]
                conversation_id=body.get("channel_id"),
            ))
        except Exception:
            log.exception("/okr %s failed", args)
            replies = [Message(prompts.render("slack/error"), private=True)]
        await self._answer(token=token, team=team, user_id=user_id, person=person,
                           replies=replies, response_url=response_url,
                           where=body.get("channel_id"))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        # Only what a person types in their DM with coachbot: no edits, joins or bots
        # (words typed with a file attached are typed all the same).
        if (event.get("channel_type") != "im" or event.get("subtype") not in (None, "file_share")
                or event.get("bot_id") or not (event.get("text") or "").strip()):
            return
        self.spawn(self._direct_message(body, event, context.bot_token), "DM")

    async def _direct_message(self, body: dict[str, Any], event: dict[str, Any], token: str) -> None:
        team = body.get("team_id") or event.get("team") or ""
        user_id, channel = event.get("user", ""), event.get("channel", "")
        event_id = f"{team}:{body.get('event_id') or event.get('client_msg_id') or event.get('ts')}"
        person = await self.person(team, user_id, token)
        if person is None:
            # Strangers leave no row behind, so their retries are remembered in memory.
            if event_id in self._unknown_events:
                return
            self._unknown_events[event_id] = None
            while len(self._unknown_events) > 10_000:
                self._unknown_events.popitem(last=False)
            await self._unknown(token, team, channel, None)
            return
        async with self.coach.db.session() as session:
            if not await events.claim_event(session, "slack", event_id):
                log.info("Slack retry of %s ignored: already processed", event_id)
                return
        try:
            await self._remember_dm(person, user_id, channel, team)
            text = await self._text(event.get("text") or "", team, token)
            replies = await self._turn(Inbound(
                person_id=person.id, platform="slack", text=text,  # type: ignore[arg-type]
                conversation_id=channel, event_id=event_id,
            ))
        except Exception:
            async with self.coach.db.session() as session:
                await events.release_event(session, "slack", event_id)
            log.exception("Slack DM from %s failed", user_id)
            replies = [Message(prompts.render("slack/error"))]
        await self._post_all(token, team, channel, replies, person.id, user_id,  # type: ignore[arg-type]
                             event.get("thread_ts"))

    async def _on_choice(self, ack: Any, body: dict[str, Any], action: dict[str, Any],
                         context: Any) -> None:
        await ack()
        self.spawn(self._choice(body, action, context.bot_token), "button")

    async def _choice(self, body: dict[str, Any], action: dict[str, Any], token: str) -> None:
        team = (body.get("team") or {}).get("id") or body.get("user", {}).get("team_id", "")
        user_id = body.get("user", {}).get("id", "")
        person = await self.person(team, user_id, token)
        response_url = body.get("response_url")
        container = body.get("container") or {}
        if person is None:
            await self._unknown(token, team, None, response_url)
            return
        label = (action.get("text") or {}).get("text", action.get("value", ""))
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        if container.get("type") == "message":
            shown = blocks.picked(message.get("blocks") or [], action.get("action_id", ""), label)
            fallback = prompts.render("slack/picked", label=label)
            if container.get("is_ephemeral") and response_url:
                await self.api.respond(response_url, {"replace_original": True, "text": fallback,
                                                      "blocks": shown})
            elif channel and message.get("ts"):
                await self.api.update(token, team, channel, message["ts"],
                                      {"text": fallback, "blocks": shown})
        try:
            replies = await self._turn(Inbound(
                person_id=person.id, platform="slack", action=action.get("value"),  # type: ignore[arg-type]
                conversation_id=channel,
            ))
        except Exception:
            log.exception("Slack click from %s failed", user_id)
            replies = [Message(prompts.render("slack/error"), private=True)]
        in_dm = container.get("type") == "message" and not container.get("is_ephemeral") and channel
        if in_dm:
            await self._post_all(token, team, channel, replies, person.id, user_id)  # type: ignore[arg-type]
        else:
            await self._answer(token=token, team=team, user_id=user_id, person=person,
                               replies=replies,
                               response_url=response_url if container.get("is_ephemeral") else None,
                               where=channel)
        if container.get("type") == "view":
            await self.publish_home(team, user_id, token)

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        if event.get("tab") == "home":
            team = body.get("team_id") or ""
            self.spawn(self.publish_home(team, event.get("user", ""), context.bot_token), "home")

    async def publish_home(self, team: str, user_id: str, token: str) -> None:
        person = await self.person(team, user_id, token)
        if person is None:
            view = blocks.home_view([Message(prompts.render("core/unknown_person"))])
        else:
            async with self._thinking:
                shown = await self.coach.home(person)
            view = blocks.home_view(shown, form_label=prompts.render("slack/form_button"))
        await self.api.publish_home(token, team, user_id, view)

    async def _on_form_open(self, ack: Any, body: dict[str, Any], action: dict[str, Any],
                            context: Any) -> None:
        await ack()
        self.spawn(self._form_open(body, action, context.bot_token), "form")

    async def _form_open(self, body: dict[str, Any], action: dict[str, Any], token: str) -> None:
        team = (body.get("team") or {}).get("id", "")
        user_id = body.get("user", {}).get("id", "")
        client = self.api.client(token, team)
        opened = await client.views_open(trigger_id=body["trigger_id"], view=blocks.loading_view())
        person = await self.person(team, user_id, token)
        if person is None:
            replies = [Message(prompts.render("core/unknown_person"))]
        else:
            try:
                replies = await self._turn(Inbound(
                    person_id=person.id, platform="slack", text=action.get("value") or "/okr checkin",  # type: ignore[arg-type]
                ))
            except Exception:
                log.exception("Slack form for %s failed", user_id)
                replies = [Message(prompts.render("slack/error"))]
        await client.views_update(view_id=opened["view"]["id"],
                                  view=blocks.form_view(replies, {"team": team}))

    async def _on_form_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any],
                              context: Any) -> None:
        """A modal answer must be answered within 3 s with the next view; if the coach
        takes longer, the modal closes and the rest arrives as a DM."""
        state = (view.get("state") or {}).get("values", {}).get(blocks.FORM_BLOCK, {})
        value = state.get(blocks.FORM_INPUT) or {}
        picked = (value.get("selected_option") or {}).get("value")
        typed = value.get("value")
        if not picked and not (typed or "").strip():
            await ack(response_action="errors",
                      errors={blocks.FORM_BLOCK: prompts.render("slack/form_empty")})
            return
        team = (body.get("team") or {}).get("id") or json.loads(view.get("private_metadata") or "{}").get("team", "")
        user_id = body.get("user", {}).get("id", "")
        token = context.bot_token
        person = await self.person(team, user_id, token)
        if person is None:
            await ack(response_action="update",
                      view=blocks.form_view([Message(prompts.render("core/unknown_person"))], {}))
            return
        async def answer() -> list[Message]:
            try:
                return await self._turn(Inbound(
                    person_id=person.id, platform="slack", text=typed or "", action=picked,  # type: ignore[arg-type]
                ))
            except Exception:
                log.exception("Slack form answer from %s failed", user_id)
                return [Message(prompts.render("slack/error"))]

        turn = asyncio.get_running_loop().create_task(answer())
        done, _ = await asyncio.wait({turn}, timeout=2.5)
        if done:
            await ack(response_action="update",
                      view=blocks.form_view(turn.result(), {"team": team}))
            return
        await ack()

        async def later() -> None:
            await self._post_all(token, team, user_id, await turn, person.id, user_id)  # type: ignore[arg-type]

        self.spawn(later(), "slow form answer")

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error("Slack listener failed: %s", error, exc_info=error)

    # --- OAuth install ----------------------------------------------------------------------

    async def _installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        bound = False
        try:
            bound = await self._bind(installation)
        except Exception:
            log.exception("binding Slack workspace %s failed", installation.team_id)
        if bound:
            self.spawn(self.link_people(), "link people after install")
        response = await args.default.success(args)
        lines = prompts.render("slack/installed", team=installation.team_name or installation.team_id,
                               bound=bound).splitlines()
        response.body = prompts.render("slack/install_page", lines=[ln for ln in lines if ln.strip()])
        response.headers["content-type"] = ["text/html; charset=utf-8"]
        return response

    async def _failed(self, args: AsyncFailureArgs) -> BoltResponse:
        log.warning("Slack install failed: %s", args.reason)
        return await args.default.failure(args)

    async def _bind(self, installation: Installation) -> bool:
        """Tie a newly installed workspace to the organisation of the admin installing
        it (the core's binding rule), matched by the e-mail on their Slack profile."""
        team = installation.team_id or installation.enterprise_id
        if not team:
            return False
        email = None
        if installation.user_id and installation.bot_token:
            async with self.coach.db.session() as session:
                known = await store.workspace(session, team) is not None
            if not known:
                email = await self.api.user_email(installation.bot_token, team, installation.user_id)
        bound = await self.coach.bind_workspace("slack", team, email, installation.enterprise_id,
                                                installation.team_name)
        if bound:
            self._bound.add(team)
        return bound
