"""Finding the one person a typed mention, e-mail, handle or name points at. Pure:
the caller hands in the organisation's directory."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_EMAIL = re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")


def find_person(raw: str, people: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The one person a mention, e-mail, handle or name points at; None if none or
    several (an ambiguous "@sam" is asked again rather than guessed).

    Mentions arrive in the neutral form every channel produces before text reaches
    the core: "@" plus the person's e-mail when the platform named someone coachbot
    knows, else "@" plus the platform's label (a display name or user id). No
    platform syntax (`<@U…>`, `<at>…</at>`) is read here.
    """
    text_ = raw.strip()
    if (m := _EMAIL.search(text_)) is not None:
        hits = [p for p in people if str(p.get("email", "")).lower() == m.group(0).lower()]
        return hits[0] if len(hits) == 1 else None
    word = text_.lstrip("@").strip().lower()
    if not word:
        return None
    for match in (
        lambda p: str(p.get("name", "")).lower() == word,
        lambda p: str(p.get("email", "")).split("@")[0].lower() == word,
        lambda p: word in (h.lower() for h in p.get("handles") or ()),
        lambda p: str(p.get("name", "")).lower().split()[0:1] == [word],
    ):
        hits = [p for p in people if match(p)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return None
    return None
