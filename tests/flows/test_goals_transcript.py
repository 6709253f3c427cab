"""New Year goal setting, played through the coach exactly as the terminal plays it:
happy path, bad answers, back/skip/cancel, a restart in the middle, parking."""

from __future__ import annotations

from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.cards import unseal
from bot.core.coach import Coach
from bot.core.messages import Inbound
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage.db import Database
from storage.models import CadenceRule, Conversation, KeyResult, Objective

NOW = "2027-01-06 09:00:00"

REFLECTION = ["We won three big deals through referrals", "skip", "New territory in the north",
              "Be the partner customers trust", "Follow up within a day"]
# after each key result: "yes", the kind it was read as is right
OBJECTIVES = [
    "Win mid-market; Grow our top ten accounts; Build a prospecting habit",
    "skip", "Close 12 new logos by end of Q2", "yes", "yes", "Book 40 meetings", "yes", "March 31", "no",
    "Own our top ten", "Grow top-10 spend by 15% by December 31", "yes", "no",
    "skip", "Run 5 prospecting blocks a week by end of Q1", "yes", "no",
]
EXPECTATIONS = ["10", "90%", "20%", "A third from services"]
MATH = ["$1.2M", "skip", "skip", "25%", "$40k", "63"]      # quota, booked, expected, w, d, c
WRAP_UP = ["Better discovery calls", "first", "Negotiation coaching", "Team lead in two years",
           "Two history books", "biweekly"]
WRAP_ALL = [*WRAP_UP[:2], "all", *WRAP_UP[2:]]  # the numbers under the first objective, all three


async def run(coach: Coach, person: int, lines: list[str]) -> str:
    out = ""
    for line in lines:
        out = await say(coach, person, line)
    return out


async def objectives(db: Database, owner: int) -> list[tuple[Objective, list[KeyResult]]]:
    async with db.session() as session:
        found = (await session.exec(select(Objective).where(Objective.owner_id == owner,
                                                            Objective.status == "active")
                                    .order_by(Objective.id))).all()
        return [(o, list((await session.exec(select(KeyResult).where(KeyResult.objective_id == o.id)
                                             .order_by(KeyResult.id))).all())) for o in found]


@freeze_time(NOW, real_asyncio=True)
async def test_happy_path_stores_okrs_and_sends_the_plan(coach: Coach, team: dict[str, int],
                                                         outbox: RecordingChannel, db: Database) -> None:
    ravi = team["ravi"]
    first = await say(coach, ravi, "/okr goals")
    assert "Hi Ravi" in first and "What went well" in first
    await run(coach, ravi, REFLECTION + OBJECTIVES + EXPECTATIONS)
    math = await run(coach, ravi, MATH)
    assert "Pipeline to create: $4,800,000 (still to win ÷ your 25% win rate)" in math
    assert "about 120 opportunities, 30 of them won, at $40,000 a deal" in math
    # Jan 6 - Dec 31 is 51.4 weeks; less the 9-week cycle, 42.4: 120 / 42.4 = 2.83
    assert "New opportunities every week: 2.9, over the 42.4 weeks left" in math
    assert "Only 0% of the number is booked or expected so far" in math
    assert "Win rate up a quarter (to 31%): $3,840,000 of pipeline, 96 opportunities; 2.3 a week, 0.6 fewer" in math
    assert "Deals a fifth bigger ($48,000): 25 deals and 100 opportunities" in math
    assert "Cycle a tenth shorter (57 days): 2.8 a week, 0.1 fewer" in math
    offer = await say(coach, ravi, WRAP_UP[0])
    assert "close $1,200,000 of business in 2027" in offer and "keep at least 90%" in offer
    assert "won't add a fourth" in offer and "first objective (\"Win mid-market\")" in offer
    preview = await run(coach, ravi, WRAP_ALL[1:])
    assert "Ravi Rep's plan for 2027" in preview and "send a copy to Maria" in preview
    done = await say(coach, ravi, "yes")
    assert "Saved!" in done and "sent a copy to Maria" in done

    stored = await objectives(db, ravi)
    assert [o.title for o, _ in stored] == ["Win mid-market", "Own our top ten",
                                            "Build a prospecting habit"]   # three, not four
    first_krs = stored[0][1]
    assert [(k.title, k.target_value, k.unit, str(k.due_on), k.kind) for k in first_krs[:2]] == [
        ("Close 12 new logos by end of Q2", 12.0, "logos", "2027-06-30", "total"),
        ("Book 40 meetings", 40.0, "meetings", "2027-03-31", "total"),
    ]
    numbers = first_krs[2:]
    assert [(k.target_value, k.unit, k.kind) for k in numbers] == [
        (1_200_000, "USD", "quota"), (10, "customers", "total"), (90, "%", "floor")]
    assert all(k.confidence == "unrated" for _, krs in stored for k in krs)
    blocks = stored[2][1][0]
    assert (blocks.kind, blocks.per, blocks.target_value) == ("rate", "week", 5)
    assert all(o.period == "2027" for o, _ in stored)

    to_maria = outbox.texts_for(team["maria"])
    assert len(to_maria) == 1 and "Ravi Rep has finished their goal setting" in to_maria[0]
    assert "Close 12 new logos by end of Q2" in to_maria[0]
    assert outbox.texts_for(ravi) == []  # the rep got the plan as replies, not as a push

    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
        rule = (await session.exec(select(CadenceRule))).one()
    assert conversation.status == "done"
    assert (rule.person_id, rule.kind, rule.rrule, rule.local_time) == (
        ravi, "okr_checkin", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "09:30")
    assert "/okr status" in done and "every two weeks" in done
    status = await say(coach, ravi, "/okr status")
    assert "Close 12 new logos by end of Q2" in status


@freeze_time(NOW, real_asyncio=True)
async def test_bad_answers_are_asked_again_with_an_example(coach: Coach, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    await run(coach, ravi, REFLECTION)
    too_many = await say(coach, ravi, "One; Two; Three; Four")
    assert "keep it to three on purpose" in too_many
    await run(coach, ravi, ["One; Two; Three", "skip"])
    vague = await say(coach, ravi, "Be better at closing")
    assert "How will we know" in vague and "by when" in vague
    read = await say(coach, ravi, "Book 40 meetings")
    assert 'I read "Book 40 meetings" as a total to reach by its date' in read
    picked = await say(coach, ravi, "no")
    assert "Which kind of key result" in picked
    no_date = await say(coach, ravi, "rate")
    assert "By when?" in no_date
    past = await say(coach, ravi, "2026-12-01")
    assert "already passed" in past
    assert "Would you like to add another" in await say(coach, ravi, "next Friday")
    maybe = await say(coach, ravi, "maybe")
    assert "`yes` or `no`" in maybe
    await say(coach, ravi, "no")
    # objectives 2 and 3
    await run(coach, ravi, ["skip", "Grow spend by 10% by end of year", "yes", "no",
                            "skip", "Call 20 prospects a week by end of Q1", "yes", "no"])
    await say(coach, ravi, "10")
    ambiguous = await say(coach, ravi, "0.9")
    assert "Did you mean 90%" in ambiguous
    await run(coach, ravi, ["90%", "skip", "skip"])
    quota = await say(coach, ravi, "lots of money")
    assert "`$250k`" in quota
    await say(coach, ravi, "no idea")
    offer = await coach.handle(Inbound(person_id=ravi, platform="test", text="no idea"))
    assert "skip it" in offer[-1].text
    assert [(c.label, unseal(c.value)[0]) for c in offer[-1].choices] == [
        ("Skip this one", "skip"), ("Help", "help"), ("Stop here", "cancel")]
    after = await say(coach, ravi, "skip")
    assert "already secured" in after


@freeze_time(NOW, real_asyncio=True)
async def test_zero_and_missing_numbers_get_a_clear_answer(coach: Coach, team: dict[str, int]) -> None:
    sam = team["sam"]
    await say(coach, sam, "/okr goals")
    await run(coach, sam, REFLECTION + OBJECTIVES + EXPECTATIONS)
    text = await run(coach, sam, ["$500k", "skip", "skip", "0%", "skip", "skip"])
    assert "I still need a win rate above zero and an average deal value above zero" in text
    assert "Traceback" not in text


@freeze_time(NOW, real_asyncio=True)
async def test_back_skip_cancel_and_help(coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    assert "nothing to go back to" in await say(coach, ravi, "back")
    await say(coach, ravi, "First answer")
    again = await say(coach, ravi, "back")
    assert "What went well" in again
    helped = await say(coach, ravi, "help")
    assert "`skip` to leave this one out" in helped and "What went well" in helped
    await run(coach, ravi, ["Second answer", "skip", "skip", "skip", "skip"])
    refused = await say(coach, ravi, "skip")
    assert "I need this one" in refused
    cancelled = await say(coach, ravi, "cancel")
    assert "nothing from it was saved" in cancelled
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
    assert conversation.status == "cancelled"
    assert "didn't catch that" in await say(coach, ravi, "hello?")  # no flow claims it now
    assert await objectives(db, ravi) == []


@freeze_time(NOW, real_asyncio=True)
async def test_restart_in_the_middle_resumes_at_the_same_question(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    await run(coach, ravi, REFLECTION + OBJECTIVES[:4])
    # the process stops; a new one starts on the same database the next day
    restarted_db = Database(db.url)
    try:
        with freeze_time("2027-01-07 08:00:00", real_asyncio=True):
            fresh = build_coach(restarted_db, Settings(database_url=db.url), coach.channels)
            answer = await say(fresh, ravi, "yes")
            assert "Next key result" in answer
            resumed = await say(fresh, ravi, "/okr goals")
            assert "Welcome back" in resumed and "Next key result" in resumed
            await run(fresh, ravi, ["Book 40 meetings", "yes", "March 31", "no"] + OBJECTIVES[9:]
                      + EXPECTATIONS + MATH + WRAP_ALL)
            not_yet = await say(fresh, ravi, "no")
            assert "nothing is saved yet" in not_yet and "Shall I save it" in not_yet
            assert await objectives(db, ravi) == []
            assert "Saved!" in await say(fresh, ravi, "yes")
    finally:
        await restarted_db.dispose()
    stored = await objectives(db, ravi)
    assert [k.title for k in stored[0][1]][:2] == ["Close 12 new logos by end of Q2", "Book 40 meetings"]


@freeze_time(NOW, real_asyncio=True)
async def test_starting_another_flow_offers_to_park(coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    await say(coach, ravi, "Referrals worked")
    question = await coach.handle(Inbound(person_id=ravi, platform="test", text="/okr discover ACME"))
    assert "in the middle of your 2027 goal setting" in question[0].text
    assert [c.value for c in question[0].choices] == ["park", "stay"]
    kept = await say(coach, ravi, action="stay")
    assert "carry on with your 2027 goal setting" in kept and "didn't work" in kept
    await say(coach, ravi, "/okr discover ACME")
    parked = await say(coach, ravi, action="park")
    assert "parked your 2027 goal setting" in parked and "questions to bring" in parked
    await say(coach, ravi, "cancel")
    back = await say(coach, ravi, "/okr goals")
    assert "Welcome back" in back and "didn't work" in back
    async with db.session() as session:
        rows = (await session.exec(select(Conversation).order_by(Conversation.id))).all()
    assert [(r.flow, r.status) for r in rows] == [("goals", "active"), ("discovery", "cancelled")]


@freeze_time(NOW, real_asyncio=True)
async def test_doing_goals_again_replaces_the_years_objectives(coach: Coach, team: dict[str, int],
                                                               db: Database) -> None:
    sam = team["sam"]
    for _ in range(2):
        await say(coach, sam, "/okr goals")
        await run(coach, sam, REFLECTION + OBJECTIVES + ["skip"] * 4 + ["skip"] * 6 + WRAP_UP[:1]
                  + WRAP_UP[2:])
        await say(coach, sam, "yes")
    stored = await objectives(db, sam)
    assert [o.title for o, _ in stored] == ["Win mid-market", "Own our top ten", "Build a prospecting habit"]
    async with db.session() as session:
        assert len((await session.exec(select(CadenceRule))).all()) == 1   # updated, not stacked


TWO = ["Win mid-market; Keep my customers", "skip", "Close 12 new logos by end of Q2", "yes", "no",
       "skip", "Keep 95% of customers by December 31", "yes", "no"]


@freeze_time(NOW, real_asyncio=True)
async def test_the_numbers_objective_is_offered_first_and_can_be_declined(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi, sam = team["ravi"], team["sam"]
    await say(coach, ravi, "/okr goals")
    read = await run(coach, ravi, REFLECTION + TWO[:7])
    assert "as a level to keep (a floor)" in read
    await run(coach, ravi, TWO[7:] + EXPECTATIONS + ["$1.2M", "$420k", "$100k", "25%", "$40k", "63"])
    offer = await say(coach, ravi, "skip")                              # levers
    assert 'a "Hit my 2027 number" objective of their own' in offer and "starting at $420,000" in offer
    await run(coach, ravi, ["own", "all"] + WRAP_UP[2:] + ["yes"])
    stored = await objectives(db, ravi)
    assert [o.title for o, _ in stored] == ["Win mid-market", "Keep my customers", "Hit my 2027 number"]
    quota = stored[2][1][0]
    # booked business counts as attained: 420k of 1.2M is 35 %, not (420-420)/(1200-420)
    assert (quota.kind, quota.start_value, quota.current_value) == ("quota", 0, 420_000)
    assert quota.progress == 0.35
    assert stored[1][1][0].kind == "floor"

    await say(coach, sam, "/okr goals")
    await run(coach, sam, REFLECTION + TWO + EXPECTATIONS + MATH + ["skip", "none"] + WRAP_UP[2:] + ["yes"])
    assert [o.title for o, _ in await objectives(db, sam)] == ["Win mid-market", "Keep my customers"]


@freeze_time(NOW, real_asyncio=True)
async def test_a_farmer_plans_from_the_installed_base(coach: Coach, team: dict[str, int], db: Database) -> None:
    from storage.models import Person

    ravi = team["ravi"]
    async with db.session() as session:
        person = await session.get(Person, ravi)
        assert person is not None
        person.selling_role = "farmer"
        session.add(person)
    await say(coach, ravi, "/okr goals")
    asked = await run(coach, ravi, REFLECTION + TWO + EXPECTATIONS + ["$500k", "skip", "skip"])
    assert "installed base" in asked                                 # after quota, booked, expected
    await run(coach, ravi, ["$2M", "5%"])
    assert "expansion deal" in await run(coach, ravi, ["Grow: ACME. Maintain: Initech", "50%"])
    math = await run(coach, ravi, ["$25k", "28"])
    assert "Still to win: $600,000 (quota $500,000, plus $100,000 of churn to replace)" in math
    assert "about 48 expansion opportunities, 24 of them won" in math
    assert "WIG lead measure" not in math                           # offered to hunters


@freeze_time(NOW, real_asyncio=True)
async def test_two_currencies_are_named_not_called_a_range(coach: Coach, team: dict[str, int]) -> None:
    """"100 NOK to 200 SEK" was asked about as "a range" (a key result) or as "two
    currencies" unnamed (the quota): each re-ask names NOK and SEK and gives an example
    in one currency, which is then taken."""
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    await run(coach, ravi, REFLECTION + ["Grow revenue", "done", "skip"])
    kr = await say(coach, ravi, "Grow revenue from 100 NOK to 200 SEK by end of Q2")
    assert "NOK and SEK are two currencies: give both ends in one" in kr and "range" not in kr
    assert "`Grow it from 100 to 200 NOK by end of Q2`" in kr
    assert "read" in await say(coach, ravi, "Grow it from 100 to 200 NOK by end of Q2")  # the kind read back
    await run(coach, ravi, ["yes", "no"])
    await run(coach, ravi, EXPECTATIONS[:2] + ["skip", "skip"])
    quota = await say(coach, ravi, "100 NOK to 200 SEK")
    assert '"100 NOK to 200 SEK" names two currencies, NOK and SEK' in quota and "`200 NOK`" in quota
    assert "two currencies" not in await say(coach, ravi, "200 NOK")
