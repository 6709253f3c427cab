"""Reading a check-in answer against its key result (issue #11): the value in the key
result's unit, a jump of more than 3x confirmed before it is saved, and "all
unchanged" answering every remaining key result at once. Pure; the `compute:` steps
of `flows/okr_checkin.yaml`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from conversations.amounts import (
    AmbiguousNumber,
    Amount,
    ambiguity,
    normalise,
    parse_amount,
    read_amount,
    unlikely_change,
)
from conversations.counts import (
    MAX_WHOLE,
    decimal_to_type,
    doubt_details,
    is_count_unit,
    offerable_details,
    unit_problem,
    whole_text,
)
from conversations.currency_clash import named_currencies
from conversations.unit_words import three_decimals
from conversations.word_answers import ALL_UNCHANGED as _ALL

# "+2", "2 more", "another 2": a change, which could also be meant as the new total.
_MORE_WORD = re.compile(r"\b(?:more|additional|extra|another)\b", re.IGNORECASE)
_INCREMENT = re.compile(r"^\s*(?:[$€£₹¥]\s*)?\+|" + _MORE_WORD.pattern, re.IGNORECASE)


def read_in_unit(raw: str, unit: str, decimal: str | None = None,
                 count: bool | None = None) -> tuple[float | None, str | None]:
    """A check-in value read in its key result's unit: (value, None), or (None, code)
    to re-ask. "$640k" against a percentage, "25%" against money, euros against a
    dollar key result, or a word that is not the key result's own ("5 weeks", "5
    mins", "1 e5" for one counted in logos; any word for a plain count) are
    "wrong_unit", never read as a number; a bare number is taken in the key result's
    own unit ("640k" for a USD key result is $640,000). A money unit stored as a
    symbol is its currency ("$" is USD, "kr" NOK). For a unit that counts things
    (`conversations.counts.is_count_unit`, or `count` when the caller knows better),
    "1.5 logos" is "fractional_count", a count past 15 digits "too_large", one below
    zero ("-5", "(5)") "negative_count", and an
    ambiguous "1,500" takes its only whole reading. A unit of several words ("deals
    closed") is named as `conversations.counts.unit_fit` says: "5 deals" and "5 deals
    closed" for "deals"; other words beside it ("5 deals bananas") are "unknown_words". Words of a change ("2 more") are
    left to `is_increment`. Reading itself is `conversations.amounts.read_amount`
    (ranges, "3 or 4" … refused; "1,5" asked about unless the person's `decimal`
    mark is ",")."""
    text = _MORE_WORD.sub(" ", raw)
    text = three_decimals(text, unit)  # "1.234" for a key result in KWD: a decimal
    found = read_amount(text, words=True, decimal=decimal)
    count = is_count_unit(unit) if count is None else count
    if found == "ambiguous_number" and count and (whole := whole_text(text, decimal)) is not None:
        found = read_amount(whole, words=True, decimal=decimal)
    if found == "ambiguous_number" and (problem := _doubt_in_other_unit(text, unit, decimal)) is not None:
        return None, problem  # "1,5 FTE" for accounts: the unit is the real problem, not the comma
    if not isinstance(found, Amount):
        return None, found
    if (problem := unit_problem(found, unit)) is not None:
        return None, problem
    if count and not found.whole:  # "4.0000000000000001" is 4.0 as a float, yet no whole number
        return None, "fractional_count"
    if count and abs(found.value) > MAX_WHOLE:  # no longer exact as a float: asked again, not rounded
        return None, "too_large"
    if count and found.value < 0:  # "-5 logos", "(5)": no count is below none; asked again
        return None, "negative_count"
    return found.value, None


def typed_unit(raw: str, decimal: str | None = None) -> dict[str, str] | None:
    """What the person wrote beside the number, for a "wrong_unit" re-ask to name it:
    {"kind": "money" | "percent" | "count", "unit": ISO code, "%" or the word}
    ("€5" is money in EUR, "5%" a percentage, "5 deals" the word "deals"), or None
    when the answer reads as no single amount."""
    found = read_amount(_MORE_WORD.sub(" ", raw), words=True, decimal=decimal)
    if not isinstance(found, Amount):
        doubt = ambiguity(raw, decimal)  # "1,5 €": either reading names the same unit
        found = read_amount(raw.replace(doubt.token, decimal_to_type(doubt.decimal), 1), words=True,
                            decimal=".") if doubt is not None else None
    return {"kind": found.kind, "unit": found.unit} if isinstance(found, Amount) and found.unit else None


def _doubt_in_other_unit(text: str, unit: str, decimal: str | None) -> str | None:
    """For an answer whose number reads two ways ("1,5 FTE"): "wrong_unit" (or
    "unknown_words") when its words are not the key result's unit whichever way the
    number is read, so the person hears that, not which comma they meant; else None."""
    doubt = ambiguity(text, decimal)
    if doubt is None:
        return None
    as_read = read_amount(text.replace(doubt.token, repr(doubt.decimal), 1), words=True, decimal=".")
    return unit_problem(as_read, unit) if isinstance(as_read, Amount) else None


def unit_of(kr: dict[str, Any]) -> str:
    """A key result's unit, widened by its title where an older reading kept only the
    first word of it: "discovery" stored for "Run 40 discovery calls by March" is read
    as "discovery calls", so "2 calls" is its unit and "2.5 calls" no count. A unit
    the title does not start with is kept as stored."""
    unit = str(kr.get("unit") or "")
    try:
        found = parse_amount(str(kr.get("title") or ""))
    except AmbiguousNumber:
        return unit
    phrase = found[1] if found else ""
    return phrase if unit and " " not in unit and phrase.split(" ")[0] == unit else unit


def counted(kr: dict[str, Any]) -> bool:
    """Whether a key result counts whole things: a count unit ("logos"), not a rate
    ("6 meetings a week" may average 5.5), and whole numbers where it stands and aims."""
    values = [v for v in (kr.get("current"), kr.get("target")) if isinstance(v, int | float)]
    return (is_count_unit(unit_of(kr)) and kr.get("kind") != "rate"
            and all(float(v).is_integer() for v in values))


def is_increment(raw: str) -> bool:
    """Whether a check-in answer is written as a change ("+2", "2 more", "another
    $5k"), which reads two ways: 2 more than last time, or 2 in all."""
    return bool(_INCREMENT.search(normalise(raw)))


def _reader(kr: dict[str, Any], mark: str | None, count: bool) -> Callable[[str], float | None]:
    """A suggested answer -> the value this check-in stores for it, or None when it
    would be refused (a change like "2 more" is asked about, so None too)."""
    def reads(typed: str) -> float | None:
        return None if is_increment(typed) else read_in_unit(typed, unit_of(kr), mark, count)[0]
    return reads


def _refused_reading(doubt: AmbiguousNumber, raw: str, kr: dict[str, Any], mark: str | None, count: bool) -> str:
    """Why the answer with its doubtful number written one way ("1.0050 mill") is
    refused: the re-ask's code when no reading can be offered back ("wrong_unit",
    "unknown_words" …; "unreadable" when each reading reads but not at one scale)."""
    details = doubt_details(doubt, raw, count)
    before, after = details["typed"]  # type: ignore[misc]
    number = details["joined"] if details["whole"] else decimal_to_type(doubt.decimal)
    return read_in_unit(f"{before}{number}{after}", unit_of(kr), mark, count)[1] or "unreadable"


def checkin_value(text: Any = None, kr: Any = None, decimal: Any = None) -> dict[str, Any]:
    """{"status": "ok" | "keep" | "all" | "jump" | "retry", "value", "error", "change",
    "breaks"}: `breaks` (True, with "ok" or "jump"; absent otherwise) says the value
    just given breaks a floor or a ceiling (`breaks_level`), so an "on track" is
    questioned once;
    "keep" for a skipped answer (the value stays), "all" for "all unchanged", "jump"
    when the value is unlikely next to the previous one and is confirmed first
    (`change`: "up", "down" or "negative", from `amounts.unlikely_change`; for a
    first reading, `kr["first"]`, also "small" or "large": `off_scale`), "retry"
    with the error code (and `doubt`, both readings, for "ambiguous_number"; for
    "increment", a change such as "+2" or "2 more": `given`, `current` and their
    `sum`, as both readings are asked about; for "wrong_unit", `typed`: what was
    written beside the number, `typed_unit`; for "two_currencies", `currencies`: the
    codes named, "100 NOK to 200 SEK" -> ["NOK", "SEK"]). `decimal`
    is the person's decimal mark ("." / ","; None when unknown)."""
    kr = kr if isinstance(kr, dict) else {}
    previous = kr.get("current")
    if text is None or not str(text).strip():
        return {"status": "keep", "value": previous, "error": None}
    if _ALL.match(str(text)):
        return {"status": "all", "value": previous, "error": None}
    mark = decimal if decimal in (".", ",") else None
    count = counted(kr)
    value, error = read_in_unit(str(text), unit_of(kr), mark, count)
    if value is not None and is_increment(str(text)):  # never stored as either reading unasked
        total = float(previous) + value if isinstance(previous, (int, float)) else None
        return {"status": "retry", "value": None, "error": "increment",
                "doubt": {"given": value, "current": previous, "sum": total}}
    found = ambiguity(str(text), mark) if error == "ambiguous_number" else None
    doubt = offerable_details(found, str(text), count, _reader(kr, mark, count)) if found else None
    if found and doubt is None:  # "1,005 mill": no way to write either reading is read, so "mill" is asked about
        error = _refused_reading(found, str(text), kr, mark, count)
    if value is None:
        typed = typed_unit(str(text), mark) if error == "wrong_unit" else None  # "€5": named in the re-ask
        currencies = named_currencies(str(text)) if error == "two_currencies" else None  # "100 NOK to 200 SEK"
        return {"status": "retry", "value": None, "error": error, "doubt": doubt, "max": MAX_WHOLE, "typed": typed,
                "currencies": currencies}
    change = unlikely_change(float(previous), value) if isinstance(previous, (int, float)) else None
    if change is None and kr.get("first"):
        change = off_scale(value, kr.get("target"))
    read: dict[str, Any] = {"status": "ok", "value": value, "error": None}
    if change is not None:
        read.update(status="jump", change=change)
    if breaks_level(kr, value):
        read["breaks"] = True
    return read


def breaks_level(kr: dict[str, Any], value: float) -> bool:
    """Whether `value` breaks a floor (below it) or a ceiling (above it): the check-in
    then questions an "on track" once, as a broken level is a missed one, not one on its
    way. False for any other kind, or a target that is not a number."""
    target = kr.get("target")
    if not isinstance(target, int | float):
        return False
    return (kr.get("kind") == "floor" and value < target) or (kr.get("kind") == "ceiling" and value > target)


# A first reading (no "last time" to compare with) is read back when it is off the
# target's scale: under 1 % of it, or over 10 times it ("87" for a $1.2M key result:
# 87 thousand meant, $87 read). Zero never asks: nothing yet is a real first reading.
OFF_SCALE_BELOW, OFF_SCALE_ABOVE = 0.01, 10.0


def off_scale(value: float, target: Any) -> str | None:
    """"small" or "large" when a first reading `value` is off the scale of `target`
    (see OFF_SCALE_BELOW / OFF_SCALE_ABOVE), else None; None when the target is not a
    number above zero."""
    if not isinstance(target, (int, float)) or target <= 0 or value <= 0:
        return None
    if value < target * OFF_SCALE_BELOW:
        return "small"
    if value > target * OFF_SCALE_ABOVE:
        return "large"
    return None


def all_unchanged(key_results: Any = None, updates: Any = None, i: Any = 0,
                  read: Any = None) -> list[dict[str, Any]]:
    """The check-in's updates with every key result from position `i` on kept as it
    was (value and confidence): what "all unchanged" means. Said at a confidence
    question, `read` is that key result's value answer (`checkin_value`'s dict): the
    key result at `i` takes its value and keeps last time's confidence."""
    done = list(updates or [])
    for at, kr in enumerate(list(key_results or [])[int(i or 0):]):
        value = read["value"] if at == 0 and isinstance(read, dict) else kr.get("current")
        done.append({"id": kr.get("id"), "title": kr.get("title"), "unit": kr.get("unit"),
                     "target": kr.get("target"), "kind": kr.get("kind"), "per": kr.get("per"),
                     "value": value, "previous": kr.get("current"), "start": kr.get("start"),
                     "first": kr.get("first"),
                     "confidence": kr.get("confidence"), "was": kr.get("confidence")})
    return done
