"""Answer parsers for flow questions: text in, a clean value or a named problem out.

Pure functions, no I/O and no clock: the date validator is given the person's time
zone and their "today", so a test (or a rep in Kolkata answering at 1 a.m. UTC) gets
the same answer every time. A validator never raises on bad input; it returns
`Invalid(code, details)` and the flow's retry template turns the code into a friendly
re-ask with an example.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any


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

# --- numbers -------------------------------------------------------------------------

_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6,
          "b": 1e9, "bn": 1e9, "billion": 1e9}
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d[\d\s,.'\u00a0\u202f]*\d|\d)\s*(?P<scale>k|thousand|mm|mn|million|m|bn|billion|b)?\b",
    re.IGNORECASE,
)


def parse_number_text(raw: str) -> float | None:
    """"1,234.5" / "1 234,5" / "1.234.567" / "2k" -> float; None if no number.

    Thousands separators are recognised by position: a separator followed by exactly
    three digits, repeated, is grouping; a single "," or "." followed by one or two
    digits (or any other count than three) is the decimal mark.
    """
    match = _NUMBER.search(raw)
    if match is None:
        return None
    value = _to_float(match.group("num"))
    if value is None:
        return None
    scale = match.group("scale")
    if scale:
        value *= _SCALE[scale.lower()]
    if re.match(r"^\s*[-\u2212]\s*\S?$", raw[: match.start()] + "x"):
        value = -value  # "-5%": a minus right before the first number
    return value


def _to_float(token: str) -> float | None:
    token = re.sub(r"[\s'\u00a0\u202f]", "", token)
    sign = 1.0
    separators = [c for c in token if c in ",."]
    if not separators:
        return sign * float(token)
    last = max(token.rfind(","), token.rfind("."))
    tail = token[last + 1 :]
    if len(set(separators)) == 2:
        # both kinds: the last one is the decimal mark
        whole = re.sub(r"[,.]", "", token[:last])
        return sign * float(f"{whole}.{tail}")
    groups = re.split(r"[,.]", token)
    leading_zero = groups[0].startswith("0")  # "0.250" is a decimal: no number starts with a 0 group
    if len(separators) > 1 or (len(tail) == 3 and len(groups[0]) <= 3 and not leading_zero):
        if all(len(g) == 3 for g in groups[1:]):
            return sign * float("".join(groups))
        return None
    return sign * float(f"{token[:last]}.{tail}")


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


CURRENCIES = {
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "₹": "INR", "inr": "INR", "rupees": "INR",
    "nok": "NOK", "sek": "SEK", "dkk": "DKK", "chf": "CHF", "kr": "NOK",
    "cad": "CAD", "aud": "AUD", "jpy": "JPY", "¥": "JPY",
}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥"}
_CURRENCY = re.compile(r"[$€£₹¥]|\b(" + "|".join(k for k in CURRENCIES if k.isalpha()) + r")\b",
                       re.IGNORECASE)


def money(raw: str, env: Env, *, min: float | None = 0) -> Result:  # noqa: A002
    """An amount with an optional currency: "$250k", "1.2M", "250 000 EUR"."""
    found = _CURRENCY.search(raw)
    code = CURRENCIES[found.group(0).lower()] if found else None
    text = _CURRENCY.sub(" ", raw)
    value = parse_number_text(text)
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


# --- dates ---------------------------------------------------------------------------

MAX_DATE_TEXT = 60  # longer is a sentence, not a date (and would make dateparser slow)
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_END_OF = re.compile(r"^(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?)?(?P<what>q[1-4]|quarter|month|year|week)"
                     r"(?:\s+(?P<year>\d{4}))?$", re.IGNORECASE)
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})\s*[/.\-]\s*(?P<b>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{2,4}))?\.?$")


def month_first(timezone: str) -> bool:
    """Whether people in this zone write 3/31 rather than 31/3 (the Americas)."""
    return timezone.startswith("America/") or timezone.startswith("US/")


def _end_of(what: str, year: str | None, today: date) -> date:
    what = what.lower()
    if what == "week":
        return today + timedelta(days=4 - today.weekday() if today.weekday() <= 4 else 11 - today.weekday())
    if what == "month":
        return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    if what == "year":
        return date(int(year) if year else today.year, 12, 31)
    quarter = (today.month - 1) // 3 + 1 if what == "quarter" else int(what[1])
    month, day = _QUARTER_END[quarter]
    candidate = date(int(year) if year else today.year, month, day)
    if year is None and candidate < today:
        candidate = date(today.year + 1, month, day)
    return candidate


def _numeric(match: re.Match[str], today: date, timezone: str) -> date | None:
    a, b = int(match.group("a")), int(match.group("b"))
    if a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a or month_first(timezone):
        month, day = a, b
    else:
        day, month = a, b
    year_text = match.group("y")
    year = today.year if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if year_text is None and found < today:
        try:
            found = date(year + 1, month, day)
        except ValueError:  # 29 February
            return None
    return found


def parse_date(raw: str, today: date, timezone: str = "UTC") -> date | None:
    """A day in the person's calendar: "March 31", "31/3", "next Friday", "end of Q1".

    Without a year, a day that has passed means next year's (nobody plans for last
    March). Numeric days follow the person's habit (3/31 in the Americas, 31/3
    elsewhere) unless one part is over 12, which settles it.
    """
    text = raw.strip().rstrip("!?")
    if not text or text.isdigit() or len(text) > MAX_DATE_TEXT:
        return None
    if (m := _END_OF.match(text)) is not None and (
        m.group("what").lower().startswith("q") or text.lower().startswith(("end", "close", "the"))
    ):
        return _end_of(m.group("what"), m.group("year"), today)
    if (m := _NUMERIC.match(text)) is not None:
        return _numeric(m, today, timezone)
    import dateparser  # heavy import; only dates that need it pay for it

    settings: dict[str, Any] = {
        "RELATIVE_BASE": datetime.combine(today, time(12)),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "MDY" if month_first(timezone) else "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return parsed.date() if parsed is not None else None


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


_MENTION = re.compile(r"<@(?P<id>[A-Z0-9]+)(?:\|[^>]*)?>|<at>(?P<at>[^<]+)</at>")
_EMAIL = re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")


def find_person(raw: str, people: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The one person a mention, e-mail, handle or name points at; None if none or
    several (an ambiguous "@sam" is asked again rather than guessed)."""
    text_ = raw.strip()
    if (m := _MENTION.search(text_)) is not None:
        if m.group("id"):
            hits = [p for p in people if m.group("id") in (p.get("handles") or ())]
            return hits[0] if len(hits) == 1 else None
        text_ = m.group("at")
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


_UNIT = re.compile(r"^\s*(?:(?:new|more|additional|extra|qualified|net|big)\s+)?(%|percent\b|[a-z][\w\-]*)",
                   re.IGNORECASE)
_NOT_UNITS = {"in", "of", "a", "an", "the", "per", "by", "to", "and", "or", "for", "on", "at", "with"}
_AIM = re.compile(r"\b(?:to|by|reach|hit|at least|over)\s*$", re.IGNORECASE)
_DATE_WORD = re.compile(r"\b(?:by|before|until|till|in|on|due)\s+", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+(?P<start>[^\s]+(?:\s*[kmb%])?)\s+to\s+(?P<target>.+)$", re.IGNORECASE)


def _due_date(statement: str, env: Env) -> tuple[str, str | None]:
    """Split "... by end of Q2" into ("...", "2027-06-30"); the last date phrase wins."""
    for hint in list(_DATE_WORD.finditer(statement))[::-1][:3]:
        when = parse_date(statement[hint.end():], env.today, env.timezone)
        if when is not None:
            return statement[: hint.start()], when.isoformat()
    return statement, None


def _amount(body: str) -> tuple[float, str] | None:
    """The first number in `body` with its unit ("12 logos", "$250k", "25%")."""
    currency = _CURRENCY.search(body)
    plain = _CURRENCY.sub(" ", body) if currency else body
    matches = list(_NUMBER.finditer(plain))
    if not matches:
        return None
    aimed = [m for m in matches if _AIM.search(plain[: m.start()])]
    match = aimed[-1] if aimed else matches[0]
    value = _to_float(match.group("num"))
    if value is None:
        return None
    if match.group("scale"):
        value *= _SCALE[match.group("scale").lower()]
    after = plain[match.end():]
    if currency is not None:
        unit = CURRENCIES[currency.group(0).lower()]
    elif after.lstrip().startswith("%"):
        unit = "%"
    elif (u := _UNIT.match(after)) is not None and u.group(1).lower() not in _NOT_UNITS:
        unit = u.group(1).lower()
    else:
        unit = ""
    return value, unit[:32]


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
    if span is not None and (to := _amount(span.group("target"))) is not None:
        begin = _amount(span.group("start"))
        start = begin[0] if begin is not None else None
        found: tuple[float, str] | None = to
    else:
        found = _amount(body)
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
