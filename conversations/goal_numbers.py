"""The rep's numbers as key results in goal setting (seed 002): the quota, new
customers and retention the rep gave become up to three key results, each offered
before it is added. One the rep already wrote as their own (the same figure in the
same unit: "Close 10 new logos by June 30" and the ten new customers) is marked, so
it is not added twice and asked about twice at every check-in unless the rep picks
it. Pure: the engine calls `number_key_results` and `keep_numbers` (`compute:`
steps) and the `picks` validator; the goals feature stores what is kept and the
written plan lists it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from conversations.answers import Env, Invalid, Result, Valid
from conversations.validators import VALIDATORS

# units that count customers won: "10 new logos" and "10 new customers" are one measure
CUSTOMER_UNITS = {"customer", "customers", "logo", "logos", "account", "accounts", "client", "clients",
                  "new customer", "new customers", "new logo", "new logos", "new account", "new accounts",
                  "new client", "new clients"}
ALL_WORDS = {"all", "all of them", "all three", "both", "every one", "everything"}
SUGGESTED_WORDS = {"suggested", "the suggested ones", "as suggested", "yes", "ok", "okay", "fine", "y"}


def _family(unit: str | None) -> str:
    word = (unit or "").strip().lower()
    return "customers" if word in CUSTOMER_UNITS else word


def same_as(item: Mapping[str, Any], objectives: Sequence[Mapping[str, Any]] | None) -> dict[str, Any] | None:
    """The rep's own key result that measures what number `item` does: the same
    target figure in the same unit (customers, logos, accounts and clients count as
    one unit; a currency code; "%"), as {"objective": index, "title": objective,
    "text": its words}; None when there is none."""
    for index, objective in enumerate(objectives or ()):
        for kr in objective.get("key_results") or ():
            target = kr.get("target")
            if target is None or abs(float(target) - float(item["target"])) > 1e-9:
                continue
            if _family(kr.get("unit")) == _family(item.get("unit")) and _family(item.get("unit")):
                return {"objective": index, "title": objective.get("title"), "text": kr.get("text")}
    return None


def number_key_results(quota: Mapping[str, Any] | None, booked: Mapping[str, Any] | None,
                       new_customers: float | None, retention: float | None,
                       objectives: Sequence[Mapping[str, Any]] | None, year: str) -> list[dict[str, Any]]:
    """The numbers as key results, in the order offered: [{"key": "quota" |
    "new_customers" | "retention", "target", "start", "kind", "unit", "due" (ISO, the
    year's end), "current" (the quota: business booked), the values its title template
    `flows/goals/kr_<key>` reads ("quota", "count", "share"), "same_as" (`same_as`) and
    "keep" (False for one the rep already has, else True)}]. `retention` is a share
    (0.95); its key result is a floor in percent (95)."""
    year_end = f"{year}-12-31"
    numbers: list[dict[str, Any]] = []
    if quota and quota.get("amount"):
        numbers.append({"key": "quota", "target": quota["amount"], "start": 0, "kind": "quota",
                        "current": (booked or {}).get("amount") or None, "unit": quota.get("currency") or "",
                        "due": year_end, "quota": dict(quota)})
    if new_customers:
        numbers.append({"key": "new_customers", "target": new_customers, "start": None, "kind": "total",
                        "current": None, "unit": "customers", "due": year_end, "count": new_customers})
    if retention is not None:
        share = round(retention * 100, 2)
        numbers.append({"key": "retention", "target": share, "start": share, "kind": "floor", "current": None,
                        "unit": "%", "due": year_end, "share": retention})
    for item in numbers:
        item["same_as"] = same_as(item, objectives)
        item["keep"] = item["same_as"] is None
    return numbers


def keep_numbers(numbers: Sequence[Mapping[str, Any]], picked: Sequence[int] | str | None) -> list[dict[str, Any]]:
    """`numbers` with "keep" set from the rep's pick (`picks`): "all", "suggested"
    (those not already the rep's own), or the 1-based positions picked."""
    out = []
    for position, item in enumerate(numbers, start=1):
        if picked == "all":
            keep = True
        elif isinstance(picked, list | tuple):
            keep = position in picked
        else:
            keep = item.get("same_as") is None
        out.append({**item, "keep": keep})
    return out


def picks(raw: str, env: Env, *, numbers: str = "numbers") -> Result:
    """Which of the offered numbers (`env.answers[numbers]`) to add: "all", "ok" (or
    "yes", "suggested": those not already the rep's own), or their positions ("1 3",
    "1, 3", "1 and 3", "3"). A position not offered, or words that are neither, are
    asked again ("not_picks", with how many were offered)."""
    count = len(env.answers.get(numbers) or ())
    word = raw.strip().lower().rstrip(".!")
    if word in ALL_WORDS:
        return Valid("all")
    if word in SUGGESTED_WORDS:
        return Valid("suggested")
    digits = re.fullmatch(r"\d+(?:\s*(?:,|and|&|\s)\s*\d+)*", word)
    found = sorted({int(d) for d in re.findall(r"\d+", word)}) if digits else []
    if not found or any(not 1 <= n <= count for n in found):
        return Invalid("not_picks", {"count": count})
    return Valid(found)


VALIDATORS["picks"] = picks
