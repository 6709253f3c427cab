"""Weeks as each person lives them (F5, F3): a Sunday–Thursday rep's Sunday WIG
session reports on *last* week (their Sun 3 – Sat 9 Jan) and commits for *this* week
(Sun 10 – Sat 16 Jan), while rows stay stored under ISO Mondays (4 and 11 Jan), the
key a mixed team's scorecard adds up by; a Sunday–Thursday team's Sunday scorecard
post shows the week its reps reported on that morning."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.channel import Channels, Place
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from bot.core.settings import Settings
from bot.features import scorecard
from bot.features.weeks import own_start, session_weeks, week_of, week_span
from bot.runtime import build_coach
from storage import people
from storage.db import Database
from storage.models import Commitment, LeadMeasureEntry, WigReading

SUN_THU, MON_FRI = 7, 1


class PostingRecorder(RecordingChannel):
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


async def _move(db: Database, person_id: int, timezone: str, working_days: str) -> None:
    async with db.session() as session:
        person = await people.get(session, person_id)
        assert person is not None
        person.timezone, person.working_days = timezone, working_days
        session.add(person)


def test_a_sunday_session_names_last_and_this_week_in_the_persons_own_days() -> None:
    sunday = date(2027, 1, 10)
    report, commit = session_weeks(sunday)
    assert (report, commit) == (date(2027, 1, 4), date(2027, 1, 11))  # stored keys: ISO Mondays
    assert week_span(report, sunday, SUN_THU) == {"first": "3", "last": "9 Jan 2027", "relative": "last"}
    assert week_span(commit, sunday, SUN_THU) == {"first": "10", "last": "16 Jan 2027", "relative": "this"}
    monday = date(2027, 1, 11)  # a Monday–Friday rep's Monday: as before
    assert week_span(session_weeks(monday)[0], monday, MON_FRI)["relative"] == "last"
    assert week_span(session_weeks(monday)[1], monday, MON_FRI) == {"first": "11", "last": "17 Jan 2027",
                                                                     "relative": "this"}


def test_own_weeks_and_their_iso_keys_go_both_ways_for_every_week_start() -> None:
    for start in range(1, 8):
        for offset in range(21):
            day = date(2026, 12, 20 + offset) if offset < 12 else date(2027, 1, offset - 11)
            first = own_start(week_of(day, start), start)
            assert first.isoweekday() == start and 0 <= (day - first).days < 7
            assert week_of(day, start).isoweekday() == 1
    assert week_of(date(2027, 1, 10), SUN_THU) == date(2027, 1, 11)
    assert week_of(date(2027, 1, 10), MON_FRI) == date(2027, 1, 4)


async def test_sun_thu_rep_reports_last_week_and_commits_this_week_and_finds_them_next_sunday(
        poster: Coach, team: dict[str, int], db: Database) -> None:
    """Ravi in Jerusalem (east of UTC), Sunday to Thursday. His Sunday 10 Jan session,
    opened at 01:30 local (still Saturday in UTC), asks for last week's numbers and this
    week's commitments, in his days; what he typed is stored under ISO Mondays 4 and 11
    Jan; next Sunday his commitments come back as last week's, and `/okr scorecard`
    counts them for the week it names. Sam in Los Angeles (west), Monday to Friday,
    gets the Monday–Sunday weeks he always had."""
    ravi, sam = team["ravi"], team["sam"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(poster, team["maria"], "/okr wig add New logos from 100 to 200 by July 1 2027")
        await say(poster, team["maria"], "/okr wig measure Discovery calls, 10 per week")
    await _move(db, ravi, "Asia/Jerusalem", "7,1,2,3,4")
    with freeze_time("2027-01-09 23:30:00"):  # Sun 10 Jan 01:30 in Jerusalem
        asked = await say(poster, ravi, "/okr wig start")
        assert "how many last week (3–9 Jan 2027)?" in asked, asked
        commit = await say(poster, ravi, "7")
        assert "commit to this week (10–16 Jan 2027)" in commit, commit
        await say(poster, ravi, "call the 5 open leads")
        await say(poster, ravi, "done")
    with freeze_time("2027-01-11 17:00:00"):  # Mon 11 Jan 09:00 in Los Angeles
        assert "how many last week (4–10 Jan 2027)?" in await say(poster, sam, "/okr wig start")
        assert "commit to this week (11–17 Jan 2027)" in await say(poster, sam, "4")
        await say(poster, sam, "book 2 demos")
        await say(poster, sam, "done")
    async with db.session() as session:
        entries = {(e.person_id, e.week_start, e.value) for e in (await session.exec(select(LeadMeasureEntry))).all()}
        promised = {(c.person_id, c.week_start) for c in (await session.exec(select(Commitment))).all()}
    assert entries == {(ravi, date(2027, 1, 4), 7), (sam, date(2027, 1, 4), 4)}
    assert promised == {(ravi, date(2027, 1, 11)), (sam, date(2027, 1, 11))}
    with freeze_time("2027-01-17 07:00:00"):  # Sun 17 Jan 09:00 in Jerusalem
        intro = await say(poster, ravi, "/okr wig start")
        assert "your commitments last week (10–16 Jan 2027)" in intro and "call the 5 open leads" in intro
        await say(poster, ravi, "yes")
        await say(poster, ravi, "9")
        await say(poster, ravi, "call 6 leads")
        await say(poster, ravi, "done")
        board = await say(poster, ravi, "/okr scorecard")
    assert "Team scorecard · last week (10–16 Jan 2027)" in board, board
    assert "Ravi Rep: 9 of 10" in board and "Commitments kept: 1 of 2" in board


async def test_a_sun_thu_managers_lag_reading_on_sunday_counts_for_the_week_it_begins(
        poster: Coach, team: dict[str, int], db: Database) -> None:
    """Maria in Riyadh, Sunday to Thursday: her reading on Thursday 7 Jan and the one on
    Sunday 10 Jan are two weeks' readings (ISO 4 and 11 Jan), not one overwriting the
    other."""
    await _move(db, team["maria"], "Asia/Riyadh", "7,1,2,3,4")
    with freeze_time("2027-01-04 09:00:00"):
        await say(poster, team["maria"], "/okr wig add New logos from 100 to 200 by July 1 2027")
    with freeze_time("2027-01-07 09:00:00"):
        await say(poster, team["maria"], "/okr wig update 1 110")
    with freeze_time("2027-01-10 09:00:00"):
        await say(poster, team["maria"], "/okr wig update 1 115")
    async with db.session() as session:
        readings = [(r.week_start, r.value) for r in (await session.exec(select(WigReading))).all()]
    assert sorted(readings) == [(date(2027, 1, 4), 110), (date(2027, 1, 11), 115)]


def test_a_sun_thu_teams_sunday_post_shows_the_week_reported_that_morning() -> None:
    """`/okr scorecard at Sunday 15:00` for a Sunday–Thursday manager in Jerusalem: on
    Sun 17 Jan the post is at 15:00 local (13:00 UTC) and shows the week the Sunday
    sessions reported on (ISO 11 Jan), not the one before."""
    week, due = scorecard.due_at(7, "15:00", date(2027, 1, 17), "Asia/Jerusalem", SUN_THU)
    assert week == session_weeks(date(2027, 1, 17))[0] == date(2027, 1, 11)
    assert due == datetime(2027, 1, 17, 13, tzinfo=UTC)
    # Tuesday 12:00 for the same team: the Tuesday of the week that began on Sunday 17
    assert scorecard.due_at(2, "12:00", date(2027, 1, 17), "Asia/Jerusalem", SUN_THU) == (
        date(2027, 1, 11), datetime(2027, 1, 19, 10, tzinfo=UTC))
    # a Monday–Friday team in Los Angeles keeps the ISO week: Tuesday shows last week,
    # Sunday (the end of its week, before Monday's sessions) the week before that
    assert scorecard.due_at(2, "12:00", date(2027, 1, 19), "America/Los_Angeles", MON_FRI) == (
        date(2027, 1, 11), datetime(2027, 1, 19, 20, tzinfo=UTC))
    assert scorecard.due_at(7, "15:00", date(2027, 1, 17), "America/Los_Angeles", MON_FRI)[0] == date(2027, 1, 4)


async def test_a_sun_thu_teams_sunday_post_goes_out_once_with_that_weeks_numbers(
        poster: Coach, team: dict[str, int], db: Database, channel: PostingRecorder) -> None:
    """End to end: Maria (Jerusalem, Sun–Thu) posts on Sunday 15:00; Ravi's Sunday
    morning session numbers are on the post, titled as last week in their days."""
    for who in ("maria", "ravi"):
        await _move(db, team[who], "Asia/Jerusalem", "7,1,2,3,4")
    with freeze_time("2027-01-10 09:00:00"):
        await say(poster, team["maria"], "/okr wig add New logos from 100 to 200 by July 1 2027")
        await say(poster, team["maria"], "/okr wig measure Discovery calls, 10 per week")
        await poster.handle(Inbound(person_id=team["maria"], platform="test", text="/okr scorecard here",
                                    place=Place("test", "C0TEAM", "T1")))
        assert "every Sunday at 15:00" in await say(poster, team["maria"], "/okr scorecard at Sunday 15:00")
    with freeze_time("2027-01-17 07:00:00"):  # Sunday 09:00 in Jerusalem
        await say(poster, team["ravi"], "/okr wig start")
        await say(poster, team["ravi"], "8")
        await say(poster, team["ravi"], "call 6 leads")
        await say(poster, team["ravi"], "done")
    assert await scorecard.post_scorecards(poster, datetime(2027, 1, 17, 12, 59, tzinfo=UTC)) == 0
    assert await scorecard.post_scorecards(poster, datetime(2027, 1, 17, 13, 0, tzinfo=UTC)) == 1
    assert await scorecard.post_scorecards(poster, datetime(2027, 1, 17, 13, 15, tzinfo=UTC)) == 0
    _, messages, _ = channel.posts[-1]
    assert "Team scorecard · last week" in messages[0].title and "10–16 Jan 2027" in messages[0].title  # type: ignore[operator]
    assert "Ravi Rep: 8 of 10" in "\n".join(m.plain() for m in messages)
