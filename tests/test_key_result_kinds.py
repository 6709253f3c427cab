"""Kinds of key result (issue #11): progress read by kind in the one place it is
defined (`KeyResult.progress`), the kind inferred from the words, and figures that
read naturally in every view."""

from __future__ import annotations

import pytest

import prompts
from conversations.krkinds import infer_kind
from storage.models import KeyResult


def kr(kind: str, start: float, current: float, target: float, unit: str = "", per: str | None = None,
       confidence: str = "unrated") -> KeyResult:
    return KeyResult(objective_id=1, title="x", kind=kind, start_value=start, current_value=current,
                     target_value=target, unit=unit, per=per, confidence=confidence)


@pytest.mark.parametrize(("kind", "start", "current", "target", "progress"), [
    ("total", 0, 3, 12, 0.25),               # 3 of 12 logos
    ("total", 12, 9, 6, 0.5),                # churn cut from 12 to 9 on the way to 6
    ("total", 5, 5, 5, 1.0),                 # no way to go, already there
    ("total", 0, 14, 10, 1.0),               # past the target: clamped
    ("quota", 0, 420_000, 1_200_000, 0.35),  # booked business counts: 35 %, not 13 %
    ("quota", 0, 1_500_000, 1_200_000, 1.0),
    ("rate", 0, 4, 6, 4 / 6),                # the latest week's 4 against 6 a week
    ("rate", 0, 7, 6, 1.0),
    ("floor", 95, 98, 95, 1.0),              # holding the floor is on track, not "of the way"
    ("floor", 95, 95, 95, 1.0),
    ("floor", 95, 90, 95, 90 / 95),          # below the floor
    ("floor", 0, 0, 0, 1.0),                 # a floor of nothing is always held
])
def test_progress_by_kind(kind: str, start: float, current: float, target: float, progress: float) -> None:
    assert kr(kind, start, current, target).progress == pytest.approx(progress)


def test_a_rate_is_never_a_running_total() -> None:
    weekly = kr("rate", 0, 0, 6)
    for week in (5, 6, 4):                   # three check-ins: the latest counts, not 15
        weekly.current_value = week
    assert weekly.progress == pytest.approx(4 / 6)


@pytest.mark.parametrize(("text", "kind", "per"), [
    ("Close 12 new logos by June 30", "total", None),
    ("Book 6 first meetings a week", "rate", "week"),
    ("Run 5 prospecting blocks per week by end of Q1", "rate", "week"),
    ("Two partner events monthly", "rate", "month"),
    ("Keep 95% of customers", "floor", None),
    ("Maintain a win rate of at least 25%", "floor", None),
    ("Keep booking 6 meetings a week", "rate", "week"),
])
def test_the_kind_is_inferred_from_the_words(text: str, kind: str, per: str | None) -> None:
    assert infer_kind(text) == {"kind": kind, "per": per}


@pytest.mark.parametrize(("row", "caption"), [
    (kr("total", 0, 1, 8, "logos"), "1 of 8 logos · ⚪ not rated yet"),
    (kr("total", 0, 600_000, 750_000, "USD", confidence="on_track"), "$600,000 of $750,000 · 🟢 on track"),
    (kr("quota", 0, 420_000, 1_200_000, "USD"), "$420,000 of $1,200,000 · ⚪ not rated yet"),
    (kr("rate", 0, 4, 6, "meetings", "week"), "4 meetings a week lately (aim: 6 meetings a week) · ⚪ not rated yet"),
    (kr("floor", 95, 98, 95, "%"), "98%, holding the floor of 95% · ⚪ not rated yet"),
    (kr("floor", 95, 91, 95, "%", confidence="at_risk"), "91%, below the floor of 95% · 🟡 at risk"),
    (kr("total", 20, 22, 25, "%"), "22% of 25% · ⚪ not rated yet"),
])
def test_figures_read_naturally(row: KeyResult, caption: str) -> None:
    assert prompts.render("status/caption", kr=row) == caption
