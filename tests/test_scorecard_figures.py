"""The WIG's figures on the team scorecard as people read them (newcomer review F14):
the pace and the gap at the precision of the WIG's own figures (whole dollars for an
ARR of millions, not "198,584.9"; two decimals for a rate typed with two), in the
card, the chart's caption and the update's reply; one pace for one WIG, whoever
looks: the straight line is read on the WIG owner's (the team manager's) local day,
not each reader's; a WIG named as money but typed without a currency read back.
And a lead measure's trend without the weeks before it was set, and no 0 for a week
nobody reported (F16). Freezegun."""

from __future__ import annotations

import re

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach
from storage import okrs as okr_store
from storage.db import Database


def _wig_line(board: str, title: str = "") -> str:
    return next(line for line in board.splitlines()
                if ("against a pace" in line or "the pace (" in line or "pace says" in line))


def _pace(board: str) -> str:
    found = re.search(r"(?:the pace \(|against a pace of |pace says )([^),]+(?:,\d{3})*)", _wig_line(board))
    assert found, board
    return found.group(1)


async def test_an_arr_wig_shows_whole_dollars_for_its_pace_and_gap(coach: Coach, team: dict[str, int]) -> None:
    """1.2M -> 1.5M from 30 Nov to 30 Jun: on 15 Jan the line is at 1,265,094.34; the
    card, its chart caption and the update's reply say $1,265,094, and the gap of a
    $1,400,000 reading $134,906."""
    with freeze_time("2026-12-01 04:46:00"):  # Mon 30 Nov 23:46 in New York
        await say(coach, team["maria"], "/okr wig add New ARR from $1.2M to $1.5M by June 30")
    with freeze_time("2027-01-15 15:00:00"):
        updated = await say(coach, team["maria"], "/okr wig update 1 1.4M")
        board = await say(coach, team["ravi"], "/okr scorecard")
    assert "$134,906 ahead of the pace ($1,265,094)" in updated, updated
    line = _wig_line(board)
    assert "🟢 Winning: $1,400,000, $134,906 ahead of the pace ($1,265,094)" in line, board
    assert "its pace of $1,265,094." in board  # the chart's caption
    assert not re.search(r"\d\.\d", board.split("Lead measures")[0]), board


async def test_a_rate_typed_with_two_decimals_keeps_two_and_a_plain_one_of_millions_none(
        coach: Coach, team: dict[str, int]) -> None:
    """Both set on Tue 1 Dec, read on Sat 16 Jan, 46 of 211 days along: a conversion
    rate from 2.25% to 3.75% keeps the two decimals its own figures have (2.58%, where
    2.577 showed as 2.6%); an amount of millions in a plain unit is whole (1,265,403
    units, not 1,265,402.8)."""
    with freeze_time("2026-12-01 15:00:00"):
        await say(coach, team["maria"], "/okr wig add Conversion from 2.25% to 3.75% by June 30")
        await say(coach, team["maria"], "/okr wig add Pipeline created from 1200000 to 1500000 units by June 30")
    with freeze_time("2027-01-16 15:00:00"):
        assert "(2.58%)" in await say(coach, team["maria"], "/okr wig update 1 3%")
        await say(coach, team["maria"], "/okr wig update 2 1400000 units")
        board = await say(coach, team["ravi"], "/okr scorecard")
    assert "0.42% ahead of the pace (2.58%)" in board and "its pace of 2.58%" in board, board
    assert "134,597 units ahead of the pace (1,265,403 units)" in board, board
    assert "its pace of 1,265,403 units" in board, board


async def test_one_wig_has_one_pace_for_everyone_looking_at_the_same_moment(
        coach: Coach, team: dict[str, int]) -> None:
    """Maria (New York) sets the WIG late on Monday 30 Nov, her day, and reads 1.35M
    at once; Ravi (Kolkata) is already on Tuesday 1 Dec. Both see the pace of Maria's
    day, 1,200,000 (Ravi saw 1,201,415.1, a day further along the line); each reads
    the reading's day in their own calendar."""
    with freeze_time("2026-12-01 04:46:00"):
        await say(coach, team["maria"], "/okr wig add New ARR from $1.2M to $1.5M by June 30")
        await say(coach, team["maria"], "/okr wig update 1 1.35M")
        maria = await say(coach, team["maria"], "/okr scorecard")
        ravi = await say(coach, team["ravi"], "/okr scorecard")
        sam = await say(coach, team["sam"], "/okr scorecard")
    assert _pace(maria) == _pace(ravi) == _pace(sam) == "$1,200,000", (maria, ravi)
    assert _wig_line(ravi).endswith(", read today.") and _wig_line(maria).endswith(", read today.")


async def test_a_new_lead_measure_shows_no_weeks_before_it_and_no_zero_nobody_reported(
        coach: Coach, team: dict[str, int]) -> None:
    """Newcomer F16: right after `/okr wig measure`, the card said "team 0 of 20 (0%)
    · last 4 weeks: 0 → 0 → 0 → 0" while every row said "no number". The weeks before
    the measure was set are left out, and a week nobody reported has no number, not 0."""
    with freeze_time("2027-01-05 15:00:00"):  # Tue 5 Jan: the card shows last week, 28 Dec – 3 Jan
        await say(coach, team["maria"], "/okr wig add New ARR from $1.2M to $1.5M by June 30")
        await say(coach, team["maria"], "/okr wig measure Discovery meetings, 5 per week")
        fresh = await say(coach, team["ravi"], "/okr scorecard")
    line = next(line for line in fresh.splitlines() if line.startswith("*Discovery meetings*"))
    assert line == "*Discovery meetings*: no team number yet, target 10", fresh
    assert "0 → 0" not in fresh and "(0%)" not in fresh and "is at 0% of its target" not in fresh, fresh
    with freeze_time("2027-01-18 15:00:00"):  # two weeks on: the week of 4 Jan unreported, the week of 11 Jan 4
        await say(coach, team["ravi"], "/okr wig start")
        await say(coach, team["ravi"], "4")
        await say(coach, team["ravi"], "Book 3 meetings")
        await say(coach, team["ravi"], "done")  # commitments come one per message until `done`
        board = await say(coach, team["sam"], "/okr scorecard")
    line = next(line for line in board.splitlines() if line.startswith("*Discovery meetings*"))
    assert line == "*Discovery meetings*: team 4 of 10 (40%) · last 2 weeks: — → 4", board


async def test_a_wig_named_as_money_without_a_currency_is_read_back_with_the_line_to_type(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    """"New ARR from 1.2M to 1.5M" has no currency: it is kept as typed (plain
    numbers), and the reply says so, offering the line with the currency the
    organisation's plans count money in (EUR here), or the manager's country's;
    the offered line is set in that currency. A WIG with a sign, or not named as
    money, is not read back."""
    with freeze_time("2026-12-01 15:00:00"):
        plain = await say(coach, team["maria"], "/okr wig add New ARR from 1.2M to 1.5M by June 30")
        assert "It has no currency" in plain and "in USD" in plain, plain  # Maria's country, no plans yet
        assert "`/okr wig add New ARR from $1.2M to $1.5M by 30 Jun 2027`" in plain, plain
        await say(coach, team["maria"], "/okr wig close 1")
        async with db.session() as session:
            await okr_store.create_objective(session, team["org"], team["ravi"], "Grow", "2027", 1, [
                {"title": "Quota", "target": 900000, "unit": "EUR"}, {"title": "Logos", "target": 8, "unit": "logos"}])
        planned = await say(coach, team["maria"], "/okr wig add New ARR from 1.2M to 1.5M by June 30")
        offered = re.search(r"set it again as `/okr wig (add New ARR from €1.2M to €1.5M by 30 Jun 2027)`", planned)
        assert offered, planned
        await say(coach, team["maria"], "/okr wig close 1")
        kept = await say(coach, team["maria"], f"/okr wig {offered.group(1)}")
        assert "from €1,200,000 to €1,500,000" in kept and "no currency" not in kept, kept
        assert "no currency" not in await say(coach, team["maria"], "/okr wig add Demos from 10 to 40 by June 30")
