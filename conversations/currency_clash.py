"""An answer that names two currencies ("100 NOK to 200 SEK", "$5k or €4k"), told
back with the currencies it names, so the re-ask says "NOK and SEK are two
currencies" and gives an example in one of them, instead of calling it a range or
"two currencies" unnamed. Pure; used by the validators, the key-result reader and the
check-in (`conversations.validators`, `conversations.checkin_reading`)."""

from __future__ import annotations

from typing import Any

from conversations.amounts import AmbiguousNumber, normalise, parse_amount, second_number_problem
from conversations.currencies import currency_marks


def named_currencies(text: str) -> list[str]:
    """The ISO codes of the currencies `text` names, each once, in the order typed
    ("100 NOK to 200 SEK" -> ["NOK", "SEK"]; "$5k or €4k" -> ["USD", "EUR"])."""
    return list(dict.fromkeys(code for _, code in currency_marks(normalise(text))))


def clash_details(raw: str, decimal: str | None = None) -> dict[str, Any]:
    """For the re-ask of an answer in two currencies: {"given" (as typed, at most 60
    characters), "currencies" (the first two codes named), "range" (whether two
    numbers stand as a range, "100 NOK to 200 SEK"), "value" (the number aimed at,
    the one after "to", or None when unreadable) and "unit" (the first currency, the
    example's)}."""
    codes = named_currencies(raw)
    try:
        aimed = parse_amount(raw, decimal)
    except AmbiguousNumber:  # "1,500 NOK to 2,000 SEK" for an unknown mark: the example names no number
        aimed = None
    return {"given": raw.strip()[:60], "currencies": codes[:2], "range": second_number_problem(raw) == "range",
            "value": abs(aimed[0]) if aimed is not None else None, "unit": codes[0] if codes else ""}
