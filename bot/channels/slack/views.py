"""Slack views: the App Home tab and the check-in modal, from neutral messages,
within a view's limit of 100 blocks (blocks.py draws each message)."""

from __future__ import annotations

import json
from typing import Any

import prompts
from bot.channels.slack.blocks import (
    FORM_ACTION,
    FORM_BLOCK,
    FORM_CALLBACK,
    FORM_INPUT,
    MAX_BUTTON_TEXT,
    MAX_OPTION_TEXT,
    MAX_OPTIONS,
    MAX_VIEW_BLOCKS,
    Block,
    message_blocks,
    mrkdwn,
    plain_object,
    sections,
)
from bot.core.messages import Message


def _view_blocks(messages: list[Message], limit: int) -> list[Block]:
    blocks: list[Block] = []
    for message in messages:
        part = message_blocks(message, with_image_note=True)
        if blocks and part:
            blocks.append({"type": "divider"})
        blocks += part
    if len(blocks) > limit:
        more = {"type": "context", "elements": [
            {"type": "mrkdwn", "text": mrkdwn(prompts.render("slack/more"))}
        ]}
        blocks = blocks[: limit - 1] + [more]
    return blocks


def home_view(messages: list[Message], form_label: str | None = None) -> dict[str, Any]:
    """The App Home tab: the neutral home messages, with a button to check in by form."""
    blocks: list[Block] = []
    if form_label:
        blocks.append({"type": "actions", "block_id": "coachbot_home_actions", "elements": [{
            "type": "button", "text": plain_object(form_label, MAX_BUTTON_TEXT), "style": "primary",
            "action_id": FORM_ACTION, "value": "/okr checkin",
        }]})
    return {"type": "home", "blocks": blocks + _view_blocks(messages, MAX_VIEW_BLOCKS - len(blocks))}


def form_view(messages: list[Message], metadata: dict[str, Any]) -> dict[str, Any]:
    """A conversation turn as a modal: what the coach said, and one answer field — a
    list of the offered choices when there are some, free text otherwise."""
    asking = next((m for m in reversed(messages) if m.choices), None)
    shown = [Message(m.text, m.title, m.fields, m.progress, [], m.image) for m in messages]
    blocks = _view_blocks(shown, MAX_VIEW_BLOCKS - 1)
    if asking is not None:
        element: Block = {
            "type": "static_select", "action_id": FORM_INPUT,
            "placeholder": plain_object(prompts.render("slack/form_pick"), MAX_OPTION_TEXT),
            "options": [
                {"text": plain_object(c.label, MAX_OPTION_TEXT), "value": c.value[:150]}
                for c in asking.choices[:MAX_OPTIONS]
            ],
        }
    else:
        element = {"type": "plain_text_input", "action_id": FORM_INPUT, "multiline": True}
    blocks.append({
        "type": "input", "block_id": FORM_BLOCK, "optional": True,
        "label": plain_object(prompts.render("slack/form_answer"), 2000), "element": element,
    })
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain_object(prompts.render("slack/form_title"), 24),
        "submit": plain_object(prompts.render("slack/form_submit"), 24),
        "close": plain_object(prompts.render("slack/form_close"), 24),
        "private_metadata": json.dumps(metadata)[:3000],
        "blocks": blocks,
    }


def loading_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain_object(prompts.render("slack/form_title"), 24),
        "blocks": sections(prompts.render("slack/form_loading")),
    }
