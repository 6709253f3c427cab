"""A WIG session asks for a lead-measure number only where the team scorecard counts
it (newcomer review F15). The scorecard's lead measures are the team's reps' activity:
each rep's target, the team's total the sum of theirs. The manager leads the session
(her commitments, the lag measure's value) and is not asked a number of her own that
no row or total would show: before, Maria answered 3 and the card said "team 0 of 10"."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach


async def _session(coach: Coach, person: int, *answers: str) -> list[str]:
    replies = [await say(coach, person, "/okr wig start")]
    for answer in answers:
        replies.append(await say(coach, person, answer))
    return replies


async def test_the_manager_is_asked_the_lag_not_a_lead_number_the_scorecard_would_not_count(
        coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2027-01-11 15:00:00"):  # Monday: the sessions report on 4–10 Jan
        await say(coach, team["maria"], "/okr wig add New ARR from $1.2M to $1.5M by June 30")
        await say(coach, team["maria"], "/okr wig measure Discovery meetings, 5 per week")
        maria = await _session(coach, team["maria"], "1.4M", "Call 5 lapsed customers", "done")
        ravi = await _session(coach, team["ravi"], "4", "Book 3 meetings", "done")
        board = await say(coach, team["sam"], "/okr scorecard")
    asked = "\n".join(maria).split("Team scorecard")[0]  # the session's questions, not the card after it
    assert "Discovery meetings" not in asked, asked             # never asked of her
    assert 'Where does "New ARR" stand today?' in maria[0], maria[0]
    assert "Discovery meetings" in ravi[0] and "The target is 5" in ravi[0], ravi[0]
    assert "*Discovery meetings*: team 4 of 10 (40%)" in board, board  # Ravi's 4 of Ravi's and Sam's 5 each
    assert "Ravi Rep: 4 of 5" in board and "Maria" not in board.split("Lead measures", 1)[1], board
