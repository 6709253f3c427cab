"""Answer parsers for flow questions: text in, a clean value or a named problem out.

Pure functions, no I/O and no clock: the date validator is given the person's time
zone and their "today", so a test (or a rep in Kolkata answering at 1 a.m. UTC) gets
the same answer every time. A validator never raises on bad input; it returns
`Invalid(code, details)` and the flow's retry template turns the code into a friendly
re-ask with an example.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from conversations.amounts import SYMBOLS, find_currency, parse_amount, parse_number_text
from conversations.dates import parse_date


@dataclass(frozen=True)
class Valid:
    """A parsed answer, JSON-serialisable so it can live in the stored state."""

    value: Any


@dataclass(frozen=True)
class Invalid:
    """Why an answer was refused: a code the retry template knows, plus details."""

    code: str
    details: dict[str, Any] = field(default_factory=dict)


Result = Valid | Invalid


@dataclass(frozen=True)
class Env:
    """What validators may know about the world, handed in by the caller.

    `people` is the organisation's directory for the person validator:
    dicts with id, name, email and handles (platform user ids).
    """

    today: date
    timezone: str = "UTC"
    people: Sequence[Mapping[str, Any]] = ()


Validator = Callable[..., Result]

def _bounded(value: float, minimum: float | None, maximum: float | None,
             shown: Callable[[float], Any] = lambda v: v) -> Result | None:
    if minimum is not None and value < minimum:
        return Invalid("too_small", {"min": shown(minimum), "value": shown(value)})
    if maximum is not None and value > maximum:
        return Invalid("too_large", {"max": shown(maximum), "value": shown(value)})
    return None


def integer(raw: str, env: Env, *, min: float | None = None, max: float | None = None) -> Result:  # noqa: A002
    """A whole number: "12", "1,200", "12 deals"."""
    value = parse_number_text(raw)
    if value is None:
        return Invalid("not_a_number")
    if not float(value).is_integer():
        return Invalid("not_whole", {"value": value})
    return _bounded(value, min, max) or Valid(int(value))


def number(raw: str, env: Env, *, min: float | None = None, max: float | None = None) -> Result:  # noqa: A002
    """Any number: "3.5", "1 200,5", "2k"."""
    value = parse_number_text(raw)
    if value is None:
        return Invalid("not_a_number")
    return _bounded(value, min, max) or Valid(value)


def money(raw: str, env: Env, *, min: float | None = 0) -> Result:  # noqa: A002
    """An amount with an optional currency: "$250k", "1.2M", "250 000 EUR"."""
    code, plain = find_currency(raw)
    value = parse_number_text(plain)
    if value is None:
        return Invalid("not_money")
    if min is not None and value < min:
        return Invalid("too_small", {"min": min, "value": value})
    symbol = SYMBOLS.get(code, f"{code} ") if code else "$"
    return Valid({"amount": value, "currency": code, "symbol": symbol})


def percentage(raw: str, env: Env, *, min: float | None = 0, max: float | None = 100) -> Result:  # noqa: A002
    """"15%" or "15" -> 0.15. A bare "0.25" is ambiguous (a quarter of a percent, or a
    quarter?), so it is asked again rather than guessed."""
    value = parse_number_text(raw)
    if value is None:
        return Invalid("not_a_percentage")
    if "%" not in raw and "percent" not in raw.lower() and 0 < value < 1:
        return Invalid("ambiguous_fraction", {"as_percent": round(value * 100, 2)})
    return _bounded(value, min, max) or Valid(value / 100)


def date_answer(raw: str, env: Env, *, future: bool = False) -> Result:
    """A date, returned as an ISO string so the state stays JSON."""
    found = parse_date(raw, env.today, env.timezone)
    if found is None:
        return Invalid("not_a_date")
    if future and found < env.today:
        return Invalid("in_the_past", {"date": found.isoformat()})
    return Valid(found.isoformat())


# --- words -----------------------------------------------------------------------------

_YES = {"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "of course", "definitely", "ja",
        "true", "absolutely", "please", "yes please"}
_NO = {"no", "n", "nope", "nah", "not really", "no thanks", "false", "nej", "nei", "not yet"}


def yesno(raw: str, env: Env) -> Result:
    """Yes or no, in the ways people type them."""
    word = raw.strip().lower().rstrip(".!")
    if word in _YES:
        return Valid("yes")
    if word in _NO:
        return Valid("no")
    return Invalid("not_yes_no")


_DATE_WORD = re.compile(r"\b(?:by|before|until|till|in|on|due)\s+", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+(?P<start>[^\s]+(?:\s*[kmb%])?)\s+to\s+(?P<target>.+)$", re.IGNORECASE)


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def choice(raw: str, env: Env, *, choices: Sequence[str] = ()) -> Result:
    """One of the offered values: by value, by its number, or by the start of it."""
    word = _key(raw)
    if word.isdigit() and 1 <= int(word) <= len(choices):
        return Valid(choices[int(word) - 1])
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


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


def items(raw: str, env: Env, *, max_items: int | None = None, min_items: int = 1,
          max_length: int = 300) -> Result:
    """A short list: one item per line, or separated by ";", bullets and numbers ignored."""
    parts = re.split(r"\n|;", raw)
    found = [_BULLET.sub("", p).strip() for p in parts]
    found = [p for p in found if p]
    if len(found) < min_items:
        return Invalid("too_few", {"min_items": min_items, "count": len(found)})
    if max_items is not None and len(found) > max_items:
        return Invalid("too_many", {"max_items": max_items, "count": len(found)})
    long = [p for p in found if len(p) > max_length]
    if long:
        return Invalid("too_long", {"max_length": max_length, "length": len(long[0])})
    return Valid(found)


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


def person(raw: str, env: Env) -> Result:
    """Someone in the organisation, by mention, e-mail, handle or name."""
    if not raw.strip():
        return Invalid("not_a_person")
    found = find_person(raw, env.people)
    if found is None:
        return Invalid("unknown_person", {"given": raw.strip()})
    return Valid({"id": found["id"], "name": found["name"], "email": found["email"]})


def _due_date(statement: str, env: Env) -> tuple[str, str | None]:
    """Split "... by end of Q2" into ("...", "2027-06-30"); the last date phrase wins."""
    for hint in list(_DATE_WORD.finditer(statement))[::-1][:3]:
        when = parse_date(statement[hint.end():], env.today, env.timezone)
        if when is not None:
            return statement[: hint.start()], when.isoformat()
    return statement, None


def measurable(raw: str, env: Env, *, max_length: int = 300) -> Result:
    """A key result people can check: it must hold a number ("how will we know?").

    The number is the target ("from 20% to 25%" takes 25 and remembers 20 as the
    start), the word after it the unit; a trailing "by March 31" / "by end of Q2" is
    the due date, or None when missing, so the flow can ask "by when?".
    """
    checked = text(raw, env, max_length=max_length, min_length=3)
    if isinstance(checked, Invalid):
        return checked
    statement = checked.value
    body, due = _due_date(statement, env)
    start: float | None = None
    span = _FROM_TO.search(body)
    if span is not None and (to := parse_amount(span.group("target"))) is not None:
        begin = parse_amount(span.group("start"))
        start = begin[0] if begin is not None else None
        found: tuple[float, str] | None = to
    else:
        found = parse_amount(body)
    if found is None:
        return Invalid("not_measurable", {"has_date": due is not None})
    target, unit = found
    return Valid({"text": statement, "target": target, "start": start, "unit": unit, "due": due})


MAX_INPUT = 4000  # no answer needs more; keeps every parser fast

VALIDATORS: dict[str, Validator] = {
    "integer": integer,
    "number": number,
    "money": money,
    "percentage": percentage,
    "date": date_answer,
    "choice": choice,
    "yesno": yesno,
    "text": text,
    "list": items,
    "person": person,
    "measurable": measurable,
}


def validate(name: str, raw: str, env: Env, options: Mapping[str, Any] | None = None) -> Result:
    """Run validator `name`; any surprise inside a parser becomes a re-ask, not a crash."""
    if len(raw) > MAX_INPUT:
        return Invalid("too_long", {"max_length": MAX_INPUT, "length": len(raw)})
    try:
        return VALIDATORS[name](raw, env, **dict(options or {}))
    except (ValueError, OverflowError, ArithmeticError):
        return Invalid("unreadable")
