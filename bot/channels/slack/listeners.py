"""Slack's listeners: `/okr`, DMs, button clicks, the App Home and the check-in modal.
Each acknowledges first and does the work in a background task (Slack wants an
answer within three seconds)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

import prompts
from bot.channels.slack import blocks
from bot.core.messages import Inbound, Message
from storage import events

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

COMMAND = "/okr"


class Listeners:
    """The listening side of a SlackChannel (mixed into it)."""

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
            async with self._turns:
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

