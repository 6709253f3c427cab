"""Answers in a known unit: whether a word after a number is that unit, and whether
the unit counts things (logos, meetings, deals), which are never fractional.

Pure, no I/O. One rule for every place a number comes with an expected unit: the
check-in's key result value (`checkin_reading`), the flows' `integer` / `number`
validators (goal setting, the WIG session's lead and lag measures, trade-show
rehearsal) and the `/okr wig update` command. "5 weeks" for a key result counted in
logos is another unit, asked about, never read as 5 logos; "1.5 logos" is no count
and is asked again; an ambiguous "1,500" for a count is 1,500 (1.5 is no count), and
"1,5" is asked about with its whole reading (15) only.
"""

from __future__ import annotations

from conversations.amounts import COUNT, CURRENCIES, AmbiguousNumber, Amount, ambiguity, parse_number_text, unit_kind

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
    """The ISO code a stored unit names ("$" and "USD" -> "USD", "kr" -> "NOK"), or None."""
    found = CURRENCIES.get(unit.lower())
    return found or (unit if len(unit) == 3 and unit.isupper() else None)


def in_unit(found: Amount, unit: str) -> bool:
    """Whether an amount read with its unit word is in `unit`: a bare number always
    is; otherwise the same currency, "%" for "%", or the same word."""
    if not found.unit:
        return True
    wanted = currency_of(unit) if unit else None
    if found.currency is not None or wanted is not None:
        return found.currency == wanted
    if found.unit == "%" or unit == "%":
        return found.unit == unit
    return same_word(found.unit, unit)


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


def doubt_details(doubt: AmbiguousNumber, raw: str, count: bool) -> dict[str, object]:
    """The re-ask's details for an ambiguous number: both readings, and `whole` when
    the unit is a count and its decimal reading is no whole number (so only the
    whole reading is offered)."""
    return {"number": doubt.token, "as_decimal": doubt.decimal, "as_thousands": doubt.grouped,
            "whole": count and no_whole_reading(raw, doubt)}
