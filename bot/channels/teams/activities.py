"""Bot Framework activities as coachbot reads and writes them: the text a person
typed (Teams' HTML and the bot's own @mention removed, other mentions in the core's
neutral @form), their tenant, whether the chat is personal, and the activities that
carry our messages. Pure functions over botbuilder's schema; the handler uses them.
"""

from __future__ import annotations

import hashlib
import html
import re

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.channels.teams import cards
from bot.core import markup
from bot.core.messages import Message, Place

PLATFORM = "teams"
EMULATOR_TENANT = "emulator"
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def activity_for(message: Message) -> Activity:
    """A neutral message as an Adaptive Card activity (a prompt's tag in channelData)."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=cards.CARD_CONTENT_TYPE,
                                content=cards.card(message))],
        summary=markup.plain(message.title or message.text or "coachbot")[:200],
        channel_data={"coachbot": {"tag": message.tag}} if message.tag else None,
    )


def activities_for(messages: list[Message]) -> list[Activity]:
    """Messages as few card activities as Teams accepts (`cards.cards_for`). A prompt's
    delivery tag (its occurrence key) rides on each activity's channelData, so a copy
    in the chat can be told apart from a later one (the connector cannot read a chat's
    history back; see docs/cadence.md)."""
    tag = next((m.tag for m in messages if m.tag), None)
    return [Activity(type=ActivityTypes.message,
                     attachments=[Attachment(content_type=cards.CARD_CONTENT_TYPE, content=content)],
                     summary=(content.get("fallbackText") or "coachbot")[:200],
                     channel_data={"coachbot": {"tag": tag}} if tag else None)
            for content in cards.cards_for(messages)]


def tenant_of(activity: Activity) -> str | None:
    """The AAD tenant of an activity: in channelData and, usually, on the conversation."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    found = tenant.get("id") or getattr(activity.conversation, "tenant_id", None)
    return str(found) if found else None


def dev_tenant(activity: Activity, anonymous: bool) -> str | None:
    """The Bot Framework Emulator sends no tenant. In anonymous development mode only,
    its conversations count as the tenant "emulator", so a person whose
    `teams_user_id` is the Emulator's user id can try coachbot locally."""
    if anonymous and activity.channel_id == "emulator":
        return EMULATOR_TENANT
    return None


def is_personal(activity: Activity) -> bool:
    kind = getattr(activity.conversation, "conversation_type", None)
    return kind in (None, "personal")


def shared_place(activity: Activity) -> Place | None:
    """A team channel the message was said in (a thread's id trimmed to the channel's)."""
    if getattr(activity.conversation, "conversation_type", None) != "channel":
        return None
    return Place(PLATFORM, activity.conversation.id.split(";")[0], tenant_of(activity))


def mentions(activity: Activity) -> list[tuple[str, str, str]]:
    """The people mentioned in a message other than the bot: (tag text as typed,
    user id, display name). The id is the AAD object id when Teams gives one (the
    team import's `teams_user_id`), else the Teams user id."""
    recipient = getattr(activity.recipient, "id", None)
    found = []
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") or {}
        if (entity.type or "").lower() == "mention" and props.get("text") and mentioned.get("id") != recipient:
            user_id = mentioned.get("aadObjectId") or mentioned.get("id") or ""
            found.append((props["text"], user_id, mentioned.get("name") or ""))
    return found


def clean_text(activity: Activity, named: dict[str, str] | None = None) -> str:
    """What the person typed, without "@coachbot" and without Teams' HTML.

    Another person's mention (`<at>Sam Rep</at>`) becomes the neutral form every
    channel hands the core: `@` and their e-mail when `named` (Teams user id ->
    e-mail) knows them, else `@` and their display name.
    """
    text = activity.text or ""
    recipient = getattr(activity.recipient, "id", None)
    for entity in activity.entities or []:
        if (entity.type or "").lower() != "mention":
            continue
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") or {}
        if mentioned.get("id") == recipient and props.get("text"):
            text = text.replace(props["text"], " ")
    for tag, user_id, name in mentions(activity):
        label = (named or {}).get(user_id) or name or _TAGS.sub("", tag)
        text = text.replace(tag, f"@{label}")
    text = _MENTION.sub(" ", text) if text.lstrip().lower().startswith("<at>") else text
    text = html.unescape(_TAGS.sub(" ", text)).replace("\xa0", " ")
    return " ".join(text.split())


def event_key(activity: Activity, *parts: str | None) -> str:
    """A short, stable dedup id (activity ids are unique only within a conversation)."""
    raw = "|".join([activity.conversation.id if activity.conversation else ""]
                   + [p or "" for p in parts])
    return hashlib.sha256(raw.encode()).hexdigest()
