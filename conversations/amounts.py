"""Numbers and amounts as sellers type them: "1,234.5", "1 234,5", "$250k", "25%",
"12 logos", "₹1.2 crore", "₹5,00,000", "1,5 Mio. €".

Pure functions, no I/O. One reading for every feature: a goal-setting answer, a key
result, a WIG ("from $1.2M to $1.5M") and a lead measure all store the same value and
unit for the same text. Units are an ISO 4217 currency code for money ("USD"), "%" for
a percentage (the value stays 0-100, not a fraction), a lower-case word for counts
("logos"), or "" when none was given.

Scale words are the ones sellers use: k/thousand/Tsd (10³), m/mm/mn/Mio/million (10⁶),
b/bn/Mrd/billion (10⁹), lakh/lac (10⁵) and crore/cr (10⁷). Digit grouping may be
Western ("500,000"), Indian ("5,00,000"), or by spaces, dots or apostrophes.
`read_amount` reads a whole answer and names what it could not read (a range, two
numbers, words it does not know) instead of keeping the first numeral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCALE = {"k": 1e3, "thousand": 1e3, "thousands": 1e3, "tsd": 1e3,
          "m": 1e6, "mm": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6, "millions": 1e6,
          "b": 1e9, "bn": 1e9, "mrd": 1e9, "billion": 1e9, "billions": 1e9,
          "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "crore": 1e7, "crores": 1e7, "cr": 1e7}
_SCALES = "|".join(sorted(_SCALE, key=len, reverse=True))
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d[\d\s,.'\u00a0\u202f]*\d|\d)\s*(?:(?P<scale>" + _SCALES + r")\b\.?)?",
    re.IGNORECASE,
)
_SPACED = re.compile(r"\d{1,3}(?:[\s'\u00a0\u202f]\d{3})+(?:[.,]\d+)?")
_INDIAN = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?")


def _scaled(match: re.Match[str]) -> float | None:
    value = _to_float(match.group("num"))
    if value is not None and match.group("scale"):
        value *= _SCALE[match.group("scale").lower()]
    return value


def parse_number_text(raw: str) -> float | None:
    """"1,234.5" / "1 234,5" / "1.234.567" / "2k" / "5,00,000" -> float; None if no number.

    Thousands separators are recognised by position: a separator followed by exactly
    three digits, repeated, is grouping (or Indian lakh grouping, "12,34,567"); a
    single "," or "." followed by one or two digits (or any other count than three) is
    the decimal mark. Use `read_amount` where text after the number matters.
    """
    match = _NUMBER.search(raw)
    if match is None:
        return None
    value = _scaled(match)
    if value is None:
        return None
    if re.match(r"^\s*[-\u2212]\s*\S?$", raw[: match.start()] + "x"):
        value = -value  # "-5%": a minus right before the first number
    return value


def _to_float(token: str) -> float | None:
    token = token.strip()
    if re.search(r"[\s'\u00a0\u202f]", token):
        if not _SPACED.fullmatch(token):
            return None  # "40 50" is two numbers, not 4050
        token = re.sub(r"[\s'\u00a0\u202f]", "", token)
    if _INDIAN.fullmatch(token):
        return float(token.replace(",", ""))
    separators = [c for c in token if c in ",."]
    if not separators:
        return float(token)
    last = max(token.rfind(","), token.rfind("."))
    tail = token[last + 1 :]
    if len(set(separators)) == 2:
        # both kinds: the last one is the decimal mark
        whole = re.sub(r"[,.]", "", token[:last])
        return float(f"{whole}.{tail}")
    groups = re.split(r"[,.]", token)
    leading_zero = groups[0].startswith("0")  # "0.250" is a decimal: no number starts with a 0 group
    if len(separators) > 1 or (len(tail) == 3 and len(groups[0]) <= 3 and not leading_zero):
        if all(len(g) == 3 for g in groups[1:]):
            return float("".join(groups))
        return None
    return float(f"{token[:last]}.{tail}")


CURRENCIES = {
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "₹": "INR", "inr": "INR", "rs": "INR", "rupee": "INR", "rupees": "INR",
    "nok": "NOK", "sek": "SEK", "dkk": "DKK", "chf": "CHF", "kr": "NOK",
    "cad": "CAD", "aud": "AUD", "jpy": "JPY", "¥": "JPY", "brl": "BRL", "r$": "BRL",
    "sar": "SAR", "aed": "AED", "sgd": "SGD", "zar": "ZAR", "mxn": "MXN",
}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥", "BRL": "R$"}
_CURRENCY = re.compile(r"r\$|[$€£₹¥]|\b(" + "|".join(k for k in CURRENCIES if k.isalpha()) + r")\b\.?",
                       re.IGNORECASE)


def find_currency(text: str) -> tuple[str | None, str]:
    """The ISO code of the first currency symbol or word in `text`, and the text with
    every currency mark blanked out (so "$250k" leaves " 250k" to read as a number)."""
    found = _CURRENCY.search(text)
    code = CURRENCIES[found.group(0).lower().rstrip(".")] if found else None
    return code, _CURRENCY.sub(" ", text) if found else text


def currencies_in(text: str) -> set[str]:
    """Every currency named in `text` ("$5k or €4k" -> {"USD", "EUR"})."""
    return {CURRENCIES[m.group(0).lower().rstrip(".")] for m in _CURRENCY.finditer(text)}


_UNIT = re.compile(r"^\s*(?:(?:new|more|additional|extra|qualified|net|big)\s+)?(%|percent\b|[a-z][\w\-]*)",
                   re.IGNORECASE)
_NOT_UNITS = {"in", "of", "a", "an", "the", "per", "by", "to", "and", "or", "for", "on", "at", "with"}
_AIM = re.compile(r"\b(?:to|by|reach|hit|at least|over)\s*$", re.IGNORECASE)


def parse_amount(body: str) -> tuple[float, str] | None:
    """The number in `body` with its unit: "12 logos" -> (12, "logos"), "$250k" ->
    (250000, "USD"), "25%" -> (25, "%"), "1.2M" -> (1200000, ""); None without a
    number. When several numbers appear, the one after "to", "by", "reach", "hit" …
    is the aim ("grow from 20 to 25 deals" -> 25). `several_numbers` says whether
    the other numbers in a sentence leave the aim in doubt."""
    code, plain = find_currency(body)
    matches = list(_NUMBER.finditer(plain))
    if not matches:
        return None
    aimed = [m for m in matches if _AIM.search(plain[: m.start()])]
    match = aimed[-1] if aimed else matches[0]
    value = _scaled(match)
    if value is None:
        return None
    return value, _unit_after(plain[match.end():], code)


def _unit_after(after: str, code: str | None) -> str:
    if code is not None:
        return code
    if re.match(r"\s*(?:%|percent\b|per\s*cent\b|pct\b)", after, re.IGNORECASE):
        return "%"
    if (u := _UNIT.match(after)) is not None and u.group(1).lower() not in _NOT_UNITS:
        return u.group(1).lower()[:32]
    return ""


# --- a whole answer, strictly ---------------------------------------------------------

MONEY, PERCENT, COUNT = "money", "percent", "count"


def unit_kind(unit: str | None) -> str:
    """What a stored unit measures: "money" (an ISO code, or a bare symbol stored before
    codes were used), "percent", or "count" (a word such as "logos", or none)."""
    if unit == "%":
        return PERCENT
    if unit and (unit in SYMBOLS.values() or (len(unit) == 3 and unit.isupper())):
        return MONEY
    return COUNT


@dataclass(frozen=True)
class Amount:
    """One number read from a whole answer: value (scale applied), unit as stored
    (ISO code, "%", a count word or ""), and `currency` when one was named."""

    value: float
    unit: str
    currency: str | None = None

    @property
    def kind(self) -> str:
        return unit_kind(self.unit)


_HEDGE = re.compile(r"^\s*(?:about|around|roughly|approx\.?|approximately|circa|ca\.?|c\.|~|≈|nearly|almost)\s*",
                    re.IGNORECASE)
# Words that may follow an amount without changing it.
_FILLER = re.compile(r"^(?:or so|ish|-ish|approx\.?|roughly|total|in total|overall|per year|a year|per annum|"
                     r"p\.?a\.?|annually|yearly|this year|ytd|so far|exactly|flat|only)?$", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(?:-|–|—|to|and|till|until)\s*$", re.IGNORECASE)
_ALTERNATIVE = re.compile(r"^\s*(?:or|,|or maybe|maybe)\s*$", re.IGNORECASE)
_RATIO = re.compile(r"^\s*(?:in|out of|of|/|per|every)\s*$", re.IGNORECASE)


def second_number_problem(text: str) -> str | None:
    """Why a text with two numbers can't be one value: "range" ("40-50k", "40 to
    50k"), "alternatives" ("3 or 4"), "ratio" ("1 in 4", "1 out of 4") or
    "several_numbers"; None with fewer than two numbers."""
    _, plain = find_currency(text)
    found = list(_NUMBER.finditer(plain))
    if len(found) < 2:
        return None
    between = plain[found[0].end():found[1].start()]
    if not between.strip() and found[0].group("scale") is None and plain[found[0].end() - 1] in "-–—":
        between = "-"
    for code, pattern in (("range", _RANGE), ("alternatives", _ALTERNATIVE), ("ratio", _RATIO)):
        if pattern.match(between):
            return code
    return "several_numbers"


def read_amount(raw: str, *, words: bool = False) -> Amount | str:
    """A whole answer as one amount, or a problem code for the re-ask: "no_number",
    "unreadable" (digits that don't form a number), "range", "alternatives", "ratio",
    "several_numbers", "two_currencies" or "unknown_words" (text after the amount that
    is neither its unit nor a harmless "or so"). With `words`, one unit word may follow
    ("12 logos"); otherwise only a currency or "%" may.
    """
    if len(currencies_in(raw)) > 1:
        return "two_currencies"
    code, plain = find_currency(raw)
    plain = _HEDGE.sub("", plain)
    problem = second_number_problem(plain)
    if problem is not None:
        return problem
    match = _NUMBER.search(plain)
    if match is None:
        return "no_number"
    value = _scaled(match)
    if value is None:
        return "unreadable"
    if re.search(r"[-\u2212]\s*$", plain[: match.start()]):
        value = -value
    after = plain[match.end():]
    unit = _unit_after(after, code)
    rest = after.strip()
    if unit == "%":
        rest = re.sub(r"^(?:%|percent|per\s*cent|pct)", "", rest, flags=re.IGNORECASE).strip()
    elif unit and code is None:
        if not words:
            return "unknown_words"
        rest = _UNIT.sub("", after, count=1).strip()
    if not _FILLER.match(rest.rstrip(".!")):
        return "unknown_words"
    return Amount(value, unit, code)


def needs_confirming(previous: float | None, value: float, factor: float = 3.0) -> bool:
    """Whether a new value for the same key result is a jump worth confirming before
    it is saved: more than `factor` times the previous one (a typo such as "250" for
    "25" or "2.5M" for "250k"). No previous value, or a previous 0, never asks."""
    return previous is not None and previous > 0 and value > factor * previous
