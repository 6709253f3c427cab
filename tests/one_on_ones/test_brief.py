"""The brief's figures against a hand-computed fixture, the chart as a PNG of the
expected size, the coaching-question rules, who may read a brief, and the brief
within Slack's and Teams' limits."""

from __future__ import annotations

import json
import struct
from datetime import date, timedelta

import pytest
from conftest import say
from meeting_helpers import at, utc

import prompts
from bot.channels.slack import blocks
from bot.channels.teams import cards
from bot.core.channel import Channels
from bot.core.settings import Settings
from bot.features import brief_chart, coaching
from bot.features.brief_data import gather
from bot.features.briefs import build_brief
from bot.runtime import build_coach
from storage import people
from storage.models import (
    ActionItem,
    CheckIn,
    CheckInAnswer,
    Commitment,
    KeyResult,
    LeadMeasure,
    LeadMeasureEntry,
    Meeting,
    Objective,
    Occurrence,
    OneOnOne,
    Wig,
)
from storage.people import TeamRow


async def fixture_rep(db, team) -> None:
    """Ravi's figures; the last one-on-one was Tue 23 Feb 2027 15:00 UTC."""
    ravi, maria, org = team["ravi"], team["maria"], team["org"]
    async with db.session() as s:
        series = OneOnOne(org_id=org, manager_id=maria, rep_id=ravi)
        s.add(series)
        objective = Objective(org_id=org, owner_id=ravi, title="Grow new business", period="2027",
                              created_at=utc(2027, 1, 4))
        s.add(objective)
        await s.flush()
        s.add(Meeting(org_id=org, series_id=series.id, manager_id=maria, rep_id=ravi, nominal_on=date(2027, 2, 23),
                      starts_at=utc(2027, 2, 23, 15), status="held"))
        logos = KeyResult(objective_id=objective.id, title="New logos", target_value=12, current_value=5,
                          unit="logos", confidence="at_risk", due_on=date(2027, 12, 31))
        pipeline = KeyResult(objective_id=objective.id, title="Pipeline created", target_value=1_000_000,
                             current_value=400_000, unit="USD", confidence="on_track")
        s.add_all([logos, pipeline])
        await s.flush()
        for day, value, confidence in [(2, 2, "on_track"), (16, 3, "on_track")]:
            check = CheckIn(org_id=org, person_id=ravi, kind="okr_checkin", started_at=utc(2027, 2, day, 5))
            s.add(check)
            await s.flush()
            s.add(CheckInAnswer(checkin_id=check.id, key_result_id=logos.id, question="key_result", value=value,
                                confidence=confidence, answered_at=utc(2027, 2, day, 5)))
        check = CheckIn(org_id=org, person_id=ravi, kind="okr_checkin", started_at=utc(2027, 3, 2, 5),
                        blockers="legal review is slow", change_next="book legal earlier")
        s.add(check)
        await s.flush()
        s.add(CheckInAnswer(checkin_id=check.id, key_result_id=logos.id, question="key_result", value=5,
                            confidence="at_risk", answered_at=utc(2027, 3, 2, 5)))
        s.add_all([
            Occurrence(key="okr_checkin:r:1", org_id=org, person_id=ravi, kind="okr_checkin", due_at=utc(2027, 3, 2, 4),
                       local_date=date(2027, 3, 2), status="answered", delivered_at=utc(2027, 3, 2, 4),
                       answered_at=utc(2027, 3, 2, 5)),
            Occurrence(key="wig:r:1", org_id=org, person_id=ravi, kind="wig", due_at=utc(2027, 3, 1, 3),
                       local_date=date(2027, 3, 1), status="answered", delivered_at=utc(2027, 3, 1, 3),
                       answered_at=utc(2027, 3, 3, 9)),
            Occurrence(key="wig:r:2", org_id=org, person_id=ravi, kind="wig", due_at=utc(2027, 3, 8, 3),
                       local_date=date(2027, 3, 8), status="missed"),
            Occurrence(key="wig:r:0", org_id=org, person_id=ravi, kind="wig", due_at=utc(2027, 2, 22, 3),
                       local_date=date(2027, 2, 22), status="missed"),  # before the last 1:1: not counted
        ])
        wig = Wig(org_id=org, manager_id=maria, title="Win 40 logos", from_value=0, to_value=40,
                  by_date=date(2027, 12, 31))
        s.add(wig)
        await s.flush()
        measure = LeadMeasure(wig_id=wig.id, title="First meetings", weekly_target=5)
        s.add(measure)
        await s.flush()
        s.add_all([LeadMeasureEntry(lead_measure_id=measure.id, person_id=ravi, week_start=date(2027, 2, 22), value=4),
                   LeadMeasureEntry(lead_measure_id=measure.id, person_id=ravi, week_start=date(2027, 3, 1), value=6)])
        for week, kept in [(date(2027, 2, 15), True), (date(2027, 2, 22), True), (date(2027, 3, 1), False),
                           (date(2027, 3, 1), True), (date(2027, 3, 8), None)]:
            s.add(Commitment(person_id=ravi, text="call", week_start=week, kept=kept))
        s.add(ActionItem(org_id=org, manager_id=maria, rep_id=ravi, owner_id=ravi, text="send the ACME proposal",
                         due_on=date(2027, 3, 5)))


async def test_the_brief_figures_match_the_hand_computed_fixture(coach, team, db) -> None:
    await fixture_rep(db, team)
    async with db.session() as s:
        maria, ravi = await people.get(s, team["maria"]), await people.get(s, team["ravi"])
    data = await gather(db, maria, ravi, utc(2027, 2, 23, 15), utc(2027, 3, 9, 13))
    logos, pipeline = data.key_results
    assert (logos["then"], logos["now"], logos["change"], logos["then_confidence"], logos["dropped"]) == (
        3, 5, 2, "on_track", True)
    # no check-in ever gave the pipeline a figure: it stood where it was set, not "was 0"
    assert (pipeline["then"], pipeline["now"], pipeline["moved"], pipeline["at_risk"]) == (
        400_000, 400_000, False, False)
    assert data.record == {"okr_checkin": {"answered": 1}, "wig": {"late": 1, "missed": 1}}
    assert (data.made, data.kept) == (4, 3)
    assert data.measures[0]["total"] == 10 and data.measures[0]["average"] == 5 and data.measures[0]["on_target"]
    assert data.blockers[0]["blockers"] == "legal review is slow" and data.earlier_change is None
    assert [i.text for i in data.items] == ["send the ACME proposal"]
    metrics = data.metrics()
    assert metrics["overdue_items"] == 1 and metrics["measure:first meetings"] == 10
    with at(utc(2027, 3, 9, 13)):
        shown = "\n".join(m.plain() for m in await build_brief(coach, maria, ravi, utc(2027, 3, 9, 13)))
    assert "New logos**: 5 of 12 logos (was 3 logos, +2 logos), at risk (was on track)" in shown
    assert "OKR check-ins: 1 answered on time, 0 late, 0 missed" in shown
    assert "WIG sessions: 0 answered on time, 1 late, 1 missed" in shown
    assert "Commitments kept: 3 of 4 (75%)" in shown
    assert "First meetings: 5 a week against a target of 5" in shown
    assert "since your last one-on-one on 23 Feb" in shown
    assert "[image: Chart of Ravi Rep's key results" in shown
    assert "1. Some of what we agreed last time is overdue." in shown


async def test_a_figure_or_confidence_with_no_answer_before_the_window_is_not_invented(coach, team, db) -> None:
    """A quota set up in June with $800k booked and never rated: the brief must not
    read "was $0, +$800,000", "(was on track)" or count "not rated yet" as at risk;
    a key result whose only answers fall inside the window has no earlier figure."""
    ravi, maria, org = team["ravi"], team["maria"], team["org"]
    async with db.session() as s:
        objective = Objective(org_id=org, owner_id=ravi, title="Quota", period="2027", created_at=utc(2026, 6, 1))
        s.add(objective)
        await s.flush()
        quota = KeyResult(objective_id=objective.id, title="Quota 2027", kind="quota", start_value=0,
                          current_value=800_000, target_value=1_000_000, unit="USD", confidence="unrated")
        demos = KeyResult(objective_id=objective.id, title="Demos", start_value=0, current_value=7,
                          target_value=20, unit="demos", confidence="at_risk")
        s.add_all([quota, demos])
        await s.flush()
        check = CheckIn(org_id=org, person_id=ravi, kind="okr_checkin", started_at=utc(2027, 3, 2, 5))
        s.add(check)
        await s.flush()
        s.add(CheckInAnswer(checkin_id=check.id, key_result_id=demos.id, question="key_result", value=7,
                            confidence="at_risk", answered_at=utc(2027, 3, 2, 5)))
        maria_p, ravi_p = await people.get(s, maria), await people.get(s, ravi)
    data = await gather(db, maria_p, ravi_p, utc(2027, 2, 23, 15), utc(2027, 3, 9, 13))
    by_title = {k["title"]: k for k in data.key_results}
    q, d = by_title["Quota 2027"], by_title["Demos"]
    assert (q["then"], q["change"], q["moved"], q["then_confidence"], q["dropped"], q["at_risk"]) == (
        800_000, 0, False, "unrated", False, False)
    assert (d["then"], d["change"], d["then_confidence"], d["dropped"], d["at_risk"]) == (None, None, None, False, True)
    assert data.metrics()["krs_moved"] == 0
    with at(utc(2027, 3, 9, 13)):
        shown = "\n".join(m.plain() for m in await build_brief(coach, maria_p, ravi_p, utc(2027, 3, 9, 13)))
    assert "Quota 2027**: $800,000 of $1,000,000 (not moved), not rated yet" in shown
    assert "(was $0" not in shown and "was on track" not in shown and "unrated" not in shown
    alt = prompts.render("one_on_ones/chart_alt", name="Ravi", krs=[q])  # the chart's description
    assert "Quota 2027 at 80% (not rated yet)." in alt
    assert "Demos**: 7 of 20 demos (no figure from before Tue 9 Feb 2027 to compare with), at risk ⚠" in shown
    assert "At risk: Demos." in shown


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_the_chart_is_a_valid_png_of_the_expected_size() -> None:
    krs = [{"id": 1, "title": "New logos", "start": 0, "target": 12, "progress": 5 / 12, "confidence": "at_risk",
            "created": utc(2027, 1, 4), "due_on": date(2027, 12, 31)}]
    history = {1: [(utc(2027, 1, 5) + timedelta(weeks=week), week * 0.25, "on_track" if week < 15 else "at_risk")
                   for week in range(20)]}
    image = brief_chart.draw(krs, history, utc(2027, 6, 1), "Ravi Rep")
    assert image is not None and png_size(image.png) == (brief_chart.WIDTH, brief_chart.HEIGHT)
    assert len(image.png) < 60_000 and "New logos at 42%" in image.alt
    assert brief_chart.draw(krs, {}, utc(2027, 6, 1), "Ravi Rep") is None
    one_point = {1: history[1][:1]}  # a single check-in is no trend: the text says it all
    assert brief_chart.draw(krs, one_point, utc(2027, 6, 1), "Ravi Rep") is None


def test_the_reused_figure_keeps_nothing_from_the_chart_before() -> None:
    """One figure serves every chart of a process: a chart drawn after another, with
    other key results and another x range, is the same picture as on a fresh figure."""
    many = [{"id": n, "title": f"KR {n}", "start": 0, "target": 10, "progress": 0.5, "confidence": "on_track",
             "created": utc(2026, 1, 5), "due_on": date(2026, 12, 31)} for n in range(5)]
    busy = {n: [(utc(2026, 1, 5) + timedelta(weeks=w), w * 0.1 * n, "off_track") for w in range(30)] for n in range(5)}
    one = [{**many[0], "id": 9, "title": "Pipeline"}]
    quiet = {9: [(utc(2027, 3, 1), 2.0, "at_risk"), (utc(2027, 3, 15), 3.0, None)]}
    brief_chart.draw(many, busy, utc(2026, 8, 1), "Sam Seller")
    after = brief_chart.draw(one, quiet, utc(2027, 4, 1), "Ravi Rep")
    fresh = brief_chart._Template().render(one, quiet, utc(2027, 4, 1))
    assert after is not None and after.png == fresh


@pytest.mark.parametrize(("metrics", "expected"), [
    ({"commitments_made": 4, "commitments_kept": 1, "commitments_kept_ratio": 0.25, "krs_off_track": 1},
     ["commitments_not_kept", "off_track", "always_week"]),
    ({"confidence_dropped_value_flat": 1, "measure:first meetings": 10, "measure:opportunities created": 1,
      "commitments_made": 0, "commitments_kept_ratio": None},
     ["confidence_dropped_value_flat", "meetings_without_opportunities", "always_week"]),
    ({"commitments_made": 4, "commitments_kept": 4, "commitments_kept_ratio": 1.0, "missed_prompts": 0,
      "measure:first meetings": 10, "measure:opportunities created": 5},
     ["always_week", "always_stuck", "always_learn"]),
])
def test_coaching_rules_choose_the_expected_questions_for_three_reps(metrics, expected) -> None:
    chosen = coaching.choose(metrics, "Ravi")
    assert [rule for rule, _ in chosen] == expected
    assert all(question.endswith("?") for _, question in chosen)


def test_a_broken_rule_is_refused_with_its_name() -> None:
    with pytest.raises(coaching.RuleError, match="rule odd: krs: 'lots'"):
        coaching.parse_rules({"rules": [{"id": "odd", "when": {"krs": "lots"}, "ask": "?"}]})


async def test_who_may_read_a_brief_and_the_action_items(db, team, outbox) -> None:
    async with db.session() as s:
        org = await people.ensure_org(s, "Example Inc", "Europe/Oslo", "NO")
        await people.upsert_team(s, org.id, [TeamRow("vera@example.com", "Vera VP", "manager", None, "Europe/Oslo"),
                                             TeamRow("maria@example.com", "Maria Manager", "manager",
                                                     "vera@example.com", "America/New_York")])
        other = await people.ensure_org(s, "Other Corp", "UTC")
        await people.upsert_team(s, other.id, [TeamRow("olga@other.com", "Olga Other", "manager", None, "UTC"),
                                               TeamRow("ravi@other.com", "Ravi Rep", "rep", "olga@other.com", "UTC")])
        vera = (await people.by_email(s, "vera@example.com")).id
        olga = (await people.by_email(s, "olga@other.com")).id
        s.add(ActionItem(org_id=team["org"], manager_id=team["maria"], rep_id=team["ravi"], owner_id=team["ravi"],
                         text="private follow-up for Ravi"))
    strict = build_coach(db, Settings(database_url=db.url), Channels(outbox))
    lenient = build_coach(db, Settings(database_url=db.url, skip_level_briefs=True), Channels(outbox))
    matrix = {"ravi": (strict, False), "sam": (strict, False), "maria": (strict, True), "ada": (strict, False),
              "vera": (strict, False), "vera+setting": (lenient, True), "olga": (strict, False)}
    ids = {**team, "vera": vera, "vera+setting": vera, "olga": olga}
    for who, (coach, allowed) in matrix.items():
        shown = await say(coach, ids[who], "/okr brief @ravi@example.com")
        assert ("Brief: one-on-one with Ravi Rep" in shown) is allowed, who
        assert ("private follow-up" in shown) is allowed, who
        listed = await say(coach, ids[who], "/okr actions")
        assert ("private follow-up" in listed) is (who in {"ravi", "maria"}), who


async def test_the_brief_stays_within_slack_and_teams_limits(coach, team, db) -> None:
    await fixture_rep(db, team)
    async with db.session() as s:
        objective = Objective(org_id=team["org"], owner_id=team["ravi"], title="Many", period="2027")
        s.add(objective)
        await s.flush()
        s.add_all([KeyResult(objective_id=objective.id, title=f"Key result {n} " + "words " * 60, target_value=10,
                             current_value=n % 10, confidence="at_risk") for n in range(40)])
        for n in range(30):
            s.add(CheckIn(org_id=team["org"], person_id=team["ravi"], kind="okr_checkin",
                          started_at=utc(2027, 3, 3, n % 24),
                          blockers="a long blocker " * 40, change_next="a long change " * 40))
        maria, ravi = await people.get(s, team["maria"]), await people.get(s, team["ravi"])
    with at(utc(2027, 3, 9, 13)):
        brief = await build_brief(coach, maria, ravi, utc(2027, 3, 9, 13))
    for message in brief:
        for post in blocks.posts(message):
            assert len(post.blocks) <= 50
            for block in post.blocks:
                assert len(block.get("text", {}).get("text", "")) <= 3000
        card = cards.card(message)
        assert len(json.dumps(card)) < 80_000 and len(card.get("actions", [])) <= 6
    assert any(m.image is not None for m in brief)


def test_the_terminal_writes_a_picture_to_a_file_and_prints_its_path(tmp_path, monkeypatch) -> None:
    import io

    from bot.channels.console import ConsoleChannel
    from bot.core.messages import Image, Message

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    out = io.StringIO()
    png = b"\x89PNG\r\n\x1a\nfake"
    ConsoleChannel(out).show([Message("", image=Image(png, "a chart", "key-results.png"))])
    printed = out.getvalue()
    assert "[image: a chart]" in printed
    saved = [p for p in (tmp_path / "coachbot-images").iterdir()]
    assert len(saved) == 1 and saved[0].read_bytes() == png and str(saved[0]) in printed
