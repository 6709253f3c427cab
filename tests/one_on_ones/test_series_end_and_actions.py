"""Ending a one-on-one series (`/okr 1on1 @rep off`): gone from the list, no more
briefs or agenda prompts, history kept, reopened by setting a rhythm again; one
rep's series on its own (`/okr 1on1 @rep`); one rep's open action items
(`/okr actions @rep`) for their manager only."""

from __future__ import annotations

from conftest import say
from meeting_helpers import at, joined, meetings, utc
from test_series_and_steps import briefs_for

from bot.features.one_on_ones import meeting_steps
from storage.models import ActionItem


async def test_ending_a_series_stops_briefs_and_prompts_and_keeps_history(coach, team, db, outbox) -> None:
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 1, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every Tuesday 10:00")
        await say(coach, team["maria"], "/okr 1on1 @ravi every Wednesday 09:00")
        shown = await say(coach, team["maria"], "/okr 1on1 @sam")
        assert "Your one-on-one with Sam Seller" in shown and "every Tuesday at 10:00" in shown
        assert "Ravi" not in shown
    with at(utc(2027, 3, 2, 13, 0)):  # the first brief, 2 h before Tue 02 Mar 10:00 New York
        await meeting_steps(coach)
    assert len(briefs_for(outbox, team["maria"])) == 1
    async with db.session() as s:
        first = (await meetings(db))[0]
        s.add(ActionItem(org_id=team["org"], meeting_id=first.id, manager_id=team["maria"], rep_id=team["sam"],
                         owner_id=team["sam"], text="send ACME the proposal"))
    with at(utc(2027, 3, 3, 15)):
        ended = await say(coach, team["maria"], "/okr 1on1 @sam off")
        assert "one-on-ones with Sam Seller have ended" in ended
        assert "had already ended" in await say(coach, team["maria"], "/okr 1on1 @sam off")
        listed = await say(coach, team["maria"], "/okr 1on1")
        assert "Ravi Rep: every Wednesday at 09:00" in listed and "Sam" not in listed
        gone = await say(coach, team["maria"], "/okr 1on1 @sam")
        assert "ended on 03 Mar 2027" in gone
    before = len(outbox.sent)
    for moment in (utc(2027, 3, 8, 17, 30), utc(2027, 3, 9, 13, 0), utc(2027, 3, 9, 15, 35)):
        with at(moment):  # Sam's agenda prompt, Maria's brief, her notes prompt: none of them
            await meeting_steps(coach)
    assert [r.person_id for r, _ in outbox.sent[before:]] == []
    assert len(briefs_for(outbox, team["maria"])) == 1
    assert len(await meetings(db)) >= 1  # the held meeting is kept
    with at(utc(2027, 3, 9, 16)):
        assert "send ACME the proposal" in await say(coach, team["maria"], "/okr actions @sam")
        again = await say(coach, team["maria"], "/okr 1on1 @sam every other Thursday 11:00")
        assert "every other Thursday at 11:00" in again
        assert "Sam Seller: every other Thursday at 11:00" in await say(coach, team["maria"], "/okr 1on1")
    with at(utc(2027, 3, 11, 14, 0)):  # Thu 11 Mar 11:00 New York less 2 h: briefed again
        await meeting_steps(coach)
    assert len(briefs_for(outbox, team["maria"])) == 2


async def test_one_reps_series_when_there_is_none_and_off_when_there_is_none(coach, team, db) -> None:
    with at(utc(2027, 3, 1, 15)):
        assert "no one-on-one series with Sam Seller yet" in await say(coach, team["maria"], "/okr 1on1 @sam")
        assert "no one-on-one series with Sam Seller yet" in await say(coach, team["maria"], "/okr 1on1 @sam off")
        refused = await say(coach, team["ravi"], "/okr 1on1 @sam off")
        assert "for managers, about their own direct reports" in refused and "Sam Seller" not in refused


async def test_actions_for_one_rep_are_for_their_manager_only(coach, team, db) -> None:
    async with db.session() as s:
        s.add_all([ActionItem(org_id=team["org"], manager_id=team["maria"], rep_id=team["ravi"],
                              owner_id=team["ravi"], text="Ravi: call the CFO"),
                   ActionItem(org_id=team["org"], manager_id=team["maria"], rep_id=team["sam"],
                              owner_id=team["sam"], text="Sam: send the proposal"),
                   ActionItem(org_id=team["org"], manager_id=team["maria"], rep_id=team["sam"],
                              owner_id=team["maria"], text="Maria: approve Sam's discount")])
    one = await say(coach, team["maria"], "/okr actions @sam")
    assert "Open action items for Sam Seller" in one
    assert "Sam: send the proposal" in one and "Maria: approve Sam's discount" in one
    assert "Ravi: call the CFO" not in one
    everything = await say(coach, team["maria"], "/okr actions")  # today's behaviour: all her reps'
    assert all(text in everything for text in ("Ravi: call the CFO", "Sam: send the proposal"))
    for asker in ("ravi", "ada"):  # a peer, and an admin: one-on-one items are the manager's
        refused = await say(coach, team[asker], "/okr actions @sam")
        nobody = await say(coach, team[asker], "/okr actions @zed@example.com")
        assert "Sam: send the proposal" not in refused and "can't show action items" in refused
        assert refused.replace("@sam", "X") == nobody.replace("@zed@example.com", "X"), asker
    own = await say(coach, team["sam"], "/okr actions @sam")
    assert "Sam: send the proposal" in own and "Ravi: call the CFO" not in own
    assert "Sam: send the proposal" in await say(coach, team["sam"], "/okr actions")
