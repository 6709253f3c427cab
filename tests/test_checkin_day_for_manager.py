"""One check-in, one day, wherever the manager is (F2): Kiri (Auckland) finished a
check-in at 04:02 UTC on 1 December; Maria (New York) saw "Last check-in: 30 Nov" in
`/okr team` and "01 Dec: blocked by …" in the brief. A manager sees a rep's check-in on
the rep's own day, the day the rep did it, in every view."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach
from storage import okrs
from storage.db import Database

DONE = "2027-01-11 19:00:00"   # 00:30 on Tue 12 Jan in Kolkata (Ravi), 14:00 on Mon 11 Jan in New York (Maria)


async def test_team_and_brief_show_the_check_in_on_the_reps_day(coach: Coach, db: Database,
                                                               team: dict[str, int]) -> None:
    ravi, maria = team["ravi"], team["maria"]
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], ravi, "Win", "2027", 1, [
            {"title": "Close 12 new logos", "target": 12, "unit": "logos"}])
    with freeze_time(DONE, real_asyncio=True):
        for line in ("/okr checkin", "2", "on track", "legal review of the MSA", "skip"):
            await say(coach, ravi, line)
        listed = await say(coach, maria, "/okr team")
        brief = await say(coach, maria, "/okr brief @ravi")
    assert "Last check-in: 12 Jan 2027" in listed, listed
    assert '12 Jan: blocked by "legal review of the MSA"' in brief, brief
