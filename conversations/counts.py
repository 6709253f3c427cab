"""Answers in a known unit: whether a word after a number is that unit, and whether
the unit counts things (logos, meetings, deals), which are never fractional.

Pure, no I/O. One rule for every place a number comes with an expected unit: the
check-in's key result value (`checkin_reading`), the flows' `integer` / `number`
validators (goal setting, the WIG session's lead and lag measures, trade-show
rehearsal) and the `/okr wig update` command. "5 weeks" for a key result counted in
logos is another unit, asked about, never read as 5 logos; "1.5 logos" is no count
and is asked again; an ambiguous "1,500" for a count is 1,500 (1.5 is no count), and
"1,5" is asked about with its whole reading (15) only.

A unit may be several words ("deals closed", "new logos", "discovery calls"): an answer
names it when it holds the unit's counted noun (its head: "deals", "logos", "calls")
and otherwise only the unit's own words or words of a thing done ("closed", "booked",
"signed", "won", "new" …): "5 deals", "5 deals closed", "2 calls" and "2 discovery
calls" all name theirs; "2 discovery" (no head) and "5 weeks" are another unit,
"5 deals bananas" has words this module does not know. Three capitals are a currency
only when babel lists them as an ISO 4217 code: "FTE", "SQL" and "NPS" are no money.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from conversations.amounts import COUNT, AmbiguousNumber, Amount, ambiguity, parse_number_text, unit_kind
from conversations.currencies import CURRENCIES
from conversations.unit_words import is_currency_code

# The things a sales team counts one by one: a key result "in logos" or "in meetings"
# is never 1.5. Any other word ("hours", "points", "FTE", "stars") may be fractional,
# so a fraction in it is taken as written: a word left out of this list costs a
# fraction accepted, never a rep's real answer refused.
_COUNTED = {"logo", "customer", "client", "account", "deal", "meeting", "call", "demo", "opportunity", "opp",
            "lead", "referral", "contract", "renewal", "visit", "email", "proposal", "order", "sale", "signup",
            "hire", "seat", "licence", "license", "user", "partner", "booking", "quote", "trial", "pilot",
            "ticket", "interview", "presentation", "appointment", "introduction", "intro", "touchpoint",
            "conversation", "upsell", "win", "prospect", "sql", "mql", "contact", "event", "workshop", "case",
            "reference", "review", "testimonial", "rep", "person", "people"}


# Words of a thing done or of which ones, that may stand beside a counted noun without
# changing what is counted: "5 deals closed" for a key result in deals.
_DONE = {"closed", "booked", "signed", "won", "held", "done", "new", "completed", "sent", "made", "scheduled",
         "run", "qualified", "net", "more", "additional", "extra", "live", "landed", "secured", "onboarded",
         "delivered", "logged", "added", "created", "generated", "sourced", "converted", "attended", "set"}
# The biggest whole number an answer may give: every whole number below it is exact
# as a float (2**53 is about 9.0e15), so "9" typed forty times is refused, not rounded.
MAX_WHOLE = 10**15 - 1


def _stem(word: str) -> str:
    word = word.lower().strip()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"  # opportunities
    return word[:-1] if word.endswith("s") and len(word) > 2 else word


def is_count_unit(unit: str | None) -> bool:
    """Whether `unit` counts whole things: one of the things a sales team counts
    ("logos", "meetings", "deals closed", "new customers"). Not a currency, "%", a measure of
    time, score or size, nor a word this module does not know. No unit at all is not
    known to be a count."""
    if not unit or unit_kind(unit) != COUNT or unit.lower() in CURRENCIES:
        return False
    return any(_stem(word) in _COUNTED for word in unit.split())  # "deals closed", "new logos"


def same_word(given: str, unit: str) -> bool:
    """"logo" for a unit "logos" (and "deals" for "deal")."""
    return bool(unit) and _stem(given) == _stem(unit)


def currency_of(unit: str) -> str | None:
    """The ISO code a stored unit names ("$" and "USD" -> "USD", "kr" -> "NOK", "CHF"),
    or None: "FTE" or "NPS" is no currency code in babel's ISO 4217 list."""
    found = CURRENCIES.get(unit.lower())
    return found or (unit if is_currency_code(unit) else None)


def _head(words: list[str]) -> str:
    """The counted noun of a unit's (stemmed) words: the last one sales counts
    ("deal" of "deals closed", "call" of "discovery calls"), else the last word
    ("point" of "story points")."""
    counted = [w for w in words if w in _COUNTED]
    return (counted or words)[-1]


def unit_fit(given: str, unit: str) -> str | None:
    """Whether an answer's unit words `given` name the word unit `unit` (see the module
    docstring): None when they do, "wrong_unit" when they name another thing or leave
    out its counted noun ("2 discovery" for "discovery calls"), "unknown_words" when
    the counted noun comes with words that are neither the unit's nor of a thing done
    ("5 deals bananas")."""
    said, wanted = [_stem(w) for w in given.split()], [_stem(w) for w in unit.split()]
    if not wanted or _head(wanted) not in said:
        return "wrong_unit"
    return None if all(w in wanted or w in _DONE for w in said) else "unknown_words"


def unit_problem(found: Amount, unit: str) -> str | None:
    """Why an amount read with its unit words is not in `unit` ("wrong_unit" or
    "unknown_words", see `unit_fit`), or None: a bare number always is; otherwise the
    same currency, "%" for "%", or the unit's words."""
    if not found.unit:
        return None
    wanted = currency_of(unit) if unit else None
    if found.currency is not None or wanted is not None:
        return None if found.currency == wanted else "wrong_unit"
    if found.unit == "%" or unit == "%":
        return None if found.unit == unit else "wrong_unit"
    return unit_fit(found.unit, unit)


def in_unit(found: Amount, unit: str) -> bool:
    """Whether an amount read with its unit words is in `unit` (`unit_problem`)."""
    return unit_problem(found, unit) is None


def _scaled_decimal(raw: str, doubt: AmbiguousNumber) -> float | None:
    """The decimal reading of an ambiguous number with its scale word ("1,5k": 1500)."""
    try:
        return parse_number_text(raw.replace(doubt.token, repr(doubt.decimal), 1), ".")
    except AmbiguousNumber:
        return None


def whole_text(raw: str, decimal: str | None) -> str | None:
    """For a count: `raw` with an ambiguous number written as its only whole reading
    ("1,500 logos" -> "1500 logos": 1.5 is no count), or None when there is no doubt,
    or both readings are whole ("1,5k"), or neither is ("1,5"): then it is asked."""
    doubt = ambiguity(raw, decimal)
    if doubt is None or doubt.grouped is None:
        return None
    as_decimal = _scaled_decimal(raw, doubt)
    if as_decimal is None or float(as_decimal).is_integer():
        return None
    return raw.replace(doubt.token, str(int(doubt.grouped)), 1)


def no_whole_reading(raw: str, doubt: AmbiguousNumber) -> bool:
    """Whether an ambiguous number has no whole reading but its digits run together
    ("1,5": 1.5, or a slip for 15), the only one left for a count."""
    as_decimal = _scaled_decimal(raw, doubt)
    return doubt.grouped is None and as_decimal is not None and not float(as_decimal).is_integer()


def _joined(doubt: AmbiguousNumber) -> str | None:
    """The doubtful number's other reading as digits to type: its thousands reading
    ("1,005" -> "1005"), or its digits run together when no grouping fits (a slip:
    "1,5" -> "15"); None when those digits start with 0 ("0,005" -> "0005" names no
    number anyone means: only the decimal reading is offered)."""
    if doubt.grouped is not None:
        return str(int(doubt.grouped))
    digits = re.sub(r"\D", "", doubt.token)
    return digits if digits and not digits.startswith("0") else None


def _around(doubt: AmbiguousNumber, raw: str) -> list[str]:
    """The answer as typed before and after the doubtful number ("$1,005k" -> ["$", "k"]),
    so each reading is offered with its scale ("k", "M", "bn"), currency or unit kept:
    "1005" alone for "1,005k" would be stored a thousand times too small."""
    text = raw.strip().rstrip(" .")
    pieces = re.split(rf"(?<![\d.,]){re.escape(doubt.token)}(?![\d,]|\.\d)", text, maxsplit=1)
    return pieces if len(pieces) == 2 else ["", ""]


def decimal_to_type(value: float) -> str:
    """A decimal as a person should type it back when "1.005" read two ways (1.005 or
    1005): written in full ("%g" cut 1234.567 to 1234.57), and with a fourth decimal
    when it has exactly three ("1.0050"), which no reader takes for a thousands
    group; offered as typed, "1.005" was refused again, round and round."""
    text = repr(float(value))
    if text.endswith(".0"):
        return text[:-2]
    _, dot, fraction = text.partition(".")
    return text + "0" if dot and len(fraction) == 3 and "e" not in fraction else text


# Where the figure ends and a remark begins: ", up from last time", "; roughly", " - est."
_REMARK = re.compile(r"\s*(?:[,;:!?(]|\s[-–—]\s).*$", re.DOTALL)


def _arounds(typed: list[str]) -> list[list[str]]:
    """Ways to write the answer around a reading, most faithful first: as typed; a word
    after it joined to it ("1005 mnok" -> "1005mnok"); the remark after the figure left
    out (", up from last time"); both. Never a word of the figure itself dropped."""
    before, after = typed
    figure = _REMARK.sub("", after)
    found: list[list[str]] = []
    for tail in (after, after.lstrip(), figure, figure.lstrip()):
        if [before, tail] not in found:
            found.append([before, tail])
    return found


def _offered(details: dict[str, object], reads: Callable[[str], float | None]) -> list[str] | None:
    """The first of `_arounds` with which every reading the re-ask offers (the decimal
    one unless only the whole one is; the joined one when there is one), typed back,
    reads one way with the same scale for both (1.005 -> 1005 as 1,005 -> 1005 thousand's
    1/1000), or None when none does."""
    decimal, joined = float(details["as_decimal"]), details["joined"]  # type: ignore[arg-type]
    wanted = ([] if details["whole"] else [decimal_to_type(decimal)]) + ([str(joined)] if joined else [])
    for before, after in _arounds(details["typed"]):  # type: ignore[arg-type]
        values = [reads(before + number + after) for number in wanted]
        if None in values:
            continue
        if len(values) == 2 and not math.isclose(values[0] * int(str(joined)), values[1] * decimal):  # type: ignore[operator]
            continue
        return [before, after]
    return None


def doubt_details(doubt: AmbiguousNumber, raw: str, count: bool) -> dict[str, object]:
    """The re-ask's details for an ambiguous number in the answer `raw`: `number` (as
    typed), both readings (`as_decimal`; `as_thousands`, None when no grouping fits),
    `joined` (the other reading as digits to type, None when there is none: see
    `_joined`), `typed` (the answer around the number, [before, after], joined with
    either reading to make a suggestion that reads one way) and `whole` when the unit
    is a count and its decimal reading is no whole number (so only the whole reading
    is offered)."""
    return {"number": doubt.token, "as_decimal": doubt.decimal, "as_thousands": doubt.grouped,
            "joined": _joined(doubt), "typed": _around(doubt, raw), "whole": count and no_whole_reading(raw, doubt)}


def offerable_details(doubt: AmbiguousNumber, raw: str, count: bool,
                      reads: Callable[[str], float | None]) -> dict[str, object] | None:
    """`doubt_details` checked against the caller's own reader `reads` (a typed answer ->
    the value it stores, None when refused): `typed` is the first way of writing the
    answer (`_arounds`) whose every suggestion `reads` accepts with its reading's value;
    None when there is none ("1,005 mill": "mill" is read in no way), and the caller
    re-asks about what it refuses instead, never offering an answer it would refuse."""
    details = doubt_details(doubt, raw, count)
    typed = _offered(details, reads)
    return {**details, "typed": typed} if typed is not None else None
