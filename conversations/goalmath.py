"""The arithmetic behind a quota: pipeline, deals, opportunities and weekly prospecting.

Seed 000 asks every seller to "understand the math" of their year and to ask what
would change with a better win rate, bigger deals or a shorter cycle; seed 002 adds
the run-rate check (how much of the number is already in hand). This module is that
math, pure and total: a zero or missing input yields a named problem the plan
explains, never a ZeroDivisionError. The formulas are in the README ("The goal math").

Money is in the quota's currency; a win rate is a fraction (0.25); a cycle is in
calendar days; weeks are calendar weeks (days ÷ 7) between two local dates.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

WHAT_IFS: dict[str, dict[str, float]] = {
    "win_rate": {"win_rate": 1.25},
    "deal_value": {"deal_value": 1.20},
    "cycle": {"cycle_days": 0.90},
    "all": {"win_rate": 1.25, "deal_value": 1.20, "cycle_days": 0.90},
}
MIN_PROSPECTING_WEEKS = 8.0   # fewer: this year's number comes from today's pipeline
ROBUST_BELOW = 0.20           # booked + expected under 20 % of quota: plan must be robust
STRETCH_ABOVE = 0.80          # over 80 %: the target may be too low to stretch
DEFAULT_WEEKS = 52.0          # when no dates are known: a whole year


def _ceil(value: float, digits: int = 0) -> float:
    """Round up, after removing float noise (3 * 0.1 * 10 is 3.0000000000000004)."""
    scale = 10**digits
    return math.ceil(round(value * scale, 9)) / scale


def _about(value: float) -> float:
    """Money said as "about": three significant figures (1,001,324.50 -> 1,000,000;
    500,662.25 -> 501,000), so an estimate does not read as an exact figure."""
    if value == 0:
        return 0.0
    return float(round(value, 2 - int(math.floor(math.log10(abs(value))))))


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def selling_weeks(start: Any = None, end: Any = None, today: Any = None) -> float:
    """Calendar weeks from the plan's start (or today, if later) to the period's end,
    both days counted; 0 when the period is over; a whole year (52) without an end."""
    first, last, now = _day(start), _day(end), _day(today)
    if last is None:
        return DEFAULT_WEEKS
    begin = max(d for d in (first, now) if d is not None) if (first or now) else date(last.year, 1, 1)
    return max(((last - begin).days + 1) / 7, 0.0)


@dataclass(frozen=True)
class Plan:
    """What a year's number asks of a seller. Unknown figures are None, with the
    reasons in `problems`. `selling_weeks` is rounded for display (52.1); the what-ifs
    recompute from `weeks_exact` (52.14), so a changed plan differs from the base only
    by what was changed."""

    quota: float | None
    booked: float
    expected: float
    churn: float
    gap: float | None
    win_rate: float | None
    deal_value: float | None
    cycle_days: float | None
    selling_weeks: float
    weeks_exact: float = DEFAULT_WEEKS
    pipeline: float | None = None
    deals: int | None = None
    opportunities: int | None = None
    opportunities_exact: float | None = None
    prospecting_weeks: float | None = None
    per_week: float | None = None
    per_week_exact: float | None = None
    open_pipeline: float | None = None
    run_rate: float | None = None
    run_rate_note: str | None = None
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


def _run_rate(q: float | None, in_hand: float, churn: float = 0.0) -> tuple[float | None, str | None]:
    """Seed 002's run-rate check: the share of the year's number already booked or
    expected, (B + E) ÷ (Q + R). A farmer's number includes the churn R to replace
    (seed 002's hunters and farmers): $900k booked against a $1M quota with $500k of
    churn is 60 % of what is still to win, not 90 % ("is the target high enough?")."""
    if q is None or q <= 0:
        return None, None
    share = in_hand / (q + churn)
    if share < ROBUST_BELOW:
        return share, "robust"
    if share > STRETCH_ABOVE:
        return share, "stretch"
    return share, None


def plan(quota: Any, win_rate: Any, deal_value: Any, cycle_days: Any = None,
         booked: Any = None, expected: Any = None, weeks: float = DEFAULT_WEEKS,
         churn: Any = None) -> Plan:
    """Pipeline, deals, opportunities and weekly new opportunities for a quota.

    still to win  G = max(Q + R − B − E, 0)  (booked B, weighted open pipeline E,
                                              churn to replace R: a farmer's base lost)
    run rate      (B + E) ÷ (Q + R)           (seed 002: under 20 % robust, over 80 % stretch)
    pipeline      P = G ÷ w                   (money, before any rounding)
    deals         D = ceil(G ÷ d)             opportunities O = ceil(P ÷ d)
    per week      N = (P ÷ d) ÷ (weeks − c/7), only with at least 8 prospecting weeks
    """
    q, w, d, c = _number(quota), _number(win_rate), _number(deal_value), _number(cycle_days)
    b, e, r = _number(booked) or 0.0, _number(expected) or 0.0, max(_number(churn) or 0.0, 0.0)
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
    gap = max(q + r - b - e, 0.0) if q is not None and q > 0 else None
    share, note = _run_rate(q, b + e, r)
    base = {"quota": q, "booked": b, "expected": e, "churn": r, "gap": gap, "win_rate": w, "deal_value": d,
            "cycle_days": c, "selling_weeks": round(weeks, 1), "weeks_exact": weeks,
            "run_rate": share, "run_rate_note": note}
    if gap is None or {"missing_win_rate", "win_rate_above_100", "missing_deal_value"} & set(problems):
        return Plan(**base, problems=problems)
    assert w is not None and d is not None
    pipeline = gap / w
    exact = pipeline / d
    values: dict[str, Any] = {
        "pipeline": round(pipeline, 2),
        "deals": int(_ceil(gap / d)),
        "opportunities": int(_ceil(exact)),
        "opportunities_exact": exact,
    }
    if c is not None and c >= 0:
        cycle_weeks = c / 7
        prospecting = weeks - cycle_weeks
        if prospecting < MIN_PROSPECTING_WEEKS:
            problems.append("cycle_too_long")
        else:
            per_week = exact / prospecting
            values.update(
                prospecting_weeks=round(prospecting, 1),
                per_week=_ceil(per_week, 1),
                per_week_exact=per_week,
                open_pipeline=_about(per_week * cycle_weeks * d),
            )
    elif c is None:
        problems.append("missing_cycle")
    return Plan(**base, problems=problems, **values)


def what_ifs(base: Plan) -> dict[str, dict[str, Any]]:
    """The same plan with a 25 % better win rate, 20 % bigger deals, a 10 % shorter
    cycle, and all three at once (seed 000: "what would change with a better win
    rate, bigger deals or a shorter cycle").

    A gain is the difference of the figures shown, never of the unrounded ones: with
    2.8 a week shown before and 2.3 after, the plan says "0.5 fewer", not the 0.56 of
    the exact figures rounded on its own to "0.6". `fewer_per_week` (one decimal) and
    `fewer_opportunities` (whole) are those differences, and `noticeable` says whether
    the shown figures carry any gain at all (2.8 before and 2.8 after is "hardly a
    change", whatever the exact figures did). Each changed plan is recomputed over
    the base plan's unrounded weeks (`weeks_exact`)."""
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
        changed = plan(base.quota, booked=base.booked, expected=base.expected, weeks=base.weeks_exact,
                       churn=base.churn, **inputs)
        entry = changed.as_dict()
        fewer = (base.opportunities - changed.opportunities
                 if base.opportunities is not None and changed.opportunities is not None else None)
        fewer_week = (round(base.per_week - changed.per_week, 1)
                      if base.per_week is not None and changed.per_week is not None else None)
        entry["fewer_opportunities"] = fewer
        entry["fewer_per_week"] = fewer_week
        entry["noticeable"] = bool((fewer_week is not None and fewer_week > 0)
                                   or (fewer_week is None and fewer is not None and fewer > 0))
        out[name] = entry
    return out


def goal_math(quota: Any = None, win_rate: Any = None, deal_value: Any = None,
              cycle_days: Any = None, booked: Any = None, expected: Any = None,
              start: Any = None, end: Any = None, today: Any = None,
              installed_base: Any = None, churn_rate: Any = None) -> dict[str, Any]:
    """The flow step `compute: goal_math`: the plan and its what-ifs, as plain JSON.
    `start`/`end` are the plan's first and last day, `today` the rep's local day
    (ISO dates); the selling weeks run from the later of start and today to the end.
    A farmer's installed base (money) times the churn rate (a fraction) is revenue
    lost that expansion must replace on top of the quota."""
    base_value, rate = _number(installed_base), _number(churn_rate)
    churn = base_value * rate if base_value and rate and rate > 0 else None
    base = plan(quota, win_rate, deal_value, cycle_days, booked, expected,
                selling_weeks(start, end, today), churn)
    result = base.as_dict()
    result["what_ifs"] = what_ifs(base) if base.opportunities is not None else {}
    return result
