"""A button pressed on a card before the dispatcher has recorded its delivery.

The platform shows the card as soon as the send returns; the dispatcher records
"delivered" in its next group commit (`bot.cadence.bookkeeping`), milliseconds later,
or longer on a loaded machine. A click in between used to get "You have no reminder
waiting" and the check-in never started (CI caught it in `coachbot demo`, where the
terminal's "1" arrives at once). The answer now waits for the record."""

from __future__ import annotations

import asyncio

import pytest
from cadence_helpers import at, joined, occurrences, utc
from conftest import say

from bot.cadence.dispatcher import Dispatcher
from bot.core.channel import Channels, Recipient
from bot.core.coach import Coach
from bot.core.messages import Message
from bot.core.settings import Settings
from bot.features import prompt_answers
from bot.runtime import build_coach
from storage import okrs
from storage.db import Database

TUESDAY_CHECKIN = utc(2027, 1, 12, 4, 1)  # Ravi's OKR check-in prompt is due


class ClickingChannel:
    """A platform whose user presses a button of the card the moment it shows, while
    the send has not returned to the dispatcher yet (the reply is kept)."""

    platform = "test"
    reaches_anyone = True

    def __init__(self, button: int, typed: str | None = None, returns_after: float = 0.3) -> None:
        self.button, self.typed, self.returns_after = button, typed, returns_after
        self.coach: Coach | None = None
        self.clicks: list[asyncio.Task[str]] = []

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        card = next((m for m in messages if m.choices and (m.key or "").startswith("okr_checkin")), None)
        if card is not None and self.coach is not None and not self.clicks:
            pressed = say(self.coach, recipient.person_id, self.typed or "",  # type: ignore[arg-type]
                          action=None if self.typed else card.choices[self.button].value)
            self.clicks.append(asyncio.ensure_future(pressed))
            await asyncio.sleep(self.returns_after)  # the click is read before the send returns
        return "clicked-1"


async def _ready(db: Database, team: dict[str, int], channel: ClickingChannel) -> Coach:
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Grow new business", "2027", 1, [
            {"title": "New logos", "target": 12, "unit": "logos"}])
    await joined(db, utc(2027, 1, 10))
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    channel.coach = coach
    return coach


async def test_start_pressed_before_the_delivery_is_recorded_starts_the_check_in(
        db: Database, team: dict[str, int]) -> None:
    channel = ClickingChannel(button=0)
    coach = await _ready(db, team, channel)
    with at(TUESDAY_CHECKIN):
        await Dispatcher(coach).tick()
        reply = await channel.clicks[0]
    assert "no reminder waiting" not in reply and "New logos" in reply, reply
    row = next(o for o in await occurrences(db, team["ravi"]) if o.kind == "okr_checkin")
    assert row.status == "answered" and row.delivered_at is not None  # recorded, then answered


@pytest.mark.parametrize("typed, said", [("skip", "this check-in is skipped"),
                                          ("later", "bring your okr check-in back today at 11:31")])
async def test_typed_answers_wait_for_the_record_too(db: Database, team: dict[str, int], typed: str,
                                                     said: str) -> None:
    channel = ClickingChannel(button=0, typed=typed)
    coach = await _ready(db, team, channel)
    with at(TUESDAY_CHECKIN):
        await Dispatcher(coach).tick()
        reply = await channel.clicks[0]
    assert said in reply.lower(), reply  # the check-in arriving, not Monday's WIG prompt (open)


async def test_a_send_never_recorded_is_said_to_be_on_its_way_and_left_for_its_takeover(
        db: Database, team: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The sender is stuck (or died) after the send: past the wait the answer says the
    reminder is still arriving, and the prompt is left claimed, neither answered nor
    lost, for the dispatcher (or its takeover) to record."""
    monkeypatch.setattr(prompt_answers, "SETTLE_SECONDS", 0.2)
    channel = ClickingChannel(button=3, returns_after=1.0)  # "Skip this one"
    coach = await _ready(db, team, channel)
    with at(TUESDAY_CHECKIN):
        await Dispatcher(coach).tick()
        reply = await channel.clicks[0]
        assert "still on its way" in reply and "no reminder waiting" not in reply, reply
        row = next(o for o in await occurrences(db, team["ravi"]) if o.kind == "okr_checkin")
        assert row.status == "delivered"  # the tick recorded it after the click gave up
        assert "skipped" in (await say(coach, team["ravi"], "skip")).lower()  # and now it answers


async def test_nothing_being_sent_still_says_nothing_is_waiting_at_once(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with at(TUESDAY_CHECKIN):
        reply = await say(coach, team["ravi"], action="cadence:start:999")
    assert "no reminder waiting" in reply and loop.time() - started < prompt_answers.SETTLE_SECONDS


async def _row(db: Database, team: dict[str, int], kind: str, key: str, status: str,
               reason: str | None = None) -> int:
    """A prompt of Ravi's in `status` (claimed by another instance when "claimed")."""
    from datetime import UTC, date, datetime

    from sqlalchemy import update
    from sqlmodel import select

    from storage import occurrences as store
    from storage.models import Occurrence

    async with db.session() as session:
        await store.add_occurrence(session, key, team["org"], team["ravi"], kind,
                                   datetime(2027, 1, 12, 4, tzinfo=UTC), date(2027, 1, 12))
        await session.exec(update(Occurrence).where(Occurrence.key == key).values(  # type: ignore[call-overload]
            status=status, reason=reason, claimed_by="elsewhere" if status == "claimed" else None,
            delivered_at=datetime(2027, 1, 11, 4, tzinfo=UTC) if status == "delivered" else None))
        return int((await session.exec(select(Occurrence.id).where(Occurrence.key == key))).one())


async def _status(db: Database, occurrence_id: int) -> str:
    return next(o.status for o in await occurrences(db) if o.id == occurrence_id)


@pytest.mark.parametrize("typed", ["skip", "start", "later", "/okr snooze 2h"])
async def test_a_typed_answer_never_falls_on_an_older_prompt_while_the_newest_is_arriving(
        db: Database, team: dict[str, int], coach: Coach, monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    """Monday's WIG prompt is open; Tuesday's check-in card is out but its delivery is
    never recorded (its sender died). "skip" means the card in front of the person:
    it is said to be on its way, and the WIG prompt is left alone (it was skipped)."""
    monkeypatch.setattr(prompt_answers, "SETTLE_SECONDS", 0.2)
    wig = await _row(db, team, "wig", "wig:ravi:older", "delivered")
    checkin = await _row(db, team, "okr_checkin", "okr_checkin:ravi:stuck", "claimed", "sending")
    with at(TUESDAY_CHECKIN):
        reply = await say(coach, team["ravi"], typed)
    assert "still on its way" in reply, reply
    assert (await _status(db, wig), await _status(db, checkin)) == ("delivered", "claimed")


async def test_clicks_waiting_for_a_record_do_not_hold_the_connections_it_needs(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """60 presses of a card whose delivery is being recorded: while they wait, their
    requests' pooled connections are given back, so the record (the dispatcher's group
    commit) gets one at once and every press then finds the prompt."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from storage.models import Occurrence

    checkin = await _row(db, team, "okr_checkin", "okr_checkin:ravi:busy", "claimed", "sending")
    loop = asyncio.get_running_loop()
    with at(TUESDAY_CHECKIN):
        presses = [asyncio.ensure_future(say(coach, team["ravi"], action=f"cadence:later:{checkin}"))
                   for _ in range(60)]
        await asyncio.sleep(0.3)
        started = loop.time()
        async with db.session() as session:
            await session.exec(update(Occurrence).where(Occurrence.id == checkin).values(  # type: ignore[call-overload]
                status="delivered", reason=None, delivered_at=datetime(2027, 1, 12, 4, tzinfo=UTC)))
        took = loop.time() - started
        replies = await asyncio.gather(*presses)
    assert took < 1.0, f"the record waited {took:.2f} s for a connection"
    assert all("bring your OKR check-in back" in r for r in replies), {r[:80] for r in replies}


@pytest.mark.parametrize("answer", ["skip", "start"])
async def test_a_snoozed_prompt_is_still_open_to_skip_or_start(
        db: Database, team: dict[str, int], coach: Coach, answer: str) -> None:
    """The README: `later`, `snooze 2h`, `tomorrow` and `skip` answer any prompt, a
    snoozed one too. Typed "skip" after "In 2 hours" was "I didn't catch that", and its
    card's Start or Skip said nothing was waiting (reviewer)."""
    checkin = await _row(db, team, "okr_checkin", "okr_checkin:ravi:snoozed", "delivered")
    with at(TUESDAY_CHECKIN):
        assert "bring your OKR check-in back" in await say(coach, team["ravi"], action=f"cadence:later:{checkin}")
        typed = await say(coach, team["ravi"], "skip") if answer == "skip" else ""
        clicked = await say(coach, team["ravi"], action=f"cadence:start:{checkin}") if answer == "start" else ""
    if answer == "skip":
        assert "this check-in is skipped" in typed and await _status(db, checkin) == "skipped"
    else:
        assert "no reminder waiting" not in clicked and await _status(db, checkin) == "answered"


async def test_start_and_skip_pressed_at_once_take_effect_once(
        db: Database, team: dict[str, int], coach: Coach, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip lands between Start's read of the open prompt and its write: the check-in
    must not open on a skipped prompt (both took effect before)."""
    from storage import occurrences as store

    checkin = await _row(db, team, "okr_checkin", "okr_checkin:ravi:both", "delivered")
    real = store.mark_answered

    async def skip_lands_first(session, occurrence_id, moment):  # type: ignore[no-untyped-def]
        async with db.session() as other:
            await store.skip(other, occurrence_id, "skipped by the person")
        return await real(session, occurrence_id, moment)

    monkeypatch.setattr(store, "mark_answered", skip_lands_first)
    with at(TUESDAY_CHECKIN):
        started = await say(coach, team["ravi"], action=f"cadence:start:{checkin}")
    assert "no reminder waiting" in started, started
    assert await _status(db, checkin) == "skipped"
