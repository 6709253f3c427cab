"""The people side: answering a prompt (start, later, snooze, tomorrow, skip), the
check-in and WIG conversations end to end, `/okr wig`, `/okr snooze`, `/okr out`."""

from __future__ import annotations

from datetime import date

from cadence_helpers import at, joined, occurrences, utc
from conftest import RecordingChannel, say
from sqlmodel import select

from bot.cadence.dispatcher import Dispatcher
from bot.core.coach import Coach
from bot.features.absence import parse_absence
from bot.features.prompt_answers import parse_snooze
from bot.features.wig import session_weeks
from bot.runtime import build_coach
from storage import okrs
from storage.db import Database
from storage.models import Commitment, KeyResult, LeadMeasureEntry, Wig

MONDAY_WIG = utc(2027, 1, 11, 3, 31)  # Ravi's WIG prompt (09:00 in Kolkata) is out
TUESDAY_CHECKIN = utc(2027, 1, 12, 4, 1)  # Ravi's OKR check-in prompt is out


async def deliver(coach: Coach, moment) -> None:  # type: ignore[no-untyped-def]
    with at(moment):
        await Dispatcher(coach).tick()


async def test_the_check_in_conversation_updates_key_results_and_reminds_both(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi, maria = team["ravi"], team["maria"]
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], ravi, "Grow new business", "2027", 1, [
            {"title": "New logos", "target": 12, "unit": "logos"},
            {"title": "Pipeline", "target": 800000, "unit": "$"},
        ])
    await joined(db, utc(2027, 1, 10))
    await deliver(coach, TUESDAY_CHECKIN)
    prompt = [m for _, ms in outbox.sent for m in ms if m.key and m.key.startswith("okr_checkin")][0]
    assert [c.value.split(":")[1] for c in prompt.choices] == ["start", "later", "tomorrow", "skip"]
    with at(TUESDAY_CHECKIN):
        first = await say(coach, ravi, action=prompt.choices[0].value)
        assert "New logos" in first and "2 key results" in first
        assert "number" in await say(coach, ravi, "lots")  # not a number: asked again, with an example
        assert "make it" in await say(coach, ravi, "4")
        assert "Pipeline" in await say(coach, ravi, "at risk")
        await say(coach, ravi, "350k")
        assert "slowing you down" in await say(coach, ravi, "on track")
        await say(coach, ravi, "Legal review on Acme takes weeks")
        done = await say(coach, ravi, "Two discovery calls every morning")
    assert "saved" in done and "30–45 minutes" in done
    async with db.session() as session:
        krs = {kr.title: kr for kr in (await session.exec(select(KeyResult))).all()}
    assert (krs["New logos"].current_value, krs["New logos"].confidence) == (4, "at_risk")
    assert (krs["Pipeline"].current_value, krs["Pipeline"].confidence) == (350000, "on_track")
    to_maria = "\n".join(outbox.texts_for(maria))
    assert "Ravi Rep just finished" in to_maria and "30–45 minute" in to_maria
    assert "Legal review on Acme" in to_maria and "at risk" in to_maria
    row = next(o for o in await occurrences(db, ravi) if o.kind == "okr_checkin")
    assert row.status == "answered"


async def test_wig_setup_session_and_scorecard(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi, maria = team["ravi"], team["maria"]
    with at(utc(2027, 1, 8, 15)):
        assert "only a manager" in (await say(coach, ravi, "/okr wig add Revenue from 1 to 2 by June 30")).lower()
        assert "from X to Y by when" in await say(coach, maria, "/okr wig add more revenue please")
        added = await say(coach, maria, "/okr wig add New ARR from 1.2M to 1.5M by June 30")
        assert "WIG 1 is set" in added and "1,200,000" in added and "30 Jun 2027" in added
        assert "WIG 2 is set" in await say(coach, maria, "/okr wig add Churn from 8% to 5% by end of Q3")
        assert "no more than two" in await say(coach, maria, "/okr wig add Third from 1 to 2 by June 30")
        await say(coach, maria, "/okr wig close 2")
        money = await say(coach, maria, "/okr wig add Booked from $250k to $400k by June 30")
        assert "from $250,000 to $400,000" in money
        async with db.session() as session:
            booked = (await session.exec(select(Wig).where(Wig.title == "Booked"))).one()
        assert booked.unit == "USD"  # the same unit goal-setting and key results store for "$250k"
        await say(coach, maria, "/okr wig close 2")
        assert "WIG 2 is set" in await say(coach, maria, "/okr wig add Churn from 8% to 5% by end of Q3")
        assert "Team lead measure" in await say(coach, maria, "/okr wig measure Discovery calls, 10 per week")
        assert "weekly target" in await say(coach, maria, "/okr wig measure Discovery calls lots")
        assert "Your own lead measure" in await say(coach, ravi, "/okr wig measure Referral asks, 3 per week")
    await joined(db, utc(2027, 1, 10))
    await deliver(coach, MONDAY_WIG)
    with at(MONDAY_WIG):
        intro = await say(coach, ravi, "start")
        assert "New ARR" in intro and "Discovery calls" in intro
        assert "Referral asks" in await say(coach, ravi, "7")
        assert "one or two" in await say(coach, ravi, "2")
        assert "Pick the one or two" in await say(coach, ravi, "call 5 leads; book 3 demos; write a blog")
        done = await say(coach, ravi, "call the 5 open leads by Wednesday; ask for two referrals")
    assert "scorecard" in done
    assert "Discovery calls*: team 7 of 20" in done and "Ravi Rep: 7 of 10" in done
    assert "Sam Seller: no number of 10" in done
    assert "Referral asks*: team 2 of 3" in done and "Ravi Rep: 2 of 3" in done
    # a week later: last week's commitments come back
    await deliver(coach, utc(2027, 1, 18, 3, 31))
    with at(utc(2027, 1, 18, 3, 31)):
        assert "call the 5 open leads" in await say(coach, ravi, "/okr wig start")
        assert "got in the way" in await say(coach, ravi, "no")
        assert "ask for two referrals" in await say(coach, ravi, "Two escalations ate my Wednesday")
        await say(coach, ravi, "yes")
        await say(coach, ravi, "11")
        await say(coach, ravi, "3")
        assert "Another one?" in await say(coach, ravi, "book 4 demos")
        done = await say(coach, ravi, "done")
    assert "Ravi Rep: 11 of 10" in done
    with at(utc(2027, 1, 18, 15)):
        board = await say(coach, maria, "/okr wig")
    assert "last week (11–17 Jan 2027)" in board and "Commitments kept: 1 of 2" in board
    async with db.session() as session:
        promises = (await session.exec(select(Commitment).order_by(Commitment.id))).all()
        entries = (await session.exec(select(LeadMeasureEntry))).all()
    assert [(c.text, c.kept, c.reason) for c in promises] == [
        ("call the 5 open leads by Wednesday", False, "Two escalations ate my Wednesday"),
        ("ask for two referrals", True, None),
        ("book 4 demos", None, None),
    ]
    assert sorted((e.week_start, e.value) for e in entries) == [
        (date(2027, 1, 4), 2), (date(2027, 1, 4), 7), (date(2027, 1, 11), 3), (date(2027, 1, 11), 11)]
    assert "There is no WIG 3" in await say(coach, maria, "/okr wig close 3")
    assert "closed" in await say(coach, maria, "/okr wig close 2")


async def test_later_snooze_tomorrow_and_skip_answer_a_prompt(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 10))
    await deliver(coach, MONDAY_WIG)
    with at(MONDAY_WIG):
        reply = await say(coach, ravi, "snooze 2h")
    assert "today at 11:01" in reply  # Kolkata time
    wig = next(o for o in await occurrences(db, ravi) if o.kind == "wig" and o.status == "pending")
    assert wig.due_at == utc(2027, 1, 11, 5, 31)
    await deliver(coach, utc(2027, 1, 11, 5, 30))
    assert len(outbox.texts_for(ravi)) == 1
    await deliver(coach, utc(2027, 1, 11, 5, 32))
    assert "Here it is again" in outbox.texts_for(ravi)[-1]
    with at(utc(2027, 1, 11, 5, 33)):
        assert "tomorrow at 09:00" in await say(coach, ravi, "tomorrow")
        # a snoozed prompt can be snoozed again, by word or by command (issue #11)
        assert "today at 12:03" in await say(coach, ravi, "/okr snooze 1h")
        assert "tomorrow at 09:00" in await say(coach, ravi, "snooze tomorrow")
    await deliver(coach, utc(2027, 1, 12, 3, 31))  # Tuesday 09:01: the WIG again
    await deliver(coach, utc(2027, 1, 12, 4, 1))  # 09:31: the check-in
    assert len(outbox.texts_for(ravi)) == 4
    with at(utc(2027, 1, 12, 4, 10)):
        assert "skipped" in await say(coach, ravi, "skip")  # the latest: the check-in
        later_id = [c.value for r, ms in outbox.sent for m in ms if r.person_id == ravi
                    and (m.key or "").startswith("wig") for c in m.choices
                    if c.value.startswith("cadence:later")][-1]
        assert "today at 11:40" in await say(coach, ravi, action=later_id)
        assert "30m" in await say(coach, ravi, "/okr snooze for a while")
    statuses = {o.kind: o.status for o in await occurrences(db, ravi) if o.local_date <= date(2027, 1, 12)
                and o.status != "missed"}
    assert statuses == {"wig": "pending", "okr_checkin": "skipped"}
    from storage.models import Delivery

    mine = {o.id for o in await occurrences(db, ravi)}
    async with db.session() as session:
        purposes = sorted(d.purpose for d in (await session.exec(select(Delivery))).all()
                          if d.occurrence_id in mine)
    assert purposes == ["prompt", "prompt", "prompt2", "prompt5"]  # the third delivery came after 4 snoozes


async def test_typed_skip_without_an_open_prompt_falls_through(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    assert "didn't catch that" in await say(coach, team["ravi"], "skip")


async def test_out_until_skips_prompts_and_back_restores_them(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 1, 8, 10)):
        await Dispatcher(coach).tick()
        assert "When are you away" in await say(coach, ravi, "/okr out whenever")
        assert "already passed" in await say(coach, ravi, "/okr out until 2027-01-02")
        echo = await say(coach, ravi, "/okr out until January 20")
        assert "from Fri 8 Jan 2027 to Wed 20 Jan 2027, 9 working days" in echo
        assert await occurrences(db, ravi) and all(o.status != "skipped" for o in await occurrences(db, ravi))
        reply = await say(coach, ravi, action="absence:save:2027-01-08:2027-01-20")
    assert "to Wed 20 Jan 2027" in reply
    assert "Weekly WIG session of Mon 11 Jan 2027: skipped, the next one goes out on Thu 21 Jan 2027" in reply
    assert "Weekly WIG session of Mon 18 Jan 2027: moved to Thu 21 Jan 2027" in reply
    # the next regular check-in, Tue 26 Jan, is Republic Day in Kolkata: Wednesday
    assert "OKR check-in of Tue 12 Jan 2027: skipped, the next one goes out on Wed 27 Jan 2027" in reply
    rows = {o.key.split(":")[0] + ":" + o.key.split(":")[2]: o for o in await occurrences(db, ravi)}
    assert (rows["wig:2027-01-11"].status, rows["wig:2027-01-11"].reason) == ("skipped", "absence:2027-01-20")
    assert rows["wig:2027-01-18"].status == "pending"
    assert rows["wig:2027-01-18"].due_at == utc(2027, 1, 21, 3, 30)  # moved to Thursday
    # back on Thu 21 Jan, 9 of the check-in's 14 days: past halfway to the regular 26 Jan one
    checkin = rows["okr_checkin:2027-01-12"]
    assert (checkin.status, checkin.reason) == ("skipped", "absence:2027-01-20")
    before = len(outbox.texts_for(ravi))  # the 4 January WIG went out on the 8th
    await deliver(coach, utc(2027, 1, 11, 12))
    assert len(outbox.texts_for(ravi)) == before
    with at(utc(2027, 1, 14, 10)):
        assert "Welcome back" in await say(coach, ravi, "/okr out back")
    rows = {o.key: o for o in await occurrences(db, ravi)}
    assert rows[f"wig:{ravi}:2027-01-18"].due_at == utc(2027, 1, 18, 3, 30)


def test_parsers() -> None:
    assert parse_snooze("2h").total_seconds() == 7200  # type: ignore[union-attr]
    assert parse_snooze("30 min").total_seconds() == 1800  # type: ignore[union-attr]
    assert parse_snooze("tomorrow") == "tomorrow"
    assert parse_snooze("whenever") is None
    today = date(2027, 2, 20)
    assert parse_absence("until March 3", today, "Europe/Oslo") == (today, date(2027, 3, 3))
    assert parse_absence("2027-03-01 to 2027-03-05", today, "Europe/Oslo") == (date(2027, 3, 1), date(2027, 3, 5))
    assert parse_absence("until 2027-02-01", today, "Europe/Oslo") == "past"
    assert parse_absence("", today, "Europe/Oslo") == "missing"
    # Monday's (and Sunday's) session reports on last week and commits for this one
    assert session_weeks(date(2027, 1, 11)) == (date(2027, 1, 4), date(2027, 1, 11))
    assert session_weeks(date(2027, 1, 10)) == (date(2027, 1, 4), date(2027, 1, 11))
    assert session_weeks(date(2027, 1, 12)) == (date(2027, 1, 4), date(2027, 1, 11))


async def test_a_prompt_button_works_while_another_conversation_runs(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 10))
    await deliver(coach, MONDAY_WIG)
    with at(MONDAY_WIG):
        assert "commit to" in await say(coach, ravi, "start")  # the WIG session is running
    await deliver(coach, TUESDAY_CHECKIN)
    later = [c.value for r, ms in outbox.sent for m in ms if r.person_id == ravi
             and (m.key or "").startswith("okr_checkin") for c in m.choices if c.value.startswith("cadence:later")]
    with at(TUESDAY_CHECKIN):
        assert "back today at 11:31" in await say(coach, ravi, action=later[0])
        # the running conversation is untouched: the next line still answers it
        assert "Another one?" in await say(coach, ravi, "call five leads")
        assert "scorecard" in await say(coach, ravi, "done")


async def test_typed_not_now_puts_the_prompt_back_for_two_hours(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 10))
    await deliver(coach, MONDAY_WIG)
    with at(MONDAY_WIG):
        reply = await say(coach, ravi, "Not now.")
    assert "today at 11:01" in reply, reply  # Kolkata time, two hours on
    wig = next(o for o in await occurrences(db, ravi) if o.kind == "wig")
    assert (wig.status, wig.due_at) == ("pending", utc(2027, 1, 11, 5, 31))


async def test_okr_checkin_answers_a_prompt_put_back_for_later(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """A rep who said "later" and then types `/okr checkin` has done the check-in: the
    snoozed prompt must not come back two hours later as if nothing happened."""
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 10))
    await deliver(coach, TUESDAY_CHECKIN)
    with at(TUESDAY_CHECKIN):
        assert "today at 11:31" in await say(coach, ravi, "later")
    with at(utc(2027, 1, 12, 5, 0)):
        await say(coach, ravi, "/okr checkin")
        await say(coach, ravi, "skip")
        assert "saved" in await say(coach, ravi, "skip")
    sent = len(outbox.texts_for(ravi))
    await deliver(coach, utc(2027, 1, 12, 6, 5))
    assert len(outbox.texts_for(ravi)) == sent, outbox.texts_for(ravi)[-1]
    row = next(o for o in await occurrences(db, ravi) if o.kind == "okr_checkin")
    assert row.status == "answered"


async def test_a_timeout_on_the_managers_copy_saves_the_check_in_once(
        db: Database, team: dict[str, int]) -> None:
    """The check-in is saved before the manager's copy goes out; a platform timeout on
    that copy must not make the rep answer the last question again (and save twice)."""
    from bot.core.channel import Channels
    from bot.core.settings import Settings
    from storage.models import CheckIn

    ravi, maria = team["ravi"], team["maria"]

    class ManagerTimesOut(RecordingChannel):
        async def deliver(self, recipient, messages):  # type: ignore[no-untyped-def]
            if recipient.person_id == maria:
                raise TimeoutError("Slack did not answer")
            return await super().deliver(recipient, messages)

    coach = build_coach(db, Settings(database_url=db.url), Channels(ManagerTimesOut()))
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], ravi, "Grow", "2027", 1,
                                    [{"title": "New logos", "target": 12, "unit": "logos"}])
    with at(TUESDAY_CHECKIN):
        await say(coach, ravi, "/okr checkin")
        await say(coach, ravi, "4")
        await say(coach, ravi, "on track")
        await say(coach, ravi, "skip")
        done = await say(coach, ravi, "Call every lead within a day")
    assert "saved" in done
    async with db.session() as session:
        assert len((await session.exec(select(CheckIn))).all()) == 1
