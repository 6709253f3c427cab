"""Sending to Slack: messages posted in order (images uploaded as files), answers to a
slash command or an ephemeral click as ephemeral messages, the rest in the DM."""

from __future__ import annotations

from typing import TYPE_CHECKING

import prompts
from bot.channels.slack import blocks
from bot.channels.slack.api import PROMPT_EVENT
from bot.core.messages import Message
from storage.models import Person
from storage.people import LearntDm

if TYPE_CHECKING:
    pass


class Outbox:
    """The sending side of a SlackChannel (mixed into it)."""

    async def _remember_dm(self, person: Person, user_id: str, channel: str, team: str) -> None:
        self._learnt_dm(person.id, user_id, channel, team)  # type: ignore[arg-type]

    def _learnt_dm(self, person_id: int, user_id: str, channel: str, team: str) -> None:
        """Keep a person's DM channel: written with others in a batch (`learnt.py`)."""
        if not channel.startswith("D") or (person_id, channel) in self._dm_known:  # type: ignore[operator]
            return
        self.learnt_dms.add(LearntDm(person_id, "slack", user_id, channel, team or None))  # type: ignore[attr-defined]
        self._dm_known.add((person_id, channel))  # type: ignore[attr-defined]

    async def _post_all(self, token: str, team: str, channel: str, messages: list[Message],
                        person_id: int | None = None, user_id: str | None = None,
                        thread_ts: str | None = None) -> tuple[str, str | None]:
        """Post messages in order into a conversation (images uploaded as files)."""
        ts: str | None = None
        for message in messages:
            for post in blocks.posts(message):
                payload = post.payload()
                if message.tag:  # so the prompt can be found if its outcome is unknown
                    payload["metadata"] = {"event_type": PROMPT_EVENT, "event_payload": {"tag": message.tag}}
                response = await self.api.post(token, team, channel, payload, thread_ts)
                ts = str(response.get("ts"))
                if response.get("channel") and response["channel"] != channel:
                    channel = str(response["channel"])  # a user id posts into the DM: learn it
                    if person_id is not None and user_id:
                        self._learnt_dm(person_id, user_id, channel, team)
            if message.image is not None:
                if not channel.startswith(("D", "C", "G")):
                    assert user_id is not None
                    channel = await self.api.open_dm(token, team, user_id)
                await self.api.upload(token, team, channel, message.image,
                                      message.title or message.image.alt[:200])
            if message.attachment is not None:  # a file (an export): uploaded into the DM
                if not channel.startswith(("D", "C", "G")):
                    assert user_id is not None
                    channel = await self.api.open_dm(token, team, user_id)
                await self._upload_file(token, team, channel, message.attachment)  # type: ignore[attr-defined]
        return channel, ts

    async def _respond(self, response_url: str, messages: list[Message],
                       replace: bool = False) -> list[Message]:
        """Answer within the five posts a response_url takes; returns what did not fit
        (condensed), for the caller to send by DM."""
        posts, rest = blocks.responses(messages)
        for i, post in enumerate(posts):
            body = {**post.payload(), "response_type": "ephemeral"}
            if replace and i == 0:
                body["replace_original"] = True
            await self.api.respond(response_url, body)
        return rest

    async def _answer(self, *, token: str, team: str, user_id: str, person: Person,
                      replies: list[Message], response_url: str | None,
                      where: str | None) -> None:
        """Replies to a slash command or an ephemeral click: private ones as ephemeral
        messages where the person asked; the rest (a conversation) in their DM."""
        private = [m for m in replies if m.private]
        public = [m for m in replies if not m.private]
        images = [m for m in private if m.image is not None or m.attachment is not None]
        dm: str | None = None
        if public or images:
            dm, _ = await self._post_all(token, team, user_id, public + [
                Message("", image=m.image, attachment=m.attachment) for m in images], person.id, user_id)  # type: ignore[arg-type]
            await self._remember_dm(person, user_id, dm, team)
            if response_url and where != dm:
                private.append(Message(prompts.render("slack/see_dm")))
        if private and response_url:
            rest = await self._respond(response_url, private)
            if rest:
                await self._post_all(token, team, user_id, rest, person.id, user_id)  # type: ignore[arg-type]
        elif private:
            await self._post_all(token, team, user_id, private, person.id, user_id)  # type: ignore[arg-type]

    async def _unknown(self, token: str | None, team: str, channel: str | None,
                       response_url: str | None) -> None:
        message = Message(prompts.render("core/unknown_person"), private=True)
        if response_url:
            await self._respond(response_url, [message])
        elif channel and token:
            await self.api.post(token, team, channel, blocks.posts(message)[0].payload())

