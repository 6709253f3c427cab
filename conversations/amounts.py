"""Numbers and amounts as sellers type them: "1,234.5", "1 234,5", "$250k", "25%",
"12 logos".

Pure functions, no I/O. One reading for every feature: a goal-setting answer, a key
result, a WIG ("from $1.2M to $1.5M") and a lead measure all store the same value and
unit for the same text. Units are an ISO 4217 currency code for money ("USD"), "%" for
a percentage (the value stays 0-100, not a fraction), a lower-case word for counts
("logos"), or "" when none was given.
"""

from __future__ import annotations

import re

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


def find_currency(text: str) -> tuple[str | None, str]:
    """The ISO code of the first currency symbol or word in `text`, and the text with
    every currency mark blanked out (so "$250k" leaves " 250k" to read as a number)."""
    found = _CURRENCY.search(text)
    code = CURRENCIES[found.group(0).lower()] if found else None
    return code, _CURRENCY.sub(" ", text) if found else text


_UNIT = re.compile(r"^\s*(?:(?:new|more|additional|extra|qualified|net|big)\s+)?(%|percent\b|[a-z][\w\-]*)",
                   re.IGNORECASE)
_NOT_UNITS = {"in", "of", "a", "an", "the", "per", "by", "to", "and", "or", "for", "on", "at", "with"}
_AIM = re.compile(r"\b(?:to|by|reach|hit|at least|over)\s*$", re.IGNORECASE)


def parse_amount(body: str) -> tuple[float, str] | None:
    """The number in `body` with its unit: "12 logos" -> (12, "logos"), "$250k" ->
    (250000, "USD"), "25%" -> (25, "%"), "1.2M" -> (1200000, ""); None without a
    number. When several numbers appear, the one after "to", "by", "reach", "hit" …
    is the aim ("grow from 20 to 25 deals" -> 25)."""
    code, plain = find_currency(body)
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
    if code is not None:
        unit = code
    elif after.lstrip().startswith("%"):
        unit = "%"
    elif (u := _UNIT.match(after)) is not None and u.group(1).lower() not in _NOT_UNITS:
        unit = u.group(1).lower()
    else:
        unit = ""
    return value, unit[:32]
