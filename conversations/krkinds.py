"""Which kind of key result a sentence describes (issue #11), read from its words.

"Book 6 first meetings a week" is a rate per period, "keep 95 % of customers" a floor
to hold, anything else a total to reach by a date. The goal-setting flow shows the
reading and lets the rep correct it, so a wrong guess is never stored silently.
Pure: no I/O. The kinds themselves are `storage.models.okrs.KR_KINDS`; the quota kind
is only ever written by the goal-setting end action, never inferred.
"""

from __future__ import annotations

import re
from typing import Any

_RATE = re.compile(
    r"(?:(?:\b(?:a|per|each|every)\s+|/\s*)(?P<per>week|month|quarter|day)|\b(?P<ly>weekly|monthly|quarterly|daily))\b",
    re.IGNORECASE,
)
_LY = {"weekly": "week", "monthly": "month", "quarterly": "quarter", "daily": "day"}
_FLOOR = re.compile(
    r"\b(?:keep|maintain|hold|retain|stay\s+(?:above|at|over)|at\s+least|no\s+less\s+than|never\s+below|"
    r"not\s+below|minimum\s+of)\b",
    re.IGNORECASE,
)


def infer_kind(text: str) -> dict[str, Any]:
    """{"kind": "rate", "per": "week"} for "6 first meetings a week" or "6 meetings/week";
    "floor" for "keep 95 % of customers"; "total" otherwise. A rate wins over a floor ("keep
    booking 6 meetings a week" is a rate)."""
    rate = _RATE.search(text)
    if rate is not None:
        per = rate.group("per") or _LY[rate.group("ly").lower()]
        return {"kind": "rate", "per": per.lower()}
    if _FLOOR.search(text):
        return {"kind": "floor", "per": None}
    return {"kind": "total", "per": None}


def kr_kind(kr: Any = None) -> dict[str, Any]:
    """The flow step `compute: kr_kind`: the key result answer with its kind added."""
    found = dict(kr) if isinstance(kr, dict) else {}
    found.update(infer_kind(str(found.get("text") or "")))
    return found
