"""The arithmetic behind a quota: deals, opportunities, pipeline and weekly prospecting.

Seed 000 asks every seller to "understand the math" of their year and to ask what
would change with a better win rate, bigger deals or a shorter cycle. This module is
that math, pure and total: a zero or missing input yields a named problem the plan
explains, never a ZeroDivisionError. The formulas are in conversations/README.md.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

SELLING_WEEKS = 46.0
WHAT_IFS: dict[str, dict[str, float]] = {
    "win_rate": {"win_rate": 1.25},
    "deal_value": {"deal_value": 1.20},
    "cycle": {"cycle_days": 0.90},
    "all": {"win_rate": 1.25, "deal_value": 1.20, "cycle_days": 0.90},
}


def _ceil(value: float, digits: int = 0) -> float:
    """Round up, after removing float noise (3 * 0.1 * 10 is 3.0000000000000004)."""
    scale = 10**digits
    return math.ceil(round(value * scale, 9)) / scale


@dataclass(frozen=True)
class Plan:
    """What a year's number asks of a seller. Unknown figures are None, with the
    reasons in `problems`."""

    quota: float | None
    booked: float
    gap: float | None
    win_rate: float | None
    deal_value: float | None
    cycle_days: float | None
    selling_weeks: float
    deals: int | None = None
    opportunities: int | None = None
    pipeline: float | None = None
    prospecting_weeks: float | None = None
    per_week: float | None = None
    open_pipeline: float | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _number(value: Any) -> float | None:
    """Accept a float, an int, a money answer ({"amount": …}) or None."""
    if isinstance(value, dict):
        value = value.get("amount")
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def plan(quota: Any, win_rate: Any, deal_value: Any, cycle_days: Any = None,
         booked: Any = None, selling_weeks: float = SELLING_WEEKS) -> Plan:
    """Deals, opportunities, pipeline and weekly new opportunities for a quota."""
    q, w, d, c = _number(quota), _number(win_rate), _number(deal_value), _number(cycle_days)
    b = _number(booked) or 0.0
    problems: list[str] = []
    if q is None or q <= 0:
        problems.append("missing_quota")
    if w is None or w <= 0:
        problems.append("missing_win_rate")
    elif w > 1:
        problems.append("win_rate_above_100")
    if d is None or d <= 0:
        problems.append("missing_deal_value")
    if c is not None and c < 0:
        problems.append("negative_cycle")
    gap = max(q - b, 0.0) if q is not None and q > 0 else None
    result = Plan(q, b, gap, w, d, c, selling_weeks, problems=problems)
    if gap is None or "missing_win_rate" in problems or "win_rate_above_100" in problems \
            or "missing_deal_value" in problems:
        return result
    assert w is not None and d is not None
    deals = int(_ceil(gap / d))
    opportunities = int(_ceil(deals / w))
    values: dict[str, Any] = {
        "deals": deals,
        "opportunities": opportunities,
        "pipeline": opportunities * d,
    }
    if c is not None and c >= 0:
        cycle_weeks = c / 7
        weeks = selling_weeks - cycle_weeks
        if weeks <= 0:
            problems.append("cycle_too_long")
        else:
            per_week = _ceil(opportunities / weeks, 1)
            values.update(
                prospecting_weeks=round(weeks, 1),
                per_week=per_week,
                open_pipeline=round(per_week * cycle_weeks * d, 2),
            )
    elif c is None:
        problems.append("missing_cycle")
    return Plan(q, b, gap, w, d, c, selling_weeks, problems=problems, **values)


def what_ifs(base: Plan) -> dict[str, dict[str, Any]]:
    """The same plan with a 25 % better win rate, 20 % bigger deals, a 10 % shorter
    cycle, and all three at once; each with the change against the base."""
    out: dict[str, dict[str, Any]] = {}
    for name, factors in WHAT_IFS.items():
        inputs: dict[str, Any] = {
            "win_rate": base.win_rate, "deal_value": base.deal_value, "cycle_days": base.cycle_days,
        }
        for key, factor in factors.items():
            if inputs[key] is not None:
                inputs[key] = inputs[key] * factor
        if inputs["win_rate"] is not None:
            inputs["win_rate"] = min(inputs["win_rate"], 1.0)
        changed = plan(base.quota, booked=base.booked, selling_weeks=base.selling_weeks, **inputs)
        entry = changed.as_dict()
        entry["fewer_opportunities"] = (
            base.opportunities - changed.opportunities
            if base.opportunities is not None and changed.opportunities is not None else None
        )
        entry["fewer_per_week"] = (
            round(base.per_week - changed.per_week, 1)
            if base.per_week is not None and changed.per_week is not None else None
        )
        out[name] = entry
    return out


def goal_math(quota: Any = None, win_rate: Any = None, deal_value: Any = None,
              cycle_days: Any = None, booked: Any = None) -> dict[str, Any]:
    """The flow step `compute: goal_math`: the plan and its what-ifs, as plain JSON."""
    base = plan(quota, win_rate, deal_value, cycle_days, booked)
    result = base.as_dict()
    result["what_ifs"] = what_ifs(base) if base.opportunities is not None else {}
    return result
