"""Currencies as sellers write them: symbols ("$", "€", "R$"), words ("dollars",
"kr", "rupees") and ISO 4217 codes in capitals ("PLN", any code babel lists), each
read as its ISO code, and where each mark stands in a text. Pure, no I/O;
`conversations.amounts` reads the number beside one (`currencies_in`, which
normalises digits first, stays there).
"""

from __future__ import annotations

import re

from conversations.unit_words import iso_codes_in

CURRENCIES = {
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "₹": "INR", "inr": "INR", "rs": "INR", "rupee": "INR", "rupees": "INR",
    "nok": "NOK", "sek": "SEK", "dkk": "DKK", "chf": "CHF", "kr": "NOK",
    "cad": "CAD", "aud": "AUD", "jpy": "JPY", "¥": "JPY", "brl": "BRL", "r$": "BRL",
    "sar": "SAR", "aed": "AED", "sgd": "SGD", "zar": "ZAR", "mxn": "MXN",
}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥", "BRL": "R$"}  # any ISO code babel lists
# is money too, in capitals (`iso_codes_in`). A currency word may touch digits ("100USD", "eur5k"), not letters.
_CURRENCY = re.compile(r"r\$|[$€£₹¥]|(?:(?<![^\W\d_])|(?<=\d[kmbKMB]))("
                       + "|".join(k for k in CURRENCIES if k.isalpha()) + r")(?![^\W\d_])\.?",
                       re.IGNORECASE)


def iso_unit(unit: str) -> str:
    """A stored unit with money as its ISO code: a bare symbol stored before codes were
    used ("$") becomes its code ("USD"); any other unit ("USD", "%", "logos") as it is."""
    return CURRENCIES.get(unit.lower(), unit) if unit in SYMBOLS.values() else unit


def currency_marks(text: str) -> list[tuple[re.Match[str], str]]:
    """Each currency mark in `text` with its ISO code, in order: "$", "kr", "euros", "PLN"."""
    found = [(m, CURRENCIES[m.group(0).lower().rstrip(".")]) for m in _CURRENCY.finditer(text)]
    found += [(m, m.group(0)) for m in iso_codes_in(text) if not any(f.start() == m.start() for f, _ in found)]
    return sorted(found, key=lambda f: f[0].start())


def find_currency(text: str) -> tuple[str | None, str]:
    """The first currency's ISO code, and `text` with each mark blanked ("$250k": " 250k")."""
    for mark, _ in reversed(marks := currency_marks(text)):
        text = text[: mark.start()] + " " + text[mark.end():]
    return (marks[0][1] if marks else None), text
