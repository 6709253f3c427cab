"""One currency for a goal-setting plan, and the krona that is not one currency.

Seed 000 asks each seller to "understand the math" of their year: the quota, the
business already booked, the deal value, all added and divided together, which only
means something in one currency. The plan's currency is the first one given anywhere
in the math (the quota's, else the booked business', else the open pipeline's …);
every later amount without one takes it, another one is asked again, and the quota
key result is titled and stored in it (`plan_quota`). This code has no
organisation-wide default currency: with none given anywhere the plan names none
(amounts read "1,200,000", never a "$" the rep did not type).

"kr" is the krona of Sweden, Denmark and Iceland and the krone of Norway: read as the
person's own when their country (stored, else their time zone's) has one, and asked
again with the options otherwise (a rep in New Zealand typing "400 000 kr").
Pure, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from conversations.currencies import SYMBOLS, currency_marks
from conversations.locales import country_of

# Where "kr" can only mean one currency: Norway, Sweden, Denmark (with the Faroe
# Islands and Greenland) and Iceland.
KRONA_COUNTRIES = {"NO": "NOK", "SE": "SEK", "DK": "DKK", "FO": "DKK", "GL": "DKK", "IS": "ISK"}
KRONA_CODES = ("NOK", "SEK", "DKK", "ISK")
_KR = re.compile(r"kr\.?", re.IGNORECASE)


def krona(raw: str, timezone: str | None, country: str | None) -> str | None:
    """The ISO code "kr" stands for in `raw`: the person's own krona ("SEK" for a rep in
    Sweden), "" when "kr" is there but their country has none (ask which), None when
    `raw` says no "kr" at all. `country` is ISO 3166 as stored; without it the IANA
    `timezone`'s country decides."""
    if not any(_KR.fullmatch(mark.group(0)) for mark, _ in currency_marks(raw)):
        return None
    return KRONA_COUNTRIES.get(country_of(timezone, country) or "", "")


def plan_currency(answers: Mapping[str, Any], names: str | Sequence[str] | None) -> str | None:
    """The ISO code of the first of `names` (earlier money answers, in the order asked)
    that names a currency; None when none does."""
    for name in [names] if isinstance(names, str) else list(names or []):
        found = answers.get(name)
        if isinstance(found, Mapping) and found.get("currency"):
            return str(found["currency"])
    return None


def symbol_of(code: str | None) -> str:
    """"$" for USD, "NOK " for a currency without a symbol of its own, "" for none."""
    return SYMBOLS.get(code, f"{code} ") if code else ""


def plan_quota(quota: Any = None, booked: Any = None, expected: Any = None, installed_base: Any = None,
               deal_value: Any = None) -> Any:
    """The flow step `compute: plan_quota`: the quota answer ({"amount", "currency",
    "symbol"}) in the plan's currency, the first of the money answers, in the order
    asked, that names one; with none anywhere, currency None and symbol "". A
    skipped quota (None) stays None."""
    if not isinstance(quota, Mapping):
        return quota
    code = plan_currency({"quota": quota, "booked": booked, "expected": expected,
                          "installed_base": installed_base, "deal_value": deal_value},
                         ["quota", "booked", "expected", "installed_base", "deal_value"])
    return dict(quota, currency=code, symbol=symbol_of(code))
