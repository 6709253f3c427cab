"""Reading a check-in answer against its key result (issue #11): the value in the key
result's unit, a jump of more than 3x confirmed before it is saved, and "all
unchanged" answering every remaining key result at once. Pure; the `compute:` steps
of `flows/okr_checkin.yaml`."""

from __future__ import annotations

import re
from typing import Any

from conversations.amounts import COUNT, Amount, ambiguity, read_amount, unit_kind, unlikely_change

_ALL = re.compile(r"^\s*(?:all\s+)?(?:unchanged|the\s+same|same|no\s+change[s]?)\s*[.!]?\s*$", re.IGNORECASE)


def read_in_unit(raw: str, unit: str, decimal: str | None = None) -> tuple[float | None, str | None]:
    """A check-in value read in its key result's unit: (value, None), or (None, code)
    to re-ask. "$640k" against a percentage, "25%" against money, or euros against a
    dollar key result are "wrong_unit", never read as a number; a bare number is
    taken in the key result's own unit ("640k" for a USD key result is $640,000).
    Reading itself is `conversations.amounts.read_amount` (ranges, "3 or 4" … refused;
    "1,5" asked about unless the person's `decimal` mark is ",")."""
    found = read_amount(raw, words=True, decimal=decimal)
    if not isinstance(found, Amount):
        return None, found
    if found.unit and found.unit != unit:
        wanted, given = unit_kind(unit), found.kind
        if given != COUNT or wanted != COUNT:   # money vs %, or two currencies
            return None, "wrong_unit"
    return found.value, None


def checkin_value(text: Any = None, kr: Any = None, decimal: Any = None) -> dict[str, Any]:
    """{"status": "ok" | "keep" | "all" | "jump" | "retry", "value", "error", "change"}:
    "keep" for a skipped answer (the value stays), "all" for "all unchanged", "jump"
    when the value is unlikely next to the previous one and is confirmed first
    (`change`: "up", "down" or "negative", from `amounts.unlikely_change`), "retry"
    with the error code (and `doubt`, both readings, for "ambiguous_number"). `decimal`
    is the person's decimal mark ("." / ","; None when unknown)."""
    kr = kr if isinstance(kr, dict) else {}
    previous = kr.get("current")
    if text is None or not str(text).strip():
        return {"status": "keep", "value": previous, "error": None}
    if _ALL.match(str(text)):
        return {"status": "all", "value": previous, "error": None}
    mark = decimal if decimal in (".", ",") else None
    value, error = read_in_unit(str(text), str(kr.get("unit") or ""), mark)
    if value is None:
        found = ambiguity(str(text), mark) if error == "ambiguous_number" else None
        doubt = {"number": found.token, "as_decimal": found.decimal, "as_thousands": found.grouped} if found else None
        return {"status": "retry", "value": None, "error": error, "doubt": doubt}
    change = unlikely_change(float(previous), value) if isinstance(previous, (int, float)) else None
    if change is not None:
        return {"status": "jump", "value": value, "error": None, "change": change}
    return {"status": "ok", "value": value, "error": None}


def all_unchanged(key_results: Any = None, updates: Any = None, i: Any = 0) -> list[dict[str, Any]]:
    """The check-in's updates with every key result from position `i` on kept as it
    was (value and confidence): what "all unchanged" means."""
    done = list(updates or [])
    for kr in list(key_results or [])[int(i or 0):]:
        done.append({"id": kr.get("id"), "title": kr.get("title"), "unit": kr.get("unit"),
                     "target": kr.get("target"), "kind": kr.get("kind"), "per": kr.get("per"),
                     "value": kr.get("current"), "previous": kr.get("current"),
                     "confidence": kr.get("confidence"), "was": kr.get("confidence")})
    return done
