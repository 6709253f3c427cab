"""Winning or losing (4DX's compelling scorecard), as pure arithmetic on stored rows.

A WIG is "from X to Y by when" (seed 003). Its lag measure is judged against the
straight line from X on the day it was set to Y on its date: ahead, on pace or
behind, with the gap in the WIG's own unit. Lead measures are each rep's weekly
number against the target that applies to them, and the team's total against the
sum of those targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.core.clock import local_day
from storage.models import LeadMeasure, Wig, WigReading
from storage.scorecard import TeamWeeks

# Within this share of the whole distance (from X to Y) of the straight line is "on
# pace": a WIG of 1.2M -> 1.5M is on pace within ±6,000.
ON_PACE_SHARE = 0.02
# The most decimals a WIG's pace and gap keep, however many its own figures have.
MAX_DIGITS = 3
# Below this size a WIG of whole figures keeps one decimal on its pace ("3.3 of 10
# deals by now"); from it on, whole units ("$1,265,094", not "$1,265,094.34").
WHOLE_FROM = 100


@dataclass(frozen=True)
class Standing:
    """Where a WIG stands: its latest reading (`current`, None before the first), the
    value the straight line expects on the reading's day, the gap (positive = ahead,
    in the WIG's unit, whatever the direction of travel), the verdict, and the decimals
    the pace and the gap are shown with."""

    wig: Wig
    current: float | None
    expected: float
    gap: float
    verdict: str  # "ahead" | "on_pace" | "behind" | "no_reading"
    on: date
    digits: int = 0  # the decimals `expected` and `gap` are shown with (`shown_digits`)


def start_of(wig: Wig) -> date:
    """The day the straight line starts: `started_on`, else the UTC day it was created."""
    return wig.started_on or wig.created_at.date()


def expected_on(wig: Wig, day: date) -> float:
    """The straight-line value on a day: X before the start, Y on and after the date."""
    start = start_of(wig)
    span = (wig.by_date - start).days
    if span <= 0:
        return wig.to_value
    share = min(1.0, max(0.0, (day - start).days / span))
    return wig.from_value + (wig.to_value - wig.from_value) * share


def shown_digits(wig: Wig) -> int:
    """How many decimals a WIG's computed figures (its pace, its gap) are shown with:
    as many as its own figures were typed with ("from 2.25% to 3.75%": 2), at most
    `MAX_DIGITS`; for whole figures, none from `WHOLE_FROM` up (an ARR of millions is
    counted in whole dollars) and one below it (a pace of 3.3 of 10 deals)."""
    own = max(_decimals(wig.from_value), _decimals(wig.to_value))
    if own:
        return min(own, MAX_DIGITS)
    return 0 if max(abs(wig.from_value), abs(wig.to_value)) >= WHOLE_FROM else 1


def _decimals(value: float) -> int:
    """The decimals a stored figure has as typed: 2.25 -> 2, 1200000.0 -> 0."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _rounded(value: float, digits: int) -> float:
    """Half away from zero, as every figure is shown (`prompts.rounded`)."""
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def reading_day(reading: WigReading, timezone: str | None = None) -> date:
    """The day a reading counts for: the local day in `timezone` (IANA) it was
    recorded on, as the reader's calendar has it: a reading taken on Tuesday morning
    in Auckland is Tuesday's there, not the Monday its UTC instant falls on, and
    Sunday evening's in New York is Monday's in Kolkata. Without a zone, its UTC day
    kept inside its week (`week_start`, the recorder's local ISO Monday): the nearest
    day to the recorder's own without knowing their zone. `recorded_at` is UTC (a
    naive one is read as UTC)."""
    at = reading.recorded_at if reading.recorded_at.tzinfo else reading.recorded_at.replace(tzinfo=UTC)
    if timezone:
        return local_day(at, timezone)
    return min(max(at.date(), reading.week_start), reading.week_start + timedelta(days=6))


def standing(wig: Wig, readings: Sequence[WigReading], today: date, timezone: str | None = None) -> Standing:
    """Judge the latest reading against the straight-line pace on its day (`on`, the
    reading's local day in `timezone`: `reading_day`), which may lie after the week a
    scorecard reports on: the lag measure is shown as it stands now. `timezone` and
    `today` are the WIG owner's (the team manager's zone and local day), so one WIG
    has one pace for everyone reading it at the same moment; the reader's own calendar
    only names the reading's day. The pace and the gap are rounded to the WIG's own
    precision (`shown_digits`), and the verdict is judged on what is shown."""
    digits = shown_digits(wig)
    if not readings:
        return Standing(wig, None, _rounded(expected_on(wig, today), digits), 0.0, "no_reading", today, digits)
    latest = readings[-1]
    day = reading_day(latest, timezone)
    expected = _rounded(expected_on(wig, day), digits)
    direction = 1.0 if wig.to_value >= wig.from_value else -1.0
    gap = _rounded((latest.value - expected) * direction, max(digits, _decimals(latest.value)))
    tolerance = abs(wig.to_value - wig.from_value) * ON_PACE_SHARE
    verdict = "on_pace" if abs(gap) <= tolerance else ("ahead" if gap > 0 else "behind")
    return Standing(wig, latest.value, expected, gap, verdict, day, digits)


@dataclass
class MeasureLine:
    """One lead measure on the scorecard: each rep's actual and target for the week,
    the team's total (None when nobody gave a number: no number is not 0) against the
    sum of targets, and the team total of each week shown since the measure was set
    (oldest first; None for a week nobody reported) for the trend."""

    measure: LeadMeasure
    reps: list[tuple[int, str, float | None, float]] = field(default_factory=list)  # id, name, actual, target
    total: float | None = None
    target: float = 0.0
    trend: list[float | None] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.total / self.target if self.target and self.total is not None else None


def set_week(measure: LeadMeasure) -> date | None:
    """The ISO Monday of the week a measure was set (its UTC day's), or None when
    not known (set before migration 0020): the first week its trend shows."""
    if measure.created_at is None:
        return None
    day = measure.created_at.date()
    return day - timedelta(days=day.weekday())


def measure_lines(data: TeamWeeks) -> list[MeasureLine]:
    """Every lead measure's line for the scored week (the last of `data.weeks`); the
    trend leaves out the weeks before the measure was set (`set_week`)."""
    week = data.weeks[-1]
    lines = []
    for measure in data.measures:
        line = MeasureLine(measure)
        for person in data.people:
            target = data.target(measure, person.id)  # type: ignore[arg-type]
            if target is None:
                continue
            actual = data.numbers.get((measure.id, person.id, week))  # type: ignore[arg-type]
            line.reps.append((person.id, person.name, actual, target))  # type: ignore[arg-type]
            if actual is not None:
                line.total = (line.total or 0.0) + actual
            line.target += target
        since = set_week(measure)
        for each in data.weeks:
            if since is not None and each < since:
                continue
            found = [v for (m, _, w), v in data.numbers.items() if m == measure.id and w == each]
            line.trend.append(sum(found) if found else None)
        lines.append(line)
    return lines


def commitments_kept(data: TeamWeeks) -> tuple[int, int]:
    """The team's commitments for the scored week: (kept, made)."""
    return (sum(k for k, _ in data.kept.values()), sum(m for _, m in data.kept.values()))
