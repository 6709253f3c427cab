"""Posting into a Slack channel (the team scorecard): chat.postMessage, replies in the
post's thread with `thread_ts`, a chart uploaded privately and shown inside the post
by an image block (`slack_file`), so the scorecard is one post, not a post and a file."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.channels.slack import blocks
from bot.channels.slack.api import error_code
from bot.core.channel import DeliveryError, Place
from bot.core.messages import Attachment, Image, Message


class Posting:
    """The channel-posting side of a SlackChannel (mixed into it)."""

    async def post_to(self, place: Place, messages: list[Message], thread: str | None = None) -> str | None:
        """Post into a channel (or a thread of it); return the ts of the first post,
        which is the thread every later reply goes to."""
        team = place.tenant or ""
        token = await self.token_for(team)  # type: ignore[attr-defined]
        first: str | None = None
        try:
            for message in messages:
                file_id = await self._upload_private(token, team, message.image) if message.image else None
                for post in blocks.channel_posts(message, file_id):
                    response = await self.api.post(token, team, place.channel, post.payload(), thread)  # type: ignore[attr-defined]
                    first = first or str(response.get("ts"))
        except SlackApiError as error:
            raise DeliveryError(f"Slack refused a post to {place.channel}: "
                                f"{error_code(error) or 'no JSON'}") from error
        return first

    async def _upload_private(self, token: str, team: str, image: Image) -> str | None:
        """Upload a chart without sharing it anywhere; its file id goes in an image block."""
        await self.api.pacer.slot(team)  # type: ignore[attr-defined]
        response: Any = await self.api.client(token, team).files_upload_v2(  # type: ignore[attr-defined]
            file=image.png, filename=image.filename, title=image.alt[:200], alt_txt=image.alt[:1000])
        found = response.get("files") or ([response.get("file")] if response.get("file") else [])
        return str(found[0]["id"]) if found else None

    async def _upload_file(self, token: str, team: str, channel: str, attachment: Attachment) -> None:
        """Share a file (an export) in a conversation, as a download."""
        await self.api.pacer.slot(team, channel)  # type: ignore[attr-defined]
        await self.api.client(token, team).files_upload_v2(  # type: ignore[attr-defined]
            channel=channel, content=attachment.data, filename=attachment.filename, title=attachment.filename)
