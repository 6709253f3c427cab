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
    ("floor", 95, 90, 95, 0.0),              # below the floor: broken, not 95 % of the way (F17)
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
    (kr("total", 20, 22, 25, "%"), "22% (from 20% toward 25%) · ⚪ not rated yet"),
])
def test_figures_read_naturally(row: KeyResult, caption: str) -> None:
    assert prompts.render("status/caption", kr=row) == caption


# --- a ceiling: a level to stay under (reviewer: "Keep churn below 3%" read as a floor) ---

@pytest.mark.parametrize(("current", "target", "progress"), [
    (2, 3, 1.0),                             # 2% churn under a 3% ceiling: held
    (3, 3, 1.0),                             # at the ceiling: still held
    (4, 3, 0.0),                             # above it: broken, not 75 % of the way (F17)
    (8, 3, 0.0),
    (0, 0, 1.0),                             # a ceiling of nothing, at nothing: held
    (1, 0, 0.0),                             # any escalation over a ceiling of none
])
def test_a_ceiling_is_held_at_or_below_it(current: float, target: float, progress: float) -> None:
    row = kr("ceiling", 0, current, target, "%")
    assert row.progress == pytest.approx(progress)
    assert row.held is (progress == 1.0)


@pytest.mark.parametrize(("text", "kind"), [
    ("Keep churn below 3%", "ceiling"),
    ("Keep discount at most 10%", "ceiling"),
    ("Keep average response time under 2 hours", "ceiling"),
    ("No more than 5 escalations by June 30", "ceiling"),
    ("Hold cost of sale less than 12%", "ceiling"),
    ("Keep 95% of customers", "floor"),      # "keep" alone is still a floor
    ("Stay above 20% win rate", "floor"),
    ("Keep booking fewer than 6 meetings a week", "rate"),   # a rate still wins
])
def test_a_ceiling_is_read_from_its_direction_word(text: str, kind: str) -> None:
    assert infer_kind(text)["kind"] == kind


def test_a_from_to_key_result_with_a_ceiling_word_stays_a_total() -> None:
    from conversations.krkinds import kr_kind

    found = kr_kind({"text": "Cut churn from 8% to below 5%", "start": 8.0, "target": 5.0})
    assert found["kind"] == "total"          # counts down from 8, so the bar shows the way
    assert kr_kind({"text": "Keep churn below 3%", "start": None, "target": 3.0})["kind"] == "ceiling"


@pytest.mark.parametrize(("row", "caption"), [
    (kr("ceiling", 0, 2, 3, "%", confidence="on_track"), "3% ceiling: at 2%, holding · 🟢 on track"),
    (kr("ceiling", 0, 3, 3, "%"), "3% ceiling: at 3%, holding · ⚪ not rated yet"),
    (kr("ceiling", 0, 8, 3, "%", confidence="off_track"), "3% ceiling: at 8%, above it · 🔴 off track"),
    (kr("ceiling", 0, 1.5, 2, "hours"), "2 hours ceiling: at 1.5 hours, holding · ⚪ not rated yet"),
])
def test_a_ceiling_reads_as_one_in_status(row: KeyResult, caption: str) -> None:
    assert prompts.render("status/caption", kr=row) == caption


def test_every_view_names_a_ceiling() -> None:
    """Each template that switches on the kind has a ceiling branch: none falls through
    to "of" (a total) or "make it by the deadline"."""
    one = {"title": "Keep churn below 3%", "objective": "Keep customers", "current": 2, "target": 3,
           "unit": "%", "kind": "ceiling", "per": None, "confidence": "unrated"}
    state = {"answers": {"i": 0}, "context": {"key_results": [one]}}
    assert "will \"Keep churn below 3%\" stay at or below its ceiling?" in prompts.render(
        "cadence/checkin/kr_confidence", **state)
    asked = prompts.render("cadence/checkin/kr_value", **state)
    assert "Last time: 3% ceiling: at 2%, holding." in asked and "Where does the level stand now?" in asked
    home = prompts.render("home/key_result", current=2, target=3, start=0, unit="%", confidence="unrated",
                          kind="ceiling", per=None)
    assert home.startswith("3% ceiling: at 2%, holding")
    brief = {"title": "Churn", "now": 4, "target": 3, "start": 0, "unit": "%", "kind": "ceiling", "per": None,
             "then": 4, "moved": False, "confidence": "at_risk", "then_confidence": "at_risk", "at_risk": True}
    assert "3% ceiling: at 4%, above it" in prompts.render("one_on_ones/brief_kr_caption", kr=brief)
    assert "**Churn**: 3% ceiling: at 4%, above it (not moved)" in prompts.render(
        "one_on_ones/brief_krs", krs=[brief], since=None)
    answer = {"text": "Keep churn below 3%", "target": 3, "unit": "%", "kind": "ceiling", "per": None}
    assert "a level to stay under (a ceiling)" in prompts.render(
        "flows/goals/kr_kind_ok", answers={"kr": answer})
    assert "at or below 3%" in prompts.render("flows/goals/kr_kind_ok", answers={"kr": answer})
    assert prompts.render("flows/goals/kr_kind_label", value="ceiling") == "A level to stay under (a ceiling)"


def test_the_chart_plots_a_ceiling_as_held() -> None:
    from bot.features.brief_chart import _ratio

    assert _ratio(2, 0, 3, "ceiling") == 1.0       # 2% under a 3% ceiling: all the way, not two thirds
    assert _ratio(6, 0, 3, "ceiling") == 0.0       # above it: broken, drawn at the bottom (F17)
    assert _ratio(2, 0, 4) == 0.5                  # a total still counts its way


# --- "from X to Y": the words match the bar (reviewer: "6% of 5%" beside a bar) ---

@pytest.mark.parametrize(("row", "caption", "bar"), [
    (kr("total", 8, 6, 5, "%"), "6% (from 8% toward 5%) · ⚪ not rated yet", 2 / 3),
    (kr("total", 100_000, 150_000, 200_000, "USD"), "$150,000 (from $100,000 toward $200,000) · ⚪ not rated yet",
     0.5),
    (kr("total", 0, 3, 12, "logos"), "3 of 12 logos · ⚪ not rated yet", 0.25),   # from nothing: "of" reads right
])
def test_a_from_to_key_result_reads_as_its_way(row: KeyResult, caption: str, bar: float) -> None:
    assert prompts.render("status/caption", kr=row) == caption
    assert row.progress == pytest.approx(bar)
    home = prompts.render("home/key_result", current=row.current_value, target=row.target_value,
                          start=row.start_value, unit=row.unit, confidence="unrated", kind="total", per=None)
    assert home.startswith(caption.split(" · ")[0])
    brief = {"title": "x", "now": row.current_value, "target": row.target_value, "start": row.start_value,
             "unit": row.unit, "kind": "total", "per": None, "confidence": "unrated"}
    assert prompts.render("one_on_ones/brief_kr_caption", kr=brief).startswith(caption.split(" · ")[0])
