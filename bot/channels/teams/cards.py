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
import json
from dataclasses import dataclass, replace
from typing import Any

import prompts
from bot.channels.teams import forms
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
# Teams refuses a message over about 100 KB (activity and card together) and shows at
# most six actions on a card; a card is kept under these, with room for the activity.
MAX_CARD_BYTES = 80_000
MAX_ACTIONS = 6
_TEXT_PIECE = 8_000  # one TextBlock of a message too long for one card


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
    if message.attachment is not None:
        # A bot's file in a Teams chat needs the file-consent flow (OneDrive), which
        # this channel does not run: say so instead of dropping the file silently.
        body.append(_text(prompts.render("teams/file_elsewhere", filename=message.attachment.filename),
                          isSubtle=True))
    if message.form is not None:
        body += forms.form_body(message.form)
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
    if message.form is not None:
        text = message.text if len(message.text) <= _ECHO_LIMIT else message.text[: _ECHO_LIMIT - 1] + "…"
        content.setdefault("actions", []).append(forms.submit_action(message.form, message.title, text))
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


def size(content: dict[str, Any]) -> int:
    """A card's size as Teams counts it: its UTF-8 JSON bytes."""
    return len(json.dumps(content, ensure_ascii=False).encode("utf-8"))


def cards_for(messages: list[Message]) -> list[dict[str, Any]]:
    """Messages as few cards as Teams takes: messages without choices are grouped into
    one card (each in its own separated container) while the card stays under
    MAX_CARD_BYTES; a message with choices keeps its own card (an answer redraws that
    card alone), at most MAX_ACTIONS buttons each; a message too big for one card is
    spread over several. Nothing is dropped."""
    out: list[dict[str, Any]] = []
    grouping, current = False, 0  # whether the last card takes more; its size in bytes
    for message in messages:
        for content in _fitted(message):
            mergeable, weight = "actions" not in content, size(content)
            if grouping and mergeable and current + weight <= MAX_CARD_BYTES:
                out[-1]["body"].append({"type": "Container", "separator": True, "spacing": "Medium",
                                        "items": content["body"]})
                out[-1]["fallbackText"] += "\n\n" + content["fallbackText"]
                current += weight  # a little more than added: the envelope is counted twice
            else:
                out.append(content)
                current = weight
            grouping = mergeable
    return out


def _fitted(message: Message) -> list[dict[str, Any]]:
    """One message as one card, or several when it has too many buttons or bytes."""
    if len(message.choices) > MAX_ACTIONS:
        first = replace(message, choices=message.choices[:MAX_ACTIONS])
        rest = [replace(message, title=None, fields=[], progress=[], image=None,
                        text=prompts.render("teams/more_choices"),
                        choices=message.choices[i:i + MAX_ACTIONS])
                for i in range(MAX_ACTIONS, len(message.choices), MAX_ACTIONS)]
        return [c for m in [first, *rest] for c in _fitted(m)]
    content = card(message)
    if size(content) <= MAX_CARD_BYTES:
        return [content]
    body = [piece for element in content["body"] for piece in _pieces(element)]
    parts: list[dict[str, Any]] = []
    for element in body:
        weight = size(element)
        if parts and size(parts[-1]) + weight <= MAX_CARD_BYTES - 200:
            parts[-1]["body"].append(element)
        else:
            parts.append({**{k: v for k, v in content.items() if k != "actions"}, "body": [element],
                          "fallbackText": ""})
    for part in parts:
        part["fallbackText"] = "\n".join(e.get("text", "") for e in part["body"] if e.get("text"))[:2000]
    if "actions" in content:
        parts[-1]["actions"] = content["actions"]
    return parts


def _pieces(element: dict[str, Any]) -> list[dict[str, Any]]:
    """A TextBlock too long for a card as several, cut at line or word boundaries."""
    text = element.get("text")
    if element.get("type") != "TextBlock" or not isinstance(text, str) or len(text) <= _TEXT_PIECE:
        return [element]
    pieces, rest = [], text
    while len(rest) > _TEXT_PIECE:
        cut = max(rest.rfind("\n", 0, _TEXT_PIECE), rest.rfind(" ", 0, _TEXT_PIECE))
        cut = cut if cut > _TEXT_PIECE // 4 else _TEXT_PIECE
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ")
    return [{**element, "text": piece} for piece in [*pieces, rest] if piece]
