"""A WIG session for a team with no WIG yet (or no lead measures): the session keeps
to commitments, and it never tells the person their numbers are on a scorecard that
holds none. Its close says there is no WIG yet and how one is set, with an example
the manager can type as it stands."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach


async def _session(coach: Coach, person: int, *answers: str) -> list[str]:
    replies = [await say(coach, person, "/okr wig start")]
    for answer in answers:
        replies.append(await say(coach, person, answer))
    return replies


async def test_a_rep_with_no_wig_is_told_there_is_none_and_how_one_is_set(
        coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2027-01-11 15:00:00"):
        ravi = await _session(coach, team["ravi"], "Book 3 meetings", "done")
    assert "lead measures" not in ravi[0], ravi[0]  # there are none to move
    end = ravi[-1]
    assert "numbers are on the scorecard" not in end, end
    assert "commitment is noted" in end, end
    assert "no WIG yet" in end, end
    assert "`/okr wig add New ARR from 1.2M to 1.5M by June 30`" in end, end
    assert "your manager" in end.lower(), end
    assert "Team scorecard" not in end, end  # an empty card says nothing more


async def test_a_manager_with_no_wig_is_shown_the_command_to_set_one(coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2027-01-11 15:00:00"):
        maria = await _session(coach, team["maria"], "Coach Ravi on discovery", "done")
    end = maria[-1]
    assert "numbers are on the scorecard" not in end, end
    assert "Set one with `/okr wig add New ARR from 1.2M to 1.5M by June 30`" in end, end


async def test_a_wig_without_lead_measures_gives_no_numbers_to_put_on_the_card(
        coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2027-01-11 15:00:00"):
        await say(coach, team["maria"], "/okr wig add New ARR from $1.2M to $1.5M by June 30")
        ravi = await _session(coach, team["ravi"], "Book 3 meetings", "done")
    assert "lead measures" not in ravi[0], ravi[0]
    assert "numbers are on the scorecard" not in ravi[-1], ravi[-1]
    assert "no WIG yet" not in ravi[-1], ravi[-1]
    assert "Team scorecard" in ravi[-1], ravi[-1]  # the WIG's card still shows


async def test_numbers_given_are_still_said_to_be_on_the_scorecard(coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2027-01-11 15:00:00"):
        await say(coach, team["maria"], "/okr wig add New ARR from $1.2M to $1.5M by June 30")
        await say(coach, team["maria"], "/okr wig measure Discovery meetings, 5 per week")
        ravi = await _session(coach, team["ravi"], "4", "Book 3 meetings", "done")
    assert "to move the lead measures" in ravi[1], ravi[1]
    assert "Your numbers are on the scorecard" in ravi[-1], ravi[-1]
