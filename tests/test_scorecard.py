"""The team scorecard: winning or losing against the straight-line pace, lead measures
per rep and for the team, the weekly post in the team channel (once, at the manager's
local time, DST-safe), its thread for late answers and comments, nothing private."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import RecordingChannel, say
from freezegun import freeze_time

from bot.core.channel import Channels, Place
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from bot.core.settings import Settings
from bot.features import scorecard
from bot.features.pace import expected_on, standing
from bot.runtime import build_coach
from storage import checkins as checkin_store
from storage import scorecard as store
from storage import wig as wig_store
from storage.db import Database
from storage.models import Wig, WigReading


class PostingRecorder(RecordingChannel):
    """A recording channel that also posts into shared conversations."""

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[tuple[Place, list[Message], str | None]] = []

    async def post_to(self, place: Place, messages: list[Message], thread: str | None = None) -> str | None:
        self.posts.append((place, messages, thread))
        return thread or f"post-{len(self.posts)}"


@pytest.fixture
def channel() -> PostingRecorder:
    return PostingRecorder()


@pytest.fixture
def poster(db: Database, channel: PostingRecorder) -> Coach:
    return build_coach(db, Settings(database_url=db.url), Channels(channel))


def wig(from_value: float = 100, to_value: float = 200) -> Wig:
    return Wig(id=1, org_id=1, manager_id=1, title="New logos", from_value=from_value, to_value=to_value,
               by_date=date(2027, 7, 1), started_on=date(2027, 1, 1),
               created_at=datetime(2027, 1, 1, tzinfo=UTC))


def reading(value: float, day: date) -> WigReading:
    return WigReading(wig_id=1, week_start=day, value=value,
                      recorded_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC))


@pytest.mark.parametrize(("value", "verdict", "gap"), [
    (160, "ahead", 160 - expected_on(wig(), date(2027, 4, 1))),
    (150, "on_pace", 150 - expected_on(wig(), date(2027, 4, 1))),
    (120, "behind", 120 - expected_on(wig(), date(2027, 4, 1))),
])
def test_winning_or_losing_against_the_straight_line(value: float, verdict: str, gap: float) -> None:
    # 1 Jan -> 1 Jul is 181 days; 1 Apr is day 90: the line expects 100 + 100 * 90/181 = 149.7,
    # shown (and judged) as 150, whole like the WIG's own figures of a hundred and more
    assert round(expected_on(wig(), date(2027, 4, 1)), 1) == 149.7
    found = standing(wig(), [reading(value, date(2027, 3, 29)), reading(value, date(2027, 4, 1))], date(2027, 4, 5))
    assert found.verdict == verdict and found.expected == 150 and found.gap == round(gap)


def test_a_wig_that_counts_down_is_ahead_below_the_line() -> None:
    churn = wig(from_value=12, to_value=6)   # churn from 12 % to 6 %
    assert standing(churn, [reading(8, date(2027, 4, 1))], date(2027, 4, 1)).verdict == "ahead"
    assert standing(churn, [reading(11, date(2027, 4, 1))], date(2027, 4, 1)).verdict == "behind"
    assert standing(churn, [], date(2027, 4, 1)).verdict == "no_reading"
    assert expected_on(churn, date(2026, 1, 1)) == 12 and expected_on(churn, date(2028, 1, 1)) == 6


async def setup_team(coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, team["maria"], "/okr wig add New logos from 100 to 200 by July 1 2027")
        await say(coach, team["maria"], "/okr wig measure Discovery calls, 10 per week")


async def test_manager_updates_the_lag_measure_and_sees_winning_or_losing(
        poster: Coach, team: dict[str, int]) -> None:
    await setup_team(poster, team)
    with freeze_time("2027-04-01 15:00:00"):
        assert "Losing" in await say(poster, team["maria"], "/okr wig update 1 120")
        assert "Winning" in await say(poster, team["maria"], "/okr wig update 1 170")
        assert "no WIG 3: your team has one, WIG 1" in await say(poster, team["maria"], "/okr wig update 3 170")
        assert "Only a manager" in await say(poster, team["ravi"], "/okr wig update 1 500")
        assert "Sam Seller's weekly target for \"Discovery calls\" is now 4" in await say(
            poster, team["maria"], "/okr wig target @sam discovery 4")
        assert "couldn't read" in await say(poster, team["maria"], "/okr wig target @ada discovery 4")  # not hers
        assert "couldn't read" in await say(poster, team["maria"], "/okr wig target @sam referrals 4")
        board = await say(poster, team["ravi"], "/okr scorecard")
    assert "Winning: 170" in board and "Discovery calls*: no team number yet, target 14" in board  # 10 + 4 for Sam
    assert "[image: Chart: New logos has one reading so far, 170, ahead of its pace of " in board


async def test_a_lag_update_in_another_unit_or_as_a_change_is_asked_not_stored(
        poster: Coach, team: dict[str, int]) -> None:
    """"+30" or "30 more" could be the new value or 30 added; "120 weeks" is not the
    WIG's plain count: each is asked about, and nothing is recorded."""
    await setup_team(poster, team)
    with freeze_time("2027-04-01 15:00:00"):
        assert "Losing" in await say(poster, team["maria"], "/okr wig update 1 120")
        change = await say(poster, team["maria"], "/okr wig update 1 +30")
        assert "reads as a change" in change and "`/okr wig update 1 30`" in change
        assert "reads as a change" in await say(poster, team["maria"], "/okr wig update 1 30 more")
        other = await say(poster, team["maria"], "/okr wig update 1 120 weeks")
        assert "isn't in this WIG's unit" in other and "`/okr wig update 1 200`" in other  # its target
        board = await say(poster, team["ravi"], "/okr scorecard")
    assert "120" in board and "30" not in board.split("New logos", 1)[1].split("\n", 1)[0]


async def test_a_lag_update_of_a_counted_wig_is_whole(poster: Coach, team: dict[str, int]) -> None:
    """A WIG counted in deals: "12.5" is asked again (no half deals), and "1,5" (New York:
    a slip for 1.5 or 15) is asked about with 15 only; nothing is recorded."""
    await setup_team(poster, team)
    with freeze_time("2027-04-01 15:00:00"):
        added = await say(poster, team["maria"], "/okr wig add Signed deals from 10 to 40 deals by July 1 2027")
        assert "Signed deals" in added
        half = await say(poster, team["maria"], "/okr wig update 2 12.5")
        assert "isn't a whole number" in half and "deals" in half and "`/okr wig update 2 40`" in half  # WIG 2, not 1
        slip = await say(poster, team["maria"], "/okr wig update 2 1,5 deals")
        assert "`/okr wig update 2 15 deals`" in slip and "1.5" not in slip  # the unit kept as typed
        kept = await say(poster, team["maria"], "/okr wig update 2 13 deals")
        board = await say(poster, team["ravi"], "/okr scorecard")
    assert "Signed deals" in kept and "13" in board and "12.5" not in board


async def test_per_rep_targets_and_team_totals_with_a_four_week_trend(
        poster: Coach, team: dict[str, int], db: Database) -> None:
    await setup_team(poster, team)
    async with db.session() as session:
        measure = (await wig_store.measures(session, [w.id for w in await wig_store.active_wigs(
            session, team["maria"])]))[0]
        await store.set_target(session, measure.id, team["sam"], 4)  # type: ignore[arg-type]
        for week, ravi, sam in ((date(2027, 1, 4), 8, 2), (date(2027, 1, 11), 12, 5)):
            await wig_store.save_session(session, team["ravi"], week, week, [], [(measure.id, ravi)], [], None)  # type: ignore[list-item]
            await wig_store.save_session(session, team["sam"], week, week, [], [(measure.id, sam)], [], None)  # type: ignore[list-item]
    messages = await scorecard.scorecard_messages(poster, team["maria"], date(2027, 1, 11), date(2027, 1, 18),
                                                  leader=True)
    text = messages[0].plain()
    assert "team 17 of 14 (121%)" in text                       # 12 + 5 against 10 + 4
    assert "last 2 weeks: 10 → 17" in text  # the team totals since the measure was set (4 Jan), no zeros before
    assert "✅ Ravi Rep: 12 of 10" in text and "✅ Sam Seller: 5 of 4" in text
    assert messages[0].image is not None and messages[0].image.png.startswith(b"\x89PNG")


async def test_weekly_post_once_then_late_answers_and_comments_in_its_thread(
        poster: Coach, team: dict[str, int], db: Database, channel: PostingRecorder) -> None:
    await setup_team(poster, team)
    async with db.session() as session:
        await checkin_store.record_checkin(session, team["org"], team["ravi"], None, [],
                                           "Legal is blocking Acme; salary question", None)
    shared = Place("test", "C0TEAM", "T1")
    refused = await poster.handle(Inbound(person_id=team["maria"], platform="test", text="/okr scorecard here"))
    assert "team channel itself" in refused[0].plain()
    assert "Only the team's manager" in await say(poster, team["ravi"], "/okr scorecard here")
    done = await poster.handle(Inbound(person_id=team["maria"], platform="test", text="/okr scorecard here",
                                       place=shared))
    assert "every Tuesday at 12:00 (America/New_York)" in done[0].plain()
    assert "I couldn't read" in await say(poster, team["maria"], "/okr scorecard at Someday 25:00")
    assert "every Tuesday at 14:30" in await say(poster, team["maria"], "/okr scorecard at tue 14:30")
    # Tuesday 12 Jan 2027, 14:29 in New York is 19:29 UTC: not yet; 19:30 UTC: posted once
    assert await scorecard.post_scorecards(poster, datetime(2027, 1, 12, 19, 29, tzinfo=UTC)) == 0
    assert await scorecard.post_scorecards(poster, datetime(2027, 1, 12, 19, 30, tzinfo=UTC)) == 1
    assert await scorecard.post_scorecards(poster, datetime(2027, 1, 12, 19, 45, tzinfo=UTC)) == 0
    assert len(channel.posts) == 1
    place, messages, thread = channel.posts[0]
    assert place == shared and thread is None
    assert "last week" in messages[0].title and "4–10 Jan 2027" in messages[0].title  # type: ignore[operator]
    posted = "\n".join(m.plain() for m in messages)
    assert "Legal" not in posted and "salary" not in posted
    with freeze_time("2027-01-13 15:00:00"):
        assert "Posted in the team channel" in await say(poster, team["maria"], "/okr scorecard comment Great week!")
        async with db.session() as session:
            measure = (await wig_store.measures(session, [w.id for w in await wig_store.active_wigs(
                session, team["maria"])]))[0]
        ravi = await _person(db, team["ravi"])
        await scorecard.late_answer(poster, ravi, date(2027, 1, 4), [(measure.title, 9.0, 10.0)])
    assert [(t, m[0].plain()) for _, m, t in channel.posts[1:]] == [
        ("post-1", "Maria: Great week!"),
        ("post-1", "Ravi reported late for the week of 04 Jan 2027: Discovery calls 9 of 10."),
    ]


async def test_the_post_time_keeps_local_wall_time_across_dst(poster: Coach, team: dict[str, int]) -> None:
    # New York moves to summer time on 14 Mar 2027: Tuesday noon is 17:00 UTC before, 16:00 after
    assert scorecard.due_at(2, "12:00", date(2027, 3, 10), "America/New_York")[1] == datetime(
        2027, 3, 9, 17, tzinfo=UTC)
    assert scorecard.due_at(2, "12:00", date(2027, 3, 17), "America/New_York")[1] == datetime(
        2027, 3, 16, 16, tzinfo=UTC)
    # east of UTC, over a year end: Auckland's Tuesday 12:00 on 4 Jan 2028 is Monday 23:00 UTC
    week, due = scorecard.due_at(2, "12:00", date(2028, 1, 5), "Pacific/Auckland")
    assert week == date(2027, 12, 27) and due == datetime(2028, 1, 3, 23, tzinfo=UTC)


async def _person(db: Database, person_id: int):  # type: ignore[no-untyped-def]
    from storage import people

    async with db.session() as session:
        return await people.get(session, person_id)
