"""Neutral messages as Adaptive Cards, and card answers back as neutral choices.

Plain dictionaries in, plain dictionaries out: nothing here imports botbuilder, so
the cards survive a move to the Microsoft 365 Agents SDK unchanged, and they can be
tested without any adapter.

A choice becomes an `Action.Submit` whose data carries the choice value plus what
is needed to redraw the card once it is answered (title, text and the picked label).
Teams does not send the original card back with the click, and we do not want a
table of every card ever sent just to grey out its buttons.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import prompts
from bot.core import markup
from bot.core.messages import Message, text_bar

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
DATA_KEY = "coachbot"
# Card text kept in each button's data, so the answered card can be redrawn. Teams
# caps a message at about 28 KB; a few buttons times this stays far below it.
_ECHO_LIMIT = 600
_STYLES = {"primary": "positive", "danger": "destructive"}


@dataclass(frozen=True)
class Pick:
    """A choice picked on one of our cards (from `Action.Submit` or `Action.Execute`)."""

    value: str
    label: str
    title: str | None
    text: str
    key: str | None


def card(message: Message) -> dict[str, Any]:
    """The Adaptive Card for one neutral message."""
    body: list[dict[str, Any]] = []
    if message.title:
        body.append(_text(message.title, size="Medium", weight="Bolder"))
    if message.text:
        body.append(_text(message.text))
    if message.fields:
        body.append({
            "type": "FactSet",
            # TextBlocks and fact values are Markdown, where the escapes of people's
            # words (bot.core.markup) keep them literal; a fact's title is plain.
            "facts": [{"title": markup.plain(f.label), "value": f.value} for f in message.fields],
        })
    for bar in message.progress:
        body.append(_text(bar.label, weight="Bolder", spacing="Medium"))
        # Adaptive Cards in Teams have no progress element: the same block-character
        # bar the terminal draws, in a monospace font so it lines up.
        body.append(_text(text_bar(bar.ratio), fontType="Monospace", spacing="None"))
        if bar.caption:
            body.append(_text(bar.caption, isSubtle=True, spacing="None", size="Small"))
    if message.image is not None:
        encoded = base64.b64encode(message.image.png).decode("ascii")
        body.append({
            "type": "Image",
            "url": f"data:image/png;base64,{encoded}",
            "altText": message.image.alt,
            "size": "Stretch",
        })
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body or [_text(message.plain() or " ")],
        "fallbackText": message.plain(),
        "msteams": {"width": "Full"},
    }
    if message.choices:
        text = message.text
        if len(text) > _ECHO_LIMIT:
            text = text[: _ECHO_LIMIT - 1].rstrip() + "…"
        echo = {"title": message.title, "text": text, "key": message.key}
        content["actions"] = [
            {
                "type": "Action.Submit",
                "title": markup.plain(choice.label),
                **({"style": _STYLES[choice.style]} if choice.style in _STYLES else {}),
                "data": {DATA_KEY: {"value": choice.value, "label": markup.plain(choice.label), **echo}},
            }
            for choice in message.choices
        ]
    return content


def answered_card(pick: Pick) -> dict[str, Any]:
    """The card that replaces an answered one: the same words, no buttons, and the
    answer given, so the choice cannot be made twice and the chat shows what was said."""
    body: list[dict[str, Any]] = []
    if pick.title:
        body.append(_text(pick.title, size="Medium", weight="Bolder"))
    if pick.text:
        body.append(_text(pick.text))
    answered = prompts.render("teams/answered", label=pick.label)  # the label made inert
    body.append(_text(answered, isSubtle=True, spacing="Medium"))
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "fallbackText": "\n".join(part for part in (pick.title, pick.text, answered) if part),
        "msteams": {"width": "Full"},
    }


def pick_from(value: Any) -> Pick | None:
    """Read a click on one of our cards from an activity's `value`.

    `Action.Submit` delivers the button's data as the message value; `Action.Execute`
    nests it under `action.data`. Anything else (another app's card, a form without
    our key, junk) is None, so it is treated as ordinary text or ignored.
    """
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("action"), dict) and isinstance(value["action"].get("data"), dict):
        value = value["action"]["data"]
    data = value.get(DATA_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("value"), str):
        return None
    title = data.get("title")
    return Pick(
        value=data["value"],
        label=str(data.get("label") or data["value"]),
        title=str(title) if title else None,
        text=str(data.get("text") or ""),
        key=str(data["key"]) if data.get("key") else None,
    )


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}
