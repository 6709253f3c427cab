""""What I'll change" closes its loop in the brief: the next check-in quotes what
the rep said and asks whether they did it (yes / partly / no); the manager's brief
shows each change with the answer — did it, partly, didn't, or not asked yet."""

from __future__ import annotations

from conftest import say
from meeting_helpers import at, joined, utc

from bot.features.brief_data import gather
from storage import okrs, people
from storage.models import CheckIn, CheckInAnswer


async def test_the_next_check_in_asks_and_the_brief_shows_the_answer(coach, team, db) -> None:
    ravi, maria = team["ravi"], team["maria"]
    async with db.session() as s:
        await okrs.create_objective(s, team["org"], ravi, "Grow new business", "2027", 1,
                                    [{"title": "New logos", "target": 12, "unit": "logos", "current": 2}])
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 1, 11, 6)):
        await say(coach, ravi, "/okr checkin")
        for line in ("3", "on track", "skip", "Two discovery calls every morning"):
            await say(coach, ravi, line)
    with at(utc(2027, 1, 18, 6)):
        brief = await say(coach, maria, "/okr brief @ravi@example.com")
        assert 'said they\'d change "Two discovery calls every morning" — not asked yet' in brief
    with at(utc(2027, 1, 25, 6)):
        opened = await say(coach, ravi, "/okr checkin")
        assert 'Last time you said you would change this: "Two discovery calls every morning". Did you?' in opened
        await say(coach, ravi, "partly")
        for line in ("4", "on track", "skip", "Ask for referrals"):
            await say(coach, ravi, line)
    with at(utc(2027, 1, 26, 6)):
        brief = await say(coach, maria, "/okr brief @ravi@example.com")
    assert 'said they\'d change "Two discovery calls every morning" — partly did it' in brief
    assert 'said they\'d change "Ask for referrals" — not asked yet' in brief


async def test_yes_no_unanswered_and_the_change_said_before_the_window(team, db) -> None:
    ravi = team["ravi"]
    async with db.session() as s:
        for day, change, did in [(1, "call before noon", None),      # before the window (last 1:1 on the 10th)
                                 (15, "book legal earlier", "no"),   # answers "call before noon": no
                                 (22, "send agendas", "yes"),        # answers "book legal earlier": yes
                                 (29, None, None)]:                  # skipped the question about "send agendas"
            check = CheckIn(org_id=team["org"], person_id=ravi, kind="okr_checkin", change_next=change,
                            started_at=utc(2027, 3, day, 5), completed_at=utc(2027, 3, day, 5))
            s.add(check)
            await s.flush()
            if did:
                s.add(CheckInAnswer(checkin_id=check.id, question="did_change", text=did,
                                    answered_at=utc(2027, 3, day, 5)))
        maria, rep = await people.get(s, team["maria"]), await people.get(s, ravi)
    data = await gather(db, maria, rep, utc(2027, 3, 10, 15), utc(2027, 3, 30, 12))
    assert (data.earlier_change, data.earlier_did) == ("call before noon", "no")
    assert [(b["change"], b["did"]) for b in data.blockers] == [("book legal earlier", "yes"),
                                                                 ("send agendas", "unanswered")]
