"""Finding the one person a typed mention, e-mail, handle or name points at. Pure:
the caller hands in the organisation's directory."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

EMAIL = re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")  # also the form a lead's e-mail is read in
_LOCAL = re.compile(r"[\w.+\-']")  # a character of EMAIL's local part


# What prints nothing: format characters (Cf: bidi embeddings, overrides and isolates,
# zero-width space, word joiner, soft hyphen, direction marks, byte-order mark …),
# controls, private-use and lone surrogates, line and paragraph separators.
_HIDDEN = frozenset({"Cf", "Cc", "Co", "Cs", "Zl", "Zp"})
# In a name: the joiners (spelling in Persian and the Indic scripts, and the glue of
# emoji sequences such as 👩‍💻) and the tag characters of flag emoji.
_NAME_FORMAT = frozenset("\u200c\u200d") | {chr(c) for c in range(0xE0020, 0xE0080)}


def hidden_character(text: str, in_name: bool = False) -> tuple[int, str] | None:
    """(0-based position, character) of the first character in `text` that prints
    nothing, or None. An e-mail or a chat id with one is a different address from the
    one that reads the same (it never matches the person's Slack or Teams e-mail: a
    ghost); a name with a bidi override can show the text around it reversed. With
    `in_name`, the joiners and flag tags are letters, not hidden."""
    if text.isascii():
        return next(((i, c) for i, c in enumerate(text) if not c.isprintable()), None)
    for i, c in enumerate(text):
        if unicodedata.category(c) in _HIDDEN and not (in_name and c in _NAME_FORMAT):
            return i, c
    return None


def find_email(text: str) -> re.Match[str] | None:
    """The first e-mail address in `text` (its match: span and text, the whole address
    however long, so a length check sees it), matched from the start of the word
    before each "@": the pattern searched alone tries every start in a long run of
    word characters, and 40,000 of them took 2.5 s, twice per `/okr status …` and
    again in a lead's line."""
    at = text.find("@")
    while at >= 0:
        start = at
        while start > 0 and _LOCAL.match(text[start - 1]):  # the whole local part, however long
            start -= 1
        if (m := EMAIL.match(text, start)) is not None and m.end() > at:
            return m
        at = text.find("@", at + 1)
    return None


def find_person(raw: str, people: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The one person a mention, e-mail, handle or name points at; None if none or
    several (an ambiguous "@sam" is asked again rather than guessed).

    Mentions arrive in the neutral form every channel produces before text reaches
    the core: "@" plus the person's e-mail when the platform named someone coachbot
    knows, else "@" plus the platform's label (a display name or user id). No
    platform syntax (`<@U…>`, `<at>…</at>`) is read here.
    """
    text_ = raw.strip()
    if (email := find_email(text_)) is not None:
        hits = [p for p in people if str(p.get("email", "")).lower() == email.group(0).lower()]
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
