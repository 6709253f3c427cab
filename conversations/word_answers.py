"""The word answers of flow questions: yes or no, one of the offered choices, free
text, a short list and a person in the organisation. Pure, no I/O; each returns
`Valid(value)` or `Invalid(code, details)` as `conversations.validators` does (whose
VALIDATORS table lists them)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from conversations.answers import Env, Invalid, Result, Valid
from conversations.locales import typed_number
from conversations.people import find_person

_YES = {"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "of course", "definitely", "ja",
        "true", "absolutely", "please", "yes please"}
_NO = {"no", "n", "nope", "nah", "not really", "no thanks", "false", "nej", "nei", "not yet"}
# "all unchanged", "no change", "the same": nothing moved, said in one answer
ALL_UNCHANGED = re.compile(r"^\s*(?:all\s+)?(?:unchanged|the\s+same|same|no\s+change[s]?)\s*[.!]?\s*$",
                           re.IGNORECASE)


def yesno(raw: str, env: Env) -> Result:
    """Yes or no, in the ways people type them, or by the number of the button (a
    yes/no question shows "1. Yes 2. No"; typed after a command's reply took the
    card away, "1" still means its Yes)."""
    word = raw.strip().lower().rstrip(".!")
    if word in _YES:
        return Valid("yes")
    if word in _NO:
        return Valid("no")
    picked = typed_number(raw)
    if picked in (1, 2):
        return Valid("yes" if picked == 1 else "no")
    return Invalid("not_yes_no")


# "that's the lot": the end of a list given one item per message, or of key results
_ENOUGH = re.compile(r"^\s*(?:done|all\s+done|i'?m\s+done|no|nope|no\s+more|none|nothing\s+(?:else|more)|"
                     r"that'?s\s+(?:all|it)|that\s+is\s+(?:all|it)|finished|enough)\s*[.!]?\s*$", re.IGNORECASE)


def enough(raw: str) -> bool:
    """True for an answer that ends a list: `done`, "no", "that's all", "nothing else"."""
    return _ENOUGH.match(raw.replace("\u2019", "'")) is not None


# the word "Another one? … or `done`" teaches; not "no" or "none", which answer yes/no
# questions and "any blockers?" (what may come right after a list)
_DONE = re.compile(r"^\s*(?:done|all\s+done|i'?m\s+done|that'?s\s+(?:all|it))\s*[.!]?\s*$", re.IGNORECASE)


def says_done(raw: str) -> bool:
    """True for `done` or "that's all": the end of a list, even before its first item
    or right after it filled up."""
    return _DONE.match(raw.replace("\u2019", "'")) is not None


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def choice(raw: str, env: Env, *, choices: Sequence[str] = (), unchanged: str | None = None) -> Result:
    """One of the offered values: by value, by its number (typed the usual ways,
    `typed_number`), or by the start of it. With `unchanged`, an answer that says
    nothing moved ("all unchanged", "no change", `ALL_UNCHANGED`) is that value (not
    offered as a button), for a flow to keep what was there."""
    if unchanged is not None and ALL_UNCHANGED.match(raw):
        return Valid(unchanged)
    word = _key(raw)
    if (picked := typed_number(raw)) is not None and 1 <= picked <= len(choices):  # "2", "2.", "(2)", "#2"
        return Valid(choices[picked - 1])
    for value in choices:
        if _key(value) == word:
            return Valid(value)
    starts = [v for v in choices if word and _key(v).startswith(word)]
    if len(starts) == 1:
        return Valid(starts[0])
    return Invalid("not_a_choice", {"choices": list(choices)})


def text(raw: str, env: Env, *, max_length: int = 1000, min_length: int = 1) -> Result:
    """Free text, trimmed, within a length."""
    value = raw.strip()
    if len(value) < min_length:
        return Invalid("too_short", {"min_length": min_length})
    if len(value) > max_length:
        return Invalid("too_long", {"max_length": max_length, "length": len(value)})
    return Valid(value)


_BULLET = re.compile(r"^\s*(?:[-*•](?![\d.,])|\d+[.)])\s*")  # "-3" is no bullet: a number below zero
# a minus right before a number that starts a word ("-3 calls", "make −3 calls"), not a
# range's dash ("3-5") nor a percentage ("-3%": a change, not a count)
_MINUS = re.compile(r"(?<![^\s(])[-−–](?=\d)(?![\d.,]*\s*%)")
_BRACKETED = re.compile(r"^\(\s*(\d[\d.,]*)\s*\)$")  # "(3)" alone: an accountant's minus


def items(raw: str, env: Env, *, max_items: int | None = None, min_items: int = 1,
          max_length: int = 300, counts: bool = False) -> Result:
    """A short list: one item per line, or separated by ";", bullets and numbers ignored
    ("-3" is a number below zero, not a bullet before 3). With `counts` (things a
    person will do: a WIG commitment), an item with a count below zero ("-3", "make
    -3 calls", "(3)") is asked again: `negative_count` with the item, the answer with
    no minus (`fixed`, items joined by "; "), whether the item is a number alone (`bare`)
    and the item without its minus (`number`). A lone "yes" ("Another one?" answered
    as a yes/no question) is `yes_not_item`: asked for the item itself."""
    parts = re.split(r"\n|;", raw)
    found = [_BULLET.sub("", p).strip() for p in parts]
    found = [p for p in found if p]
    if len(found) == 1 and found[0].lower().rstrip(".!") in _YES:  # "yes" to "Another one?": not an item
        return Invalid("yes_not_item")
    for item in found if counts else ():
        if _MINUS.search(item) or _BRACKETED.match(item):
            fixed = [_MINUS.sub("", _BRACKETED.sub(r"\1", i)) for i in found]
            alone = fixed[found.index(item)]
            return Invalid("negative_count", {"item": item, "fixed": "; ".join(fixed),
                                              "bare": re.fullmatch(r"[\d.,]+", alone) is not None, "number": alone})
    if len(found) < min_items:
        return Invalid("too_few", {"min_items": min_items, "count": len(found)})
    if max_items is not None and len(found) > max_items:
        return Invalid("too_many", {"max_items": max_items, "count": len(found)})
    long = [p for p in found if len(p) > max_length]
    if long:
        return Invalid("too_long", {"max_length": max_length, "length": len(long[0])})
    return Valid(found)


def gather(listing: Sequence[str] | None, found: Sequence[str], most: int | None) -> tuple[Result, bool]:
    """A list answer (`found`) after the items sent before it (`listing`) -> (the list so
    far, or `too_many` past `most` items; whether to ask for another). One item alone
    starts the gathering (the terminal, or a plain Enter in Slack/Teams, sends a line at
    a time); several in one message (Shift+Enter, `;`) are the whole list."""
    gathered = [*(listing or []), *found]
    if most is not None and len(gathered) > most:
        return Invalid("too_many", {"max_items": most, "count": len(gathered)}), False
    more = bool(listing or len(found) == 1) and (most is None or len(gathered) < most)
    return Valid(gathered), more


def person(raw: str, env: Env) -> Result:
    """Someone in the organisation, by mention, e-mail, handle or name."""
    if not raw.strip():
        return Invalid("not_a_person")
    found = find_person(raw, env.people)
    if found is None:
        return Invalid("unknown_person", {"given": raw.strip()})
    return Valid({"id": found["id"], "name": found["name"], "email": found["email"]})


def read_back_answer(word: str, env: Env, pending: Any, details: Mapping[str, Any]) -> Result:
    """An answer to a read-back: yes / no in words, `confirm`, or the number of its
    Yes (1) or No (2), also typed after its card went (a command's reply in between:
    the reviewer's 1 was kept as a WIG's value). A number that is the value read back
    is the value again, a yes ("2" when 2 was read back); one that is the correction a
    negative read-back invites ("1" for -1: "say no and type it without the minus")
    is a new value, neither yes nor no."""
    if word.rstrip(".!") in ("confirm", "confirmed"):
        return Valid("yes")
    picked = typed_number(word)
    if picked is not None and isinstance(pending, int | float) and not isinstance(pending, bool):
        if picked == pending:
            return Valid("yes")
        if details.get("negative") and picked == -pending:
            return Invalid("not_yes_no")
    return yesno(word, env)
