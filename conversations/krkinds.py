"""Which kind of key result a sentence describes (issue #11), read from its words.

"Book 6 first meetings a week" is a rate per period, "keep 95 % of customers" a floor
to hold, "keep churn below 3 %" a ceiling to stay under, anything else a total to
reach by a date. The goal-setting flow shows the
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
# A level to stay at or under, whatever the verb: "keep churn below 3%", "discount at
# most 10%", "response time under 2 hours", "no more than 5 escalations".
_CEILING = re.compile(
    r"\b(?:below|under|beneath|at\s+most|at\s+the\s+most|no\s+more\s+than|not\s+more\s+than|less\s+than|"
    r"fewer\s+than|no\s+higher\s+than|not\s+above|never\s+above|not\s+exceed(?:ing)?|never\s+exceed(?:ing)?|"
    r"max(?:imum)?(?:\s+of)?|capped\s+at|or\s+less|or\s+fewer|or\s+lower)\b",
    re.IGNORECASE,
)


def infer_kind(text: str) -> dict[str, Any]:
    """{"kind": "rate", "per": "week"} for "6 first meetings a week" or "6 meetings/week";
    "ceiling" for "keep churn below 3 %" or "discount at most 10 %" (a direction word:
    below, under, at most, no more than, less than, max …); "floor" for "keep 95 % of
    customers"; "total" otherwise. A rate wins over both ("keep booking 6 meetings a
    week" is a rate), and a ceiling's direction over a floor's verb ("keep … below" is
    a ceiling: "keep" alone says nothing of the direction)."""
    rate = _RATE.search(text)
    if rate is not None:
        per = rate.group("per") or _LY[rate.group("ly").lower()]
        return {"kind": "rate", "per": per.lower()}
    if _CEILING.search(text):
        return {"kind": "ceiling", "per": None}
    if _FLOOR.search(text):
        return {"kind": "floor", "per": None}
    return {"kind": "total", "per": None}


def kr_kind(kr: Any = None) -> dict[str, Any]:
    """The flow step `compute: kr_kind`: the key result answer with its kind added. A
    "from … to" key result with a ceiling's word ("cut churn from 8% to below 5%")
    stays a total counting down from its start, so its bar shows the way travelled."""
    found = dict(kr) if isinstance(kr, dict) else {}
    kind = infer_kind(str(found.get("text") or ""))
    if kind["kind"] == "ceiling" and found.get("start") is not None:
        kind = {"kind": "total", "per": None}
    found.update(kind)
    return found
