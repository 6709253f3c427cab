"""Slack's listeners: `/okr`, DMs, button clicks, the App Home and the check-in modal.

Each acknowledges first and does the work in a background task (Slack wants an
answer within three seconds). Every request then goes through the same two steps, as
Bolt middleware would: `_sender` reads who sent it (each payload shape keeps the
team and user somewhere else) and resolves the person once, and `_coach_turn` runs the
coach and turns any failure into one apologetic reply. They run after the ack on
purpose: Bolt middleware runs before it, and a person lookup (a database read, maybe
`users.info`) does not belong on the three-second path.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import prompts
from bot.channels.slack import blocks, forms, views
from bot.channels.slack.background import answer_time_left
from bot.channels.slack.inbound import shared_place
from bot.core.messages import Inbound, Message
from storage import events
from storage.models import Person

log = logging.getLogger(__name__)

COMMAND = "/okr"


def sender_of(body: dict[str, Any]) -> tuple[str, str]:
    """(team id, user id) of whoever sent a request: slash commands carry `team_id`
    and `user_id`, events `team_id` and `event.user`, clicks and modals `team.id`
    (or `user.team_id`) and `user.id`."""
    event = body.get("event") or {}
    user = body.get("user")
    team = (body.get("team_id") or (body.get("team") or {}).get("id")
            or (user or {}).get("team_id") or event.get("team") or "")
    user_id = body.get("user_id") or (user or {}).get("id") or event.get("user") or ""
    return team, user_id


def message_key(team: str, body: dict[str, Any], event: dict[str, Any]) -> str:
    """What makes a typed message one message: its channel and `ts` (unique in a
    channel), whatever event carries it. Slack may deliver one message under several
    event ids (shared channels, org-wide installs, two subscriptions), and retries an
    event under its own id; both repeat the channel and ts. Without them, the event id."""
    channel, ts = event.get("channel"), event.get("ts")
    if channel and ts:
        return f"{team}:{channel}:{ts}"
    return f"{team}:{body.get('event_id') or event.get('client_msg_id') or ''}"


class Listeners:
    """The listening side of a SlackChannel (mixed into it)."""

    async def _on_command(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        await ack()
        self.spawn(self._command(body, context.bot_token), "/okr", sender_of(body))

    async def _sender(self, body: dict[str, Any], token: str | None, channel: str | None = None,
                      response_url: str | None = None) -> tuple[str, str, Person | None]:
        """Team, user and the person behind them; strangers are told once how to get
        added (in `channel` or by `response_url`, when given) and get None."""
        team, user_id = sender_of(body)
        person = await self.person(team, user_id, token)
        if person is None and (channel or response_url):
            await self._unknown(token, team, channel, response_url)
        return team, user_id, person

    async def _coach_turn(self, event: Inbound, what: str,
                          failed: Callable[[], Awaitable[None]] | None = None) -> list[Message]:
        """The coach's replies to one inbound event; a failure anywhere in the coach is
        logged, `failed` runs (to undo what must be retried), and the person gets an
        apology instead of silence."""
        try:
            return await self._turn(event)
        except Exception:
            log.exception("Slack %s from person %s failed", what, event.person_id)
            if failed is not None:
                await failed()
            return [Message(prompts.render("slack/error"), private=True)]

    async def _command(self, body: dict[str, Any], token: str) -> None:
        response_url = body.get("response_url")
        team, user_id, person = await self._sender(body, token, response_url=response_url)
        if person is None:
            return
        args = await self._text(body.get("text") or "", team, token)
        replies = await self._coach_turn(Inbound(
            person_id=person.id, platform="slack", text=f"{COMMAND} {args}".strip(),  # type: ignore[arg-type]
            conversation_id=body.get("channel_id"), place=shared_place(body, team),
        ), "/okr")
        await self._open_now(body, token, team, replies)  # type: ignore[attr-defined]
        await self._answer(token=token, team=team, user_id=user_id, person=person,
                           replies=replies, response_url=response_url,
                           where=body.get("channel_id"))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        # Only what a person types in their DM with coachbot: no edits, joins or bots
        # (words typed with a file attached are typed all the same).
        if (event.get("channel_type") != "im" or event.get("subtype") not in (None, "file_share")
                or event.get("bot_id") or not (event.get("text") or "").strip()):
            return
        self.spawn(self._direct_message(body, event, context.bot_token), "DM", sender_of(body))

    async def _direct_message(self, body: dict[str, Any], event: dict[str, Any], token: str) -> None:
        channel = event.get("channel", "")
        team, user_id, person = await self._sender(body, token)
        event_id = message_key(team, body, event)
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
        async def release() -> None:  # so Slack's retry of this event is served again
            async with self.coach.db.session() as session:
                await events.release_event(session, "slack", event_id)

        await self._remember_dm(person, user_id, channel, team)
        text = await self._text(event.get("text") or "", team, token)
        replies = await self._coach_turn(Inbound(
            person_id=person.id, platform="slack", text=text,  # type: ignore[arg-type]
            conversation_id=channel, event_id=event_id,
        ), "DM", failed=release)
        await self._post_all(token, team, channel, replies, person.id, user_id,  # type: ignore[arg-type]
                             event.get("thread_ts"))

    async def _on_choice(self, ack: Any, body: dict[str, Any], action: dict[str, Any],
                         context: Any) -> None:
        await ack()
        self.spawn(self._choice(body, action, context.bot_token), "button", sender_of(body))

    async def _choice(self, body: dict[str, Any], action: dict[str, Any], token: str) -> None:
        response_url = body.get("response_url")
        container = body.get("container") or {}
        team, user_id, person = await self._sender(body, token, response_url=response_url)
        if person is None:
            return
        label = (action.get("text") or {}).get("text", action.get("value", ""))
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        if container.get("type") == "message":
            shown = blocks.picked(message.get("blocks") or [], action.get("action_id", ""), label)
            fallback = blocks.notification(prompts.render("slack/picked", label=label))
            if container.get("is_ephemeral") and response_url:
                await self.api.respond(response_url, {"replace_original": True, "text": fallback,
                                                      "blocks": shown})
            elif channel and message.get("ts"):
                await self.api.update(token, team, channel, message["ts"],
                                      {"text": fallback, "blocks": shown})
        replies = await self._coach_turn(Inbound(
            person_id=person.id, platform="slack", action=action.get("value"),  # type: ignore[arg-type]
            conversation_id=channel,
        ), "click")
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
            self.spawn(self.publish_home(*sender_of(body), context.bot_token), "home")

    async def publish_home(self, team: str, user_id: str, token: str) -> None:
        person = await self.person(team, user_id, token)
        if person is None:
            view = views.home_view([Message(prompts.render("core/unknown_person"))])
        else:
            async with self._turns:
                shown = await self.coach.home(person)
            view = views.home_view(shown, form_label=prompts.render("slack/form_button"))
        await self.api.publish_home(token, team, user_id, view)

    async def _on_form_open(self, ack: Any, body: dict[str, Any], action: dict[str, Any],
                            context: Any) -> None:
        await ack()
        self.spawn(self._form_open(body, action, context.bot_token), "form", sender_of(body))

    async def _form_open(self, body: dict[str, Any], action: dict[str, Any], token: str) -> None:
        team, _ = sender_of(body)
        client = self.api.client(token, team)
        opened = await client.views_open(trigger_id=body["trigger_id"], view=views.loading_view())
        _, _, person = await self._sender(body, token)
        if person is None:
            replies = [Message(prompts.render("core/unknown_person"))]
        else:
            replies = await self._coach_turn(Inbound(
                person_id=person.id, platform="slack", text=action.get("value") or "/okr checkin",  # type: ignore[arg-type]
            ), "form")
        form, shown = forms.form_of(replies)
        view = forms.fields_view(form, [], team) if form is not None else views.form_view(replies, {"team": team})
        await client.views_update(view_id=opened["view"]["id"], view=view)

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
        token = context.bot_token
        if not sender_of(body)[0]:  # a modal's own record of its workspace
            body = {**body, "team_id": json.loads(view.get("private_metadata") or "{}").get("team", "")}
        team, user_id, person = await self._sender(body, token)
        if person is None:
            await ack(response_action="update",
                      view=views.form_view([Message(prompts.render("core/unknown_person"))], {}))
            return
        turn = asyncio.get_running_loop().create_task(self._coach_turn(Inbound(
            person_id=person.id, platform="slack", text=typed or "", action=picked,  # type: ignore[arg-type]
        ), "form answer"))
        done, _ = await asyncio.wait({turn}, timeout=answer_time_left())
        if done:
            await ack(response_action="update",
                      view=views.form_view(turn.result(), {"team": team}))
            return
        await ack()

        async def later() -> None:
            await self._post_all(token, team, user_id, await turn, person.id, user_id)  # type: ignore[arg-type]

        self.spawn(later(), "slow form answer")

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error("Slack listener failed: %s", error, exc_info=error)

