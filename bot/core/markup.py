"""The bot's light markup, and the one place where people's words are made inert.

Templates are written in a light Markdown (`**bold**`, `[label](https://…)`) that every
channel turns into its own format. Words people typed (a rep's blockers, a key
result's title, a name) are *not* markup: echoed to a manager they must never become
a link, formatting, or a Slack notification (`<!channel>`, `<@U…>`).

So there is one rule, applied in one place: text that did not come out of a template
is plain, and is made `inert` before it reaches a message: every character our markup
or a channel's markup could read is backslash-escaped (CommonMark's own escapes).
`prompts.render` does this for every value it interpolates (its output is `Rendered`:
plain text as a string, for the command line, with its `.markup` for messages), and
`Message`, `Field` and `Progress` do it for any plain string they are given, keeping
the markup of rendered text. Channels then read escapes as literal characters:

- Adaptive Cards (Teams) read CommonMark escapes natively;
- Slack has no escapes: `shielded` hides them while the markup is converted, and the
  channel writes each escaped character as a literal (`&lt;` for `<`, a zero-width
  space after `*`, `_`, `~`, `` ` `` so they cannot pair into formatting);
- plain renderings (the terminal, fallbacks, notification text) use `plain`.

It also strips NUL and other control characters, which are never part of chat text
(PostgreSQL refuses NUL in text columns, so one would make an answer unsaveable), and
the invisible characters that make stored words read differently from what they
are: the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069; an override can show "evil.exe" as "exe.live", the Trojan Source
trick, CVE-2021-42574) and the zero-width characters (U+200B zero-width space,
U+2060 word joiner, U+FEFF byte-order mark) that make "Jane Roe" and "Jane Roe" two
different names. The zero-width joiner and non-joiner (U+200D, U+200C) are spelling
in some scripts — Persian, the Indic scripts — and glue emoji sequences (👩‍💻), so
they stay after a non-Latin letter, a combining mark or a symbol, when a character
follows; anywhere else (inside Latin words, at the ends, next to spaces) they go.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Characters escaped in plain text: CommonMark's markup, Slack's `<…>` and entities.
MARKS = "\\`*_[]()~<>#|!&"
# A mark already escaped stays as it is, so that escaping twice (a template macro's
# output placed in its template) reads the same as escaping once.
_TO_ESCAPE = re.compile(r"\\([" + re.escape(MARKS) + "])|([" + re.escape(MARKS) + "])")
_ANY_MARK = re.compile("[" + re.escape(MARKS) + "]")
_ESCAPED = re.compile(r"\\([" + re.escape(MARKS) + "])")
_SHIELD = 0xF0000  # a private-use plane: never typed, never in a template
_SHIELDED = re.compile("[\U000F0000-\U000F007F]")
# C0 controls except tab and newline, DEL, C1 controls, and lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069), zero-width
# space, word joiner, byte-order mark; and the two joiners, judged by their neighbours.
# Also the private-use characters `shielded` hides escapes in: typed into a name, one
# would come out of `unshield` as an ASCII control character (ESC, BEL, NUL).
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\U000F0000-\U000F007F]")
_JOINER = re.compile("[\u200c\u200d]")


class Marked(str):
    """Text in our light markup, with people's words already escaped: placed in a
    message or another template unchanged."""

    __slots__ = ()


class Rendered(str):
    """A template's output. As a string it reads as plain text (what the command line
    prints, what tests compare); `.markup` is the same text in our light markup, with
    the interpolated values escaped, which is what messages carry."""

    markup: Marked

    def __new__(cls, marked: str) -> Rendered:
        made = super().__new__(cls, plain(marked))
        made.markup = Marked(marked)
        return made


def _joins(text: str, at: int) -> bool:
    """Whether the joiner at `at` joins something: a following character, and before
    it a non-ASCII letter, a mark, a symbol (emoji, skin tone) or a variation selector."""
    if at == 0 or at + 1 >= len(text) or text[at + 1].isspace() or _JOINER.match(text, at + 1):
        return False
    before = text[at - 1]
    kind = unicodedata.category(before)
    return (kind.startswith("L") and not before.isascii()) or kind[0] in "MS" or before == "\ufe0f"


def clean(text: str) -> str:
    """Chat text without NUL and other control characters (tab and newline stay;
    a carriage return becomes a newline), bidi overrides and isolates, zero-width
    characters that join nothing (see the module's docstring), and the private-use
    characters U+F0000–U+F007F that `shielded` uses."""
    text = _INVISIBLE.sub("", _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    if "\u200c" not in text and "\u200d" not in text:
        return text
    return _JOINER.sub(lambda m: m.group() if _joins(text, m.start()) else "", text)


def inert(text: str) -> Marked:
    """Text as markup: template output (`Rendered`) as the markup it is, markup as it
    is, and any other string (people's words) escaped, so that it is shown as typed
    and never read as a link, formatting or a mention."""
    if isinstance(text, Rendered):
        return text.markup
    if isinstance(text, Marked):
        return text
    text = clean(text)
    if _ANY_MARK.search(text) is None:  # most names and words: nothing to escape
        return Marked(text)
    return Marked(_TO_ESCAPE.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text))


def shielded(text: str) -> str:
    """Escaped characters hidden from markup parsers (see `unshield`)."""
    return _ESCAPED.sub(lambda m: chr(_SHIELD + ord(m.group(1))), text)


def unshield(text: str, literal: Callable[[str], str] = lambda c: c) -> str:
    """Put shielded characters back, each written by `literal` (a channel's way to
    show that character as itself)."""
    return _SHIELDED.sub(lambda m: literal(chr(ord(m.group()) - _SHIELD)), text)


def plain(text: str) -> str:
    """Markup with its escapes resolved: what the words say, for plain renderings."""
    return unshield(shielded(text))
