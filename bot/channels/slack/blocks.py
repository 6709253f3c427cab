"""Neutral messages -> Block Kit, within Slack's size limits.

Slack refuses (or silently truncates) payloads past its limits: 50 blocks per
message, 100 per view, 3000 characters in a section, 10 fields of 2000 characters,
25 buttons per actions block, 75 characters on a button, 150 in a header. A long
brief or a big team's scorecard must arrive whole, so everything here is cut at
those limits and spread over several messages instead of being dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import prompts
from bot.core import markup
from bot.core.messages import Choice, Message, text_bar

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_BUTTONS = 25
MAX_BUTTON_TEXT = 75
MAX_HEADER = 150
MAX_FALLBACK = 3000
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_VALUE = 2000
# Slack accepts up to 40,000 characters of text per message but truncates and slows
# clients long before; a message of at most this many characters of blocks is read.
MAX_POST_CHARS = 12_000

CHOICE_ACTION = "coachbot_choice"
FORM_ACTION = "coachbot_form_open"
FORM_CALLBACK = "coachbot_form"
FORM_BLOCK = "coachbot_answer"
FORM_INPUT = "answer"

ZWSP = "\u200b"
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


@dataclass
class Post:
    """One Slack message: `text` is the notification/fallback, `blocks` what is shown."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def escape(text: str) -> str:
    """Slack's three control characters; everything else (emoji, any script) passes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def literal(char: str) -> str:
    """One escaped character of people's words, as Slack shows it as itself: its
    entity for `&<>`, and a zero-width space after a formatting mark so it cannot
    pair into bold, italics, strike-through or code (mrkdwn has no escapes)."""
    if char in "&<>":
        return escape(char)
    return char + ZWSP if char in "*_~`" else char


def mrkdwn(text: str) -> str:
    """Our templates' light Markdown -> Slack mrkdwn (**bold** -> *bold*, links);
    escaped characters (people's words, see bot.core.markup) stay literal."""
    text = escape(markup.shielded(text))
    text = _BOLD.sub(r"*\1*", text)
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
    return markup.unshield(text, literal)


def notification(text: str) -> str:
    """The plain `text` of a message (notifications, screen readers, old clients):
    Slack reads `<!channel>` and `<@U…>` there too, so it is escaped as well."""
    return escape(markup.plain(markup.inert(text)))


def chunks(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters, at the gentlest boundary
    available (paragraph, line, word, else anywhere), losing nothing."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = 0
        for boundary in ("\n\n", "\n", " "):
            found = window.rfind(boundary)
            if found > limit // 4:
                cut = found
                break
        if cut <= 0:
            cut = limit
            pieces.append(rest[:cut])
            rest = rest[cut:]
        else:
            pieces.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def plain_object(text: str, limit: int) -> dict[str, Any]:
    text = markup.plain(markup.inert(text))  # plain_text shows characters as they are
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def sections(text: str) -> list[Block]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in chunks(mrkdwn(text), MAX_SECTION)
        if piece.strip()
    ]


def _title(title: str) -> list[Block]:
    if len(title) <= MAX_HEADER:
        return [{"type": "header", "text": plain_object(title, MAX_HEADER)}]
    return sections(f"**{title}**")


def _fields(message: Message) -> list[Block]:
    texts = [
        piece
        for f in message.fields
        for piece in chunks(f"*{mrkdwn(f.label)}*\n{mrkdwn(f.value)}", MAX_FIELD)
    ]
    return [
        {"type": "section", "fields": [{"type": "mrkdwn", "text": t} for t in texts[i : i + MAX_FIELDS]]}
        for i in range(0, len(texts), MAX_FIELDS)
    ]


def _progress(message: Message) -> list[Block]:
    lines = []
    for bar in message.progress:
        caption = f"  {mrkdwn(bar.caption)}" if bar.caption else ""
        lines.append(f"*{mrkdwn(bar.label)}*\n`{text_bar(bar.ratio)}`{caption}")
    if not lines:
        return []
    packed: list[str] = []
    for line in lines:
        for piece in chunks(line, MAX_SECTION):
            if packed and len(packed[-1]) + 1 + len(piece) <= MAX_SECTION:
                packed[-1] += "\n" + piece
            else:
                packed.append(piece)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in packed]


def button(choice: Choice, index: int) -> Block:
    element: Block = {
        "type": "button",
        "text": plain_object(choice.label, MAX_BUTTON_TEXT),
        "value": choice.value[:MAX_VALUE],
        "action_id": f"{CHOICE_ACTION}:{index}",
    }
    if choice.style != "default":
        element["style"] = choice.style
    return element


def _choices(message: Message) -> list[Block]:
    buttons = [button(c, i) for i, c in enumerate(message.choices)]
    return [
        {"type": "actions", "block_id": f"coachbot_choices_{i // MAX_BUTTONS}",
         "elements": buttons[i : i + MAX_BUTTONS]}
        for i in range(0, len(buttons), MAX_BUTTONS)
    ]


def _image_note(message: Message) -> list[Block]:
    """Where a picture cannot be uploaded (ephemeral, home tab) its words stand in."""
    if message.image is None:
        return []
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(message.image.alt)}]}]


def message_blocks(message: Message, *, with_image_note: bool = False) -> list[Block]:
    blocks: list[Block] = []
    if message.title:
        blocks += _title(message.title)
    if message.text:
        blocks += sections(message.text)
    blocks += _fields(message) + _progress(message)
    if with_image_note:
        blocks += _image_note(message)
    blocks += _choices(message)
    if message.form is not None:  # a button that opens the form as a modal (forms.py)
        blocks.append({"type": "actions", "block_id": "coachbot_form", "elements": [{
            "type": "button", "text": plain_object(message.form.button, MAX_BUTTON_TEXT), "style": "primary",
            "action_id": FORM_ACTION, "value": message.form.opener[:MAX_VALUE]}]})
    return blocks


def image_block(file_id: str, alt: str) -> Block:
    """A chart uploaded to Slack, shown inside a message (Block Kit `slack_file`)."""
    return {"type": "image", "slack_file": {"id": file_id}, "alt_text": alt[:2000] or "chart"}


def channel_posts(message: Message, file_id: str | None = None) -> list[Post]:
    """A message for a shared channel: its blocks with the uploaded chart inside (after
    the words), split so each Slack message keeps to 50 blocks."""
    blocks = message_blocks(message, with_image_note=file_id is None)
    if file_id is not None and message.image is not None:
        at = next((i for i, b in enumerate(blocks) if b.get("type") == "actions"), len(blocks))
        blocks.insert(at, image_block(file_id, message.image.alt))
    return _split(blocks, fallback(message), MAX_BLOCKS)


def fallback(message: Message) -> str:
    text = escape(message.plain() or (message.image.alt if message.image else ""))
    return text if len(text) <= MAX_FALLBACK else text[: MAX_FALLBACK - 1] + "…"


def _split(blocks: list[Block], text: str, limit: int) -> list[Post]:
    """Blocks over `limit` go to further messages; choices stay at the very end."""
    if not blocks:
        return [Post(text=text)]
    parts: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        weight = len(json.dumps(block, ensure_ascii=False))
        if parts[-1] and (len(parts[-1]) >= limit or size + weight > MAX_POST_CHARS):
            parts.append([])
            size = 0
        parts[-1].append(block)
        size += weight
    return [Post(text=text if i == 0 else _first_text(part, text), blocks=part)
            for i, part in enumerate(parts)]


def _first_text(blocks: list[Block], default: str) -> str:
    for block in blocks:
        found = block.get("text", {}).get("text")
        if found:
            return str(found)[:MAX_FALLBACK]
    return default


def posts(message: Message, *, with_image_note: bool = False) -> list[Post]:
    """One neutral message as one or more Slack messages (images are sent apart)."""
    blocks = message_blocks(message, with_image_note=with_image_note)
    if not blocks and message.image is not None:
        return []
    return _split(blocks, fallback(message), MAX_BLOCKS)


def combined(messages: Iterable[Message]) -> list[Post]:
    """Several messages in as few Slack messages as possible (a response_url may be
    used only a few times), separated by dividers."""
    blocks: list[Block] = []
    texts: list[str] = []
    for message in messages:
        part = message_blocks(message, with_image_note=True)
        if blocks and part:
            blocks.append({"type": "divider"})
        blocks += part
        texts.append(fallback(message))
    text = "\n".join(t for t in texts if t)[:MAX_FALLBACK]
    return _split(blocks, text, MAX_BLOCKS)


MAX_RESPONSES = 5  # Slack accepts five posts to one response_url, within 30 minutes


def responses(messages: list[Message], max_posts: int = MAX_RESPONSES) -> tuple[list[Post], list[Message]]:
    """Answers to a slash command within the posts its response_url takes: the
    messages as they are when they fit in `max_posts`; else condensed, several
    messages per section as plain text (images and buttons are never condensed);
    what still does not fit comes back as messages for the DM, and the last post
    says so. Nothing is dropped."""
    full = combined(messages)
    if len(full) <= max_posts:
        return full, []
    budget = MAX_POST_CHARS * max_posts
    while True:
        packed, overflow = _condense(messages, budget)
        if len(packed) <= max_posts:
            return packed, condensed(overflow)
        budget = budget * 9 // 10


def _condense(messages: list[Message], budget: int) -> tuple[list[Post], list[Message]]:
    """The leading messages whose plain text fits `budget` characters, packed into
    sections; the rest (from the first that does not fit, or has buttons or a picture)."""
    kept: list[Message] = []
    used = 0
    overflow: list[Message] = []
    for i, message in enumerate(messages):
        weight = len(message.plain()) + 2
        if message.choices or message.image is not None or used + weight > budget:
            overflow = messages[i:]
            break
        kept.append(message)
        used += weight
    pieces = chunks(mrkdwn("\n\n".join(m.plain() for m in kept)), MAX_SECTION)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces if p.strip()]
    if overflow:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": mrkdwn(prompts.render("slack/rest_in_dm", count=len(overflow)))}]})
    return _split(blocks, fallback(kept[0]) if kept else "", MAX_BLOCKS), overflow


def condensed(messages: list[Message]) -> list[Message]:
    """Messages for the DM with as few posts as possible: text-only ones packed
    together up to a post's size, the others (buttons, images) kept as they are."""
    out: list[Message] = []
    for message in messages:
        if message.choices or message.image is not None or message.attachment is not None:
            out.append(message)
        elif out and out[-1].key == "condensed" and len(out[-1].text) + len(message.plain()) < MAX_POST_CHARS - 500:
            out[-1].text += "\n\n" + message.plain()
        else:
            out.append(Message(message.plain(), private=message.private, key="condensed"))
    return out


def picked(blocks: list[Block], action_id: str, label: str) -> list[Block]:
    """The card after a click: the buttons give way to what was picked, so the same
    question cannot be answered twice from an old message."""
    note = {"type": "context", "elements": [
        {"type": "mrkdwn", "text": mrkdwn(prompts.render("slack/picked", label=label))}
    ]}
    out: list[Block] = []
    replaced = False
    for block in blocks:
        if block.get("type") == "actions" and block.get("block_id", "").startswith("coachbot_choices"):
            if not replaced:
                out.append(note)
                replaced = True
            continue
        out.append(block)
    if not replaced:
        out.append(note)
    return out
