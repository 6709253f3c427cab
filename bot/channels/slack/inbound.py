"""Slack's message text -> the words the person typed.

Slack escapes `&`, `<` and `>` and wraps mentions, channels and links in angle
brackets (`<@U123|ravi>`, `<https://x|x>`). An answer like "R&D <3 🚀" must be
stored exactly as typed, and a mention must become something the coach can read,
so the brackets are resolved first and the three entities unescaped last.
Everything else (emoji, accents, any script) is passed through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.messages import Place

_TOKEN = re.compile(r"<([^<>]+)>")

MentionResolver = Callable[[str], Awaitable[str | None]]


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def plain_text(text: str, resolve: MentionResolver | None = None) -> str:
    """`resolve(user_id)` names a mentioned person the coach can find (their e-mail);
    None keeps Slack's label for them."""
    out: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        out.append(unescape(text[last : match.start()]))
        out.append(await _token(match.group(1), resolve))
        last = match.end()
    out.append(unescape(text[last:]))
    return "".join(out)


async def _token(inner: str, resolve: MentionResolver | None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        resolved = await resolve(user_id) if resolve is not None else None
        return f"@{resolved or unescape(label) or user_id}"
    if target.startswith("#"):
        return f"#{unescape(label) or target[1:]}"
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        return unescape(label) if label else f"@{special}"
    if target.startswith("mailto:"):  # typed addresses come as <mailto:a@b|a@b>
        address, label = unescape(target[len("mailto:") :]), unescape(label)
        return address if not label or label == address else f"{label} ({address})"
    url = unescape(target)
    label = unescape(label)
    return url if not label or label == url else f"{label} ({url})"


def shared_place(body: dict[str, Any], team: str) -> Place | None:
    """The channel a slash command was typed in, when it is a shared one (not a DM)."""
    channel = str(body.get("channel_id") or "")
    if not channel or channel.startswith("D") or body.get("channel_name") == "directmessage":
        return None
    return Place("slack", channel, team or None)
