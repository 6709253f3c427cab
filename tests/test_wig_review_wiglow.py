"""Review wiglow: a WIG or lead-measure value of exactly 1 reads with its unit's
singular ("1 deal", "1 demo"); `/okr wig add`'s suggestions are ones it accepts; the
jump check asks only about a jump far both from the last reading and against the
WIG's scale; a count WIG's re-ask never offers the refused value as its example; a
plain `yes` right after a WIG read-back keeps the value."""

from __future__ import annotations

import re

import pytest
from conftest import say
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

import prompts
from bot.core.coach import Coach
from conversations.unit_words import one_of
from conversations.wig_text import wig_jump
from storage.db import Database
from storage.models import Wig, WigReading


async def _rows(db: Database, model: type) -> list:
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


# --- 1. a value of exactly 1 reads with the singular -------------------------------------

@pytest.mark.parametrize(("unit", "one"), [
    ("deals", "deal"), ("discovery calls", "discovery call"), ("deals closed", "deal closed"),
    ("opportunities", "opportunity"), ("SQLs", "SQL"), ("people", "person"), ("hours", "hour"),
    ("FTE", "FTE"), ("NPS", "NPS"), ("status", "status"), ("analytics", "analytics"),
    ("niches", "niche"), ("caches", "cache"), ("pitches", "pitch"), ("coaches", "coach"), ("boxes", "box"),
    ("crises", "crisis"), ("hypotheses", "hypothesis"),
])
def test_the_singular_of_a_unit(unit: str, one: str) -> None:
    assert one_of(unit) == one


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (1, "deals", "1 deal"), (1.0, "demos", "1 demo"), (1, "hours", "1 hour"), (2, "deals", "2 deals"),
    (0, "deals", "0 deals"), (1.5, "hours", "1.5 hours"), (1, "USD", "$1"), (1, "NOK", "1 NOK"),
    (1, "%", "1%"), (1, "FTE", "1 FTE"),
])
def test_an_amount_of_one_reads_singular_and_others_keep_their_unit(value: float, unit: str, shown: str) -> None:
    assert prompts.format_amount(value, unit) == shown
    assert prompts.format_bare(value, unit) == shown.removesuffix(f" {unit}").removesuffix(f" {one_of(unit)}")


async def test_one_deal_and_one_demo_on_the_scorecard_its_chart_and_the_session(
        coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, maria, "/okr wig add Signed deals from 0 to 40 deals by July 1 2027")
        await say(coach, maria, "/okr wig measure Demos, 1 demos per week")
        updated = await say(coach, maria, "/okr wig update 1 1")
    with freeze_time("2027-01-11 15:00:00"):
        board = await say(coach, maria, "/okr scorecard")
        session = await say(coach, team["ravi"], "/okr wig start")  # a rep is asked the lead measure
    texts = updated + board + session
    assert "now stands at 1 deal." in updated, updated
    assert "Winning: 1 deal, 1 deal ahead" in board, board
    assert "[image: Chart: Signed deals has one reading so far, 1 deal, ahead" in board, board
    assert "The target is 1 demo." in session, session
    assert not re.search(r"\b1 (deals|demos)\b", texts), texts


# --- 2. a suggestion /okr wig add offers is one it accepts --------------------------------

@pytest.mark.parametrize(("typed", "kept"), [
    ("Q from -10 to 10 deals by July 1 2027", "Q from 0 to 10 deals by July 1 2027"),  # never "10 to 10"
    ("Q from -5 to 10 deals by July 1 2027", "Q from 5 to 10 deals by July 1 2027"),
    ("Q from -$10k to $10k by July 1 2027", None),  # only the line with `confirm`
    ("Q from -$5k to $10k by July 1 2027", "Q from 5000 to 10000 USD by July 1 2027"),
    ("Q from -20% to 20% by July 1 2027", None),
])
async def test_an_example_offered_for_a_wig_below_zero_is_accepted(
        coach: Coach, db: Database, team: dict[str, int], typed: str, kept: str | None) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        reply = await say(coach, maria, f"/okr wig add {typed}")
        offered = [o for o in re.findall(r"`/okr (wig add [^`]+)`", reply) if not o.endswith(" confirm")]
        assert "below zero" in reply, reply
        assert "from 10 to 10" not in reply and "from 10000 to 10000" not in reply and "20 to 20" not in reply, reply
        for example in offered:  # whatever is offered is set when typed
            assert "is set" in await say(coach, maria, f"/okr {example}"), (reply, example)
            await say(coach, maria, "/okr wig close 1")
    assert (offered == [f"wig add {kept}"]) if kept else offered == [], (reply, offered)
    assert len(await _rows(db, Wig)) == len(offered)


@pytest.mark.parametrize("typed", ["Q from -5 deals to 10 calls by July 1 2027",
                                   "Q from 1.5 deals to 10 calls by July 1 2027"])
async def test_an_example_in_one_unit_is_accepted(coach: Coach, team: dict[str, int], typed: str) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        reply = await say(coach, maria, f"/okr wig add {typed}")
        offered = re.findall(r"`/okr (wig add [^`]+)`", reply)
        assert "in one unit" in reply and len(offered) == 2, reply
        for example in offered:
            assert "is set" in await say(coach, maria, f"/okr {example}"), (reply, example)
            await say(coach, maria, "/okr wig close 1")


# --- 3. a jump is read back when far from the last reading AND large for the WIG ----------

@pytest.mark.parametrize(("before", "start", "target", "value", "jump"), [
    (1, 0, 40, 12, None),          # ordinary progress on a WIG of 40 deals
    (1, 0, 40, 25, "up"),          # more than half the goal in one reading
    (1, 0, 40, 4000, "up"),
    (0, 0, 40, 4000, "far"),       # from 0: far beyond the whole distance
    (0, 0, 40, 45, None),
    (100, 0, 500, 400, "up"),      # 300 of a 500 goal in one reading: asked
    (100, 0, 500, 250, None),
    (30, 0, 40, 5, "down"),        # 25 of 40 lost at once
    (3, 0, 40, 0.5, None),         # less than a third, but a small step on this WIG
    (1, 1, 2, 150_000, "up"),      # the 1.5 typed as 150k
    (150_000, 1, 2, 2, "down"),
    (90, 100, 0, 20, "down"),      # a WIG counting down (open incidents)
])
def test_a_jump_is_far_from_the_last_reading_and_large_against_the_wig(
        before: float, start: float, target: float, value: float, jump: str | None) -> None:
    assert wig_jump(before, start, target, value) == jump


_NUMBERS = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(before=_NUMBERS, start=_NUMBERS, target=_NUMBERS, value=_NUMBERS)
def test_a_jump_of_at_most_half_the_distance_is_never_read_back(
        before: float, start: float, target: float, value: float) -> None:
    span = abs(target - start)
    result = wig_jump(before, start, target, value)
    assert result in (None, "up", "down", "far")
    if span and abs(value - before) <= span / 2 and before > 0:
        assert result is None
    if result == "up":
        assert value > before
    if result == "down":
        assert value < before


@given(span=st.floats(min_value=1, max_value=1e9), start=st.floats(min_value=0, max_value=1e9),
       times=st.floats(min_value=3.01, max_value=1e3))
def test_a_value_far_past_the_target_is_read_back_from_zero_or_from_a_small_reading(
        span: float, start: float, times: float) -> None:
    target = start + span
    far = target + times * span
    assert wig_jump(0, 0, span, span + times * span) == "far"
    if start > 0 and far > 3 * start:  # from the start: more than three times it and past half the goal
        assert wig_jump(start, start, target, far) == "up"


async def test_wig_update_keeps_ordinary_progress_and_reads_back_a_slip(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, maria, "/okr wig add Signed deals from 0 to 40 deals by July 1 2027")
        await say(coach, maria, "/okr wig update 1 1")
    with freeze_time("2027-01-11 15:00:00"):
        assert "now stands at 12 deals" in await say(coach, maria, "/okr wig update 1 12")
        slip = await say(coach, maria, "/okr wig update 1 120")
    assert "more than three times the 12 deals of its last reading" in slip, slip
    assert [r.value for r in await _rows(db, WigReading)] == [1, 12]


# --- 4. a count WIG's re-ask never offers the value it refused ----------------------------

async def test_a_count_wig_with_a_fraction_is_refused_with_a_whole_example(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]  # New York: "1,5" is in doubt
    with freeze_time("2027-01-04 15:00:00"):
        typed = await say(coach, maria, "/okr wig add Signed deals from 0 to 1.5 deals by July 1 2027")
        doubt = await say(coach, maria, "/okr wig add Signed deals from 0 to 1,5 deals by July 1 2027")
        assert "counted in whole ones" in typed, typed
        assert "`/okr wig add Signed deals from 0 to 2 deals by July 1 2027`" in typed, typed
        assert "1.5" not in doubt.split("whole ones", 1)[1] and "from 0 to 15 deals" in doubt, doubt
        assert await _rows(db, Wig) == []
        for line in re.findall(r"`/okr (wig add [^`]+)`", typed + doubt):
            assert "is set" in await say(coach, maria, f"/okr {line}")
            await say(coach, maria, "/okr wig close 1")


async def test_an_older_count_wig_to_a_fraction_offers_a_whole_example(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    """A WIG "to 1.5 deals" stored before fractions were refused: "1,5" typed by a
    person whose decimal mark is the comma (Oslo) was asked again with `1.5` as the
    example, the value it refused; the example is now 2."""
    ada = team["ada"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, ada, "/okr wig add Signed deals from 0 to 2 deals by July 1 2027")
        async with db.session() as session:
            wig = (await session.exec(select(Wig))).one()
            wig.to_value = 1.5
            session.add(wig)
        replies = [await say(coach, ada, f"/okr wig update 1 {raw}") for raw in ("1,5", "2 weeks", "")]
    for reply in replies:
        assert "`/okr wig update 1 1.5`" not in reply and "`/okr wig update 1 2`" in reply, reply


# --- 5. a plain `yes` right after a read-back keeps the value -----------------------------

async def _read_back(coach: Coach, maria: int) -> str:
    await say(coach, maria, "/okr wig add Signed deals from 0 to 40 deals by July 1 2027")
    await say(coach, maria, "/okr wig update 1 1")
    return await say(coach, maria, "/okr wig update 1 4000")


@pytest.mark.parametrize("answer", ["yes", "y", "1", "Yes."])
async def test_a_yes_on_the_next_line_keeps_the_value_read_back(
        coach: Coach, db: Database, team: dict[str, int], answer: str) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00") as clock:
        asked = await _read_back(coach, maria)
        assert "reply `yes`" in asked and "`/okr wig update 1 4000 confirm`" in asked, asked
        clock.tick(14 * 60)
        kept = await say(coach, maria, answer)
    assert "now stands at 4,000 deals" in kept, kept
    assert [r.value for r in await _rows(db, WigReading)] == [4000]  # this week's reading, replaced


async def test_the_yes_survives_a_restart(db: Database, team: dict[str, int]) -> None:
    from conftest import RecordingChannel

    from bot.core.channel import Channels
    from bot.core.settings import Settings
    from bot.runtime import build_coach

    def fresh() -> Coach:
        return build_coach(db, Settings(database_url=db.url), Channels(RecordingChannel()))
    with freeze_time("2027-01-04 15:00:00"):
        await _read_back(fresh(), team["maria"])
        assert "now stands at 4,000 deals" in await say(fresh(), team["maria"], "yes")


@pytest.mark.parametrize(("between", "minutes", "said"), [
    ("/okr wig", 0, "I didn't catch that"),      # not the very next message
    ("hello", 0, "I didn't catch that"),
    (None, 16, "more than 15 minutes ago"),      # too late
])
async def test_a_yes_later_or_after_another_message_keeps_nothing(
        coach: Coach, db: Database, team: dict[str, int], between: str | None, minutes: int, said: str) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00") as clock:
        await _read_back(coach, maria)
        if between:
            await say(coach, maria, between)
        clock.tick(minutes * 60)
        reply = await say(coach, maria, "yes")
        again = await say(coach, maria, "yes")  # told once: then nothing waits
    assert said in reply and "now stands" not in reply, reply
    assert "I didn't catch that" in again
    assert [r.value for r in await _rows(db, WigReading)] == [1]


async def test_a_no_keeps_nothing_and_says_so(coach: Coach, db: Database, team: dict[str, int]) -> None:
    with freeze_time("2027-01-04 15:00:00"):
        await _read_back(coach, team["maria"])
        assert "I kept nothing" in await say(coach, team["maria"], "no")
    assert [r.value for r in await _rows(db, WigReading)] == [1]


async def test_a_yes_for_a_wig_closed_meanwhile_is_never_given_to_another(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    """The read-back is held for the WIG's id: WIG 2 becoming WIG 1 never takes WIG 1's value."""
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, maria, "/okr wig add Signed deals from 0 to 40 deals by July 1 2027")
        await say(coach, maria, "/okr wig add ARR from 0 to 40 deals by July 1 2027")
        assert "reply `yes`" in await say(coach, maria, "/okr wig update 2 4000")
        async with db.session() as session:  # closed by another instance, say, between the two messages
            from storage import wig as wig_store
            wigs = await wig_store.active_wigs(session, maria)
            await wig_store.close_wig(session, wigs[1].id, maria)  # type: ignore[arg-type]
        assert "no longer open" in await say(coach, maria, "yes")
    assert await _rows(db, WigReading) == []


async def test_a_yes_sets_a_wig_going_below_zero_read_back(coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        asked = await say(coach, maria, "/okr wig add Margin from -$50k to $100k by July 1 2027")
        assert "reply `yes`" in asked and "below zero" in asked, asked
        assert "is set" in await say(coach, maria, "yes")
    assert [(w.from_value, w.to_value) for w in await _rows(db, Wig)] == [(-50_000, 100_000)]


@pytest.mark.parametrize(("value", "typed"), [(1.005, "1.0050"), (1234.567, "1234.5670"), (1.5, "1.5"),
                                             (2.0, "2"), (0.125, "0.1250")])
def test_a_decimal_offered_to_type_back_reads_one_way(value: float, typed: str) -> None:
    assert prompts.decimal_to_type(value) == typed


async def test_the_decimal_reading_offered_for_a_number_read_two_ways_is_accepted(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    """"$1.005" reads as 1.005 or 1,005: the re-ask offered `/okr wig update 1 $1.005`
    for the decimal, which read two ways again (the reviewer's loop); what it offers
    now is taken."""
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, maria, "/okr wig add Margin from $0 to $10 by July 1 2027")
        asked = await say(coach, maria, "/okr wig update 1 $1.005")
        offered = re.findall(r"`(/okr wig update 1 [^`]*)` for 1\.005", asked)
        assert offered, asked
        kept = await say(coach, maria, offered[0])
    assert "reads two ways" not in kept and "now stands at" in kept, kept
    assert [r.value for r in await _rows(db, WigReading)] == [1.005]
