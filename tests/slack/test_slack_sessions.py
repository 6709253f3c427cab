"""Database work per Slack request: one pooled connection for the coach's whole
answer (`Database.request`), not one checkout per lookup; units of work inside still
commit on their own; work spawned meanwhile gets its own connection."""

from __future__ import annotations

import asyncio
from typing import Any

from slackkit import Harness, fake_fixture, harness_fixture  # noqa: F401 (fixtures)
from sqlalchemy import event, text

from storage.db import Database


def count_checkouts(db: Database) -> list[int]:
    """The connection (by id) of every pool checkout, as SQLAlchemy reports them."""
    opened: list[int] = []

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        opened.append(id(dbapi_connection))

    event.listen(db.engine.sync_engine, "checkout", checkout)
    return opened


async def test_a_warm_okr_status_takes_one_connection(harness: Harness) -> None:
    await harness.command("status")  # the workspace is bound and the person known after this
    await harness.settle()
    answers = len(harness.fake.responses)
    opened = count_checkouts(harness.coach.db)
    response = await harness.command("status")
    await harness.settle()
    assert response.status == 200
    assert len(harness.fake.responses) == answers + 1, "the status was answered"
    assert len(opened) == 1  # was 2: the coach's person check and the status feature's read


async def test_units_inside_a_request_commit_on_their_own(db: Database) -> None:
    async with db.session() as session:
        await session.exec(text("CREATE TABLE probe (n INTEGER)"))  # type: ignore[call-overload]
    other = Database(db.url)
    try:
        async with db.request():
            async with db.session() as session:
                await session.exec(text("INSERT INTO probe VALUES (1)"))  # type: ignore[call-overload]
            async with other.session() as session:  # another connection sees it at once
                seen = (await session.exec(text("SELECT count(*) FROM probe"))).one()  # type: ignore[call-overload]
            assert seen[0] == 1
            try:
                async with db.session() as session:
                    await session.exec(text("INSERT INTO probe VALUES (2)"))  # type: ignore[call-overload]
                    raise RuntimeError("this unit fails")
            except RuntimeError:
                pass
            async with db.session() as session:
                rows = (await session.exec(text("SELECT n FROM probe ORDER BY n"))).all()  # type: ignore[call-overload]
        assert [r[0] for r in rows] == [1], "the failed unit was rolled back, the first kept"
    finally:
        await other.dispose()


async def test_spawned_and_nested_units_get_their_own_connection(db: Database) -> None:
    opened = count_checkouts(db)
    async with db.request():
        async with db.session() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        async with db.session() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        assert len(opened) == 1, "two units in a row: one checkout"
        async with db.session() as outer:
            await outer.exec(text("SELECT 1"))  # type: ignore[call-overload]
            async with db.session() as inner:  # while the outer one is open
                await inner.exec(text("SELECT 1"))  # type: ignore[call-overload]
        assert len(opened) == 2

        async def spawned() -> None:
            async with db.session() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]

        await asyncio.get_running_loop().create_task(spawned())
        assert len(opened) == 3, "a task the request started does not share its connection"


async def test_an_answer_survives_connections_the_server_dropped(coach: Any, team: dict[str, int]) -> None:
    """No ping per checkout: a dropped connection is found on use. The first use
    fails with the connection invalidated (SQLAlchemy's optimistic handling), so the
    turn's first read runs again on a fresh connection and the person is answered."""
    import pytest

    from bot.core.messages import Inbound

    db = coach.db
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite connections are files: nothing to drop")

    async def drop_pooled_connections() -> None:
        async with db.session() as session:  # park a pooled connection, then kill it
            pid = (await session.exec(text("SELECT pg_backend_pid()"))).one()[0]  # type: ignore[call-overload]
        killer = Database(db.url)
        try:
            async with killer.session() as session:
                await session.exec(text(f"SELECT pg_terminate_backend({int(pid)})"))  # type: ignore[call-overload]
        finally:
            await killer.dispose()
        await asyncio.sleep(0.2)

    await drop_pooled_connections()
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as failed:  # what a plain unit of work meets
        async with db.session() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    assert failed.value.connection_invalidated

    await drop_pooled_connections()
    replies = await coach.handle(Inbound(person_id=team["ravi"], platform="test", text="/okr status"))
    assert replies and "unknown" not in replies[0].text.lower()
