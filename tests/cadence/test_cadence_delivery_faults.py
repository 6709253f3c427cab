"""Delivery under faults: a crash between "the platform accepted" and "recorded",
transient platform failures retried with back-off until the prompt's deadline, and
permanent refusals, on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from cadence_helpers import at, deliveries, joined, occurrences, utc

from bot.cadence.dispatcher import Dispatcher, delivery_tag
from bot.core.channel import Channels, DeliveryError, Recipient, TransientDeliveryError
from bot.core.messages import Message
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import claims
from storage.db import Database


class Platform:
    """A test platform with a history that can be searched by tag (as Slack's
    conversations.history with message metadata), and scripted failures."""

    platform = "test"
    reaches_anyone = True

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, list[Message]]] = []
        self.failures: list[BaseException] = []  # raised by the next sends, in order
        self.searches = 0

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((recipient, messages))
        return f"msg-{len(self.sent)}"

    async def find_delivery(self, recipient: Recipient, tag: str) -> str | None:
        self.searches += 1
        for n, (r, messages) in enumerate(self.sent, 1):
            if r.person_id == recipient.person_id and any(m.tag == tag for m in messages):
                return f"msg-{n}"
        return None

    def to(self, person_id: int) -> list[Message]:
        return [m for r, ms in self.sent if r.person_id == person_id for m in ms]


async def test_a_crash_after_the_platform_accepted_is_not_sent_twice(
        db: Database, team: dict[str, int]) -> None:
    """kill -9 between send and record: the prompt is in the chat but the row still
    says claimed. The instance that takes the claim over finds it by its tag and
    records it, with the platform's id, instead of sending it again."""
    platform = Platform()
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    with at(utc(2027, 1, 11, 4, 0)):
        crashed = Dispatcher(coach, instance="crashed")
        await crashed.plan(utc(2027, 1, 11, 4, 0))
        async with db.session() as session:
            [claimed] = await claims.claim_due(session, utc(2027, 1, 11, 4, 0), "crashed", 10,
                                               utc(2027, 1, 11, 4, 1))
            assert await claims.mark_sending(session, claimed.id, "crashed")  # type: ignore[arg-type]
        recipient = await coach.recipient(claimed.person_id)
        await coach.send(recipient, crashed._draw(claimed, recipient.name))  # accepted ...
        # ... and the process is killed before it records the delivery
    with at(utc(2027, 1, 11, 4, 1, 30)):
        report = await Dispatcher(coach, instance="survivor").tick()
    assert (report.delivered, report.recovered) == (1, 1)
    assert len(platform.sent) == 1, "sent once, found once"
    assert [m.tag for m in platform.to(team["ravi"])] == [delivery_tag(claimed)]
    [row] = [o for o in await occurrences(db, team["ravi"]) if o.id == claimed.id]
    assert (row.status, row.claimed_by) == ("delivered", "survivor")
    assert [(d.occurrence_id, d.message_id) for d in await deliveries(db)] == [(claimed.id, "msg-1")]


async def test_a_taken_over_claim_that_never_went_out_is_sent_once(
        db: Database, team: dict[str, int]) -> None:
    """The crashed instance had claimed it but not begun to send it: no history call
    is needed (they are rate limited), it is simply sent."""
    platform = Platform()
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    with at(utc(2027, 1, 11, 4, 0)):
        await Dispatcher(coach).plan(utc(2027, 1, 11, 4, 0))
        async with db.session() as session:
            await claims.claim_due(session, utc(2027, 1, 11, 4, 0), "crashed", 10, utc(2027, 1, 11, 4, 1))
    with at(utc(2027, 1, 11, 4, 2)):
        report = await Dispatcher(coach, instance="survivor").tick()
    assert (report.delivered, report.recovered, platform.searches) == (1, 0, 0)
    assert len(platform.sent) == 1


async def test_a_burst_of_500s_is_retried_until_delivered_and_nobody_is_alerted(
        db: Database, team: dict[str, int]) -> None:
    """Three 5xx answers in a row for Ravi's prompt: it waits (back-off with jitter,
    5 s, 10 s, 20 s at most), is looked for before each retry (a 5xx may have posted
    it), and then arrives once. No failure, no admin summary."""
    platform = Platform()
    platform.failures = [TransientDeliveryError("Slack answered HTTP 500") for _ in range(3)]
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    start = utc(2027, 1, 11, 4, 0)
    reports = []
    for seconds in (0, 3, 6, 11, 22, 45):
        with at(start + timedelta(seconds=seconds)):
            reports.append(await Dispatcher(coach, instance=f"tick{seconds}").tick())
    assert sum(r.retrying for r in reports) == 3
    assert sum(r.delivered for r in reports) == 1
    assert sum(r.failed for r in reports) == 0
    assert len(platform.to(team["ravi"])) == 1
    assert platform.searches == 3
    assert platform.to(team["ada"]) == []  # no alert for a passing outage
    [wig] = [o for o in await occurrences(db, team["ravi"]) if o.status == "delivered"]
    assert wig.payload["attempts"] == 3


async def test_a_transient_failure_that_outlasts_the_deadline_fails_once(
        db: Database, team: dict[str, int]) -> None:
    platform = Platform()
    platform.failures = [TransientDeliveryError("reset", uncertain=False) for _ in range(100)]
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    start = utc(2027, 1, 11, 4, 0)
    failed = 0
    for minutes in range(0, 9 * 60, 7):
        with at(start + timedelta(minutes=minutes)):
            failed += (await Dispatcher(coach, instance="one", backoff_cap=300).tick()).failed
    assert failed == 1
    [row] = [o for o in await occurrences(db, team["ravi"]) if o.status == "failed"]
    assert "gave up after" in (row.reason or "") and row.payload["attempts"] > 10
    summary = [m.plain() for m in platform.to(team["ada"])]
    assert len(summary) <= 1  # the admin summary (if the platform let it through)


async def test_a_permanent_refusal_is_not_retried(db: Database, team: dict[str, int]) -> None:
    platform = Platform()
    platform.failures = [DeliveryError("user_not_found")]
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    with at(utc(2027, 1, 11, 4, 0)):
        report = await Dispatcher(coach).tick()
    with at(utc(2027, 1, 11, 5, 0)):
        later = await Dispatcher(coach).tick()
    assert (report.failed, report.retrying, later.delivered) == (1, 0, 0)
    statuses = Counter(o.status for o in await occurrences(db, team["ravi"]) if o.due_at <= utc(2027, 1, 11, 5))
    assert statuses["failed"] == 1


async def test_a_sender_that_lost_its_claim_does_not_send(db: Database, team: dict[str, int]) -> None:
    platform = Platform()
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    with at(utc(2027, 1, 11, 4, 0)):
        await Dispatcher(coach).plan(utc(2027, 1, 11, 4, 0))
        async with db.session() as session:
            [slow] = await claims.claim_due(session, utc(2027, 1, 11, 4, 0), "slow", 10, utc(2027, 1, 11, 4, 1))
            [taken] = await claims.reclaim_stale(session, utc(2027, 1, 11, 4, 2), "taker", 10,
                                                 utc(2027, 1, 11, 4, 3))
            assert not await claims.mark_sending(session, slow.id, "slow")  # type: ignore[arg-type]
            assert await claims.mark_sending(session, taken.id, "taker")  # type: ignore[arg-type]


async def test_a_sender_keeps_its_claims_while_it_sends(db: Database, team: dict[str, int]) -> None:
    """The heartbeat: claims this instance is still sending get their lease extended;
    claims it no longer holds are left alone."""
    coach = build_coach(db, Settings(database_url=db.url), Channels(Platform()))
    await joined(db, utc(2027, 1, 11))
    with at(utc(2027, 1, 11, 4, 0)):
        await Dispatcher(coach).plan(utc(2027, 1, 11, 4, 0))
        async with db.session() as session:
            [mine] = await claims.claim_due(session, utc(2027, 1, 11, 4, 0), "me", 10, utc(2027, 1, 11, 4, 1))
            assert await claims.extend_leases(session, [mine.id], "someone-else", utc(2027, 1, 11, 5)) == 0
            assert await claims.extend_leases(session, [mine.id], "me", utc(2027, 1, 11, 4, 2)) == 1
    with at(utc(2027, 1, 11, 4, 1, 30)):  # past the first lease, within the extended one
        assert (await Dispatcher(coach, instance="other").tick()).delivered == 0
