"""The dispatcher's per-send writes in group commits (issue 17): sends that begin
together share a commit, each caller is answered only after its write is committed,
and a claim this instance lost is neither marked nor recorded."""

from __future__ import annotations

import asyncio
from datetime import date

from cadence_helpers import deliveries, occurrences, utc

from bot.cadence.bookkeeping import Bookkeeper
from storage import claims
from storage import occurrences as store
from storage.db import Database
from storage.models import Person

DUE = utc(2027, 1, 11, 9, 0)


async def _claimed(db: Database, person_id: int, count: int) -> list[claims.Claimed]:
    async with db.session() as session:
        org_id = (await session.get(Person, person_id)).org_id  # type: ignore[union-attr]
        for n in range(count):
            await store.add_occurrence(session, f"adhoc:{person_id}:{n}", org_id, person_id, "okr_checkin",
                                       DUE, date(2027, 1, 11))
    async with db.session() as session:
        return await claims.claim_due(session, DUE, "me", count, utc(2027, 1, 11, 9, 1))


async def test_sends_share_commits_and_each_answer_follows_its_commit(
        db: Database, team: dict[str, int]) -> None:
    taken = await _claimed(db, team["ravi"], 12)
    assert len(taken) == 12 and all(isinstance(c, claims.Claimed) for c in taken)
    async with db.session() as session:  # another instance took the first claim over
        await claims.reclaim_stale(session, utc(2027, 1, 11, 9, 2), "other", 1, utc(2027, 1, 11, 9, 3))
    books = Bookkeeper(db, "me", lambda: utc(2027, 1, 11, 9, 0, 30))
    begun = await asyncio.gather(*(books.begin_send(c.id) for c in taken))
    assert begun == [False] + [True] * 11  # the lost claim must not be sent
    assert books.commits < 12  # twelve writes, fewer commits
    rows = {o.id: o for o in await occurrences(db, team["ravi"])}
    assert [rows[c.id].reason for c in taken[1:]] == [claims.SENDING] * 11
    assert rows[taken[0].id].claimed_by == "other"

    async def send_and_record(claim: claims.Claimed) -> bool:
        recorded = await books.delivered(claim.id, "prompt", "test", f"m{claim.id}")
        # answered only once committed: a fresh session already sees it
        async with db.session() as session:
            sent = await store.by_keys(session, [claim.key])
        assert sent[claim.key].status == ("delivered" if recorded else "claimed")
        return recorded

    before = books.commits
    recorded = await asyncio.gather(*(send_and_record(c) for c in taken))
    assert recorded == [False] + [True] * 11
    assert books.commits - before < 12
    sent = await deliveries(db)
    assert sorted(d.message_id for d in sent) == sorted(f"m{c.id}" for c in taken[1:])
    assert {d.sent_at for d in sent} == {utc(2027, 1, 11, 9, 0, 30)}


async def test_a_failed_commit_reaches_every_waiting_caller(db: Database, team: dict[str, int]) -> None:
    taken = await _claimed(db, team["sam"], 2)
    books = Bookkeeper(db, "me", lambda: utc(2027, 1, 11, 9, 0, 30))
    books.db = Database("sqlite:////nonexistent/dir/x.db")
    results = await asyncio.gather(*(books.begin_send(c.id) for c in taken), return_exceptions=True)
    assert all(isinstance(r, Exception) for r in results)
    await books.db.dispose()


async def test_a_commit_that_fails_answers_its_callers_and_the_next_commit_goes_on(
        db: Database, team: dict[str, int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    taken = await _claimed(db, team["ravi"], 3)
    books = Bookkeeper(db, "me", lambda: utc(2027, 1, 11, 9, 0, 30))
    real = claims._write_sends
    failures = iter([True])

    async def once_broken(*args):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise ConnectionError("server closed the connection")
        return await real(*args)

    monkeypatch.setattr(claims, "_write_sends", once_broken)
    first = await asyncio.gather(books.begin_send(taken[0].id), return_exceptions=True)
    assert isinstance(first[0], ConnectionError)  # its caller must not send
    assert await asyncio.gather(*(books.begin_send(c.id) for c in taken[1:])) == [True, True]
    rows = {o.id: o for o in await occurrences(db, team["ravi"])}
    assert [rows[c.id].reason for c in taken] == [None, claims.SENDING, claims.SENDING]
    for _ in range(500):  # the writer closes its connection before the test's loop ends (CI saw
        if books.settled:  # aiosqlite's thread answer a closed loop when it did not)
            break
        await asyncio.sleep(0.01)
    assert books.settled
