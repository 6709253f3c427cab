"""`Database.reading`: a unit of work that only reads runs without BEGIN and COMMIT on
PostgreSQL (two round trips of an `/okr status` answer's five), and leaves every later
unit of work, on the same request's connection or a pooled one, a real transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from storage import people
from storage.db import AsyncSession, Database
from storage.models import Organisation


async def _in_transaction(session: AsyncSession) -> bool:
    """Whether the server holds an open transaction block for this session (psycopg's
    view of the connection right after a statement)."""
    await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    raw = await (await session.connection()).get_raw_connection()
    from psycopg.pq import TransactionStatus

    return raw.driver_connection.info.transaction_status == TransactionStatus.INTRANS  # type: ignore[union-attr]


async def _orgs(db: Database) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(Organisation))).one())


class Boom(Exception):
    pass


async def _a_written_row_then_a_failure(db: Database) -> None:
    with pytest.raises(Boom):
        async with db.session() as session:
            await people.ensure_org(session, "First write", "UTC")
            await session.flush()  # the INSERT is on the server, inside the unit's transaction
            raise Boom


async def test_a_read_on_postgresql_opens_no_transaction_and_a_write_still_does(db: Database) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no BEGIN round trip to save")
    async with db.request():
        async with db.reading() as session:
            assert not await _in_transaction(session)
        async with db.session() as session:  # the request's same connection, back to transactions
            assert await _in_transaction(session)
    async with db.reading() as session:  # a pooled connection of its own
        assert not await _in_transaction(session)
    async with db.session() as session:  # the pool gave it back transactional
        assert await _in_transaction(session)


@pytest.mark.parametrize("in_request", [True, False])
async def test_a_unit_of_work_after_a_read_is_still_rolled_back_whole(db: Database, in_request: bool) -> None:
    before = await _orgs(db)
    if in_request:
        async with db.request():
            async with db.reading() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            await _a_written_row_then_a_failure(db)
    else:
        for _ in range(3):  # the pool's connections that served a read
            async with db.reading() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        await _a_written_row_then_a_failure(db)
    assert await _orgs(db) == before


async def test_read_sees_what_a_unit_of_work_wrote(db: Database, team: dict[str, int]) -> None:
    async def person_name(session: AsyncSession) -> str:
        found = await people.get(session, team["ravi"])
        assert found is not None
        return found.name

    async with db.request():
        assert await db.read(person_name) == "Ravi Rep"
        async with db.session() as session:
            found = await people.get(session, team["ravi"])
            assert found is not None
            found.name = "Ravi Renamed"
            session.add(found)
        assert await db.read(person_name) == "Ravi Renamed"


async def test_a_connection_that_cannot_be_put_back_to_transactions_is_let_go(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """If restoring the isolation level after a read fails, the request's next unit of
    work takes another connection rather than running in autocommit."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's reads are ordinary units of work")
    from sqlalchemy.ext.asyncio import AsyncConnection

    real = AsyncConnection.execution_options

    async def refusing(self: AsyncConnection, **options: object) -> AsyncConnection:
        if options.get("isolation_level") not in (None, "AUTOCOMMIT"):
            raise RuntimeError("the driver refused")
        return await real(self, **options)  # type: ignore[arg-type]

    async with db.request():
        monkeypatch.setattr(AsyncConnection, "execution_options", refusing)
        async with db.reading() as session:  # the read itself is answered
            assert not await _in_transaction(session)
        async with db.session() as session:  # and the next unit is a transaction again
            assert await _in_transaction(session)


async def test_reads_in_a_row_set_autocommit_once_and_a_write_after_them_is_a_transaction(
        db: Database, team: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """An `/okr status` reads twice: the request's connection is put in autocommit for
    the first read and left so for the second (each switch cost ~20 µs of CPU and a
    trip through the loop), and back to transactions only when a unit that writes
    opens."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's reads are ordinary units of work")
    from sqlalchemy.ext.asyncio import AsyncConnection

    real = AsyncConnection.execution_options
    levels: list[object] = []

    async def counting(self: AsyncConnection, **options: object) -> AsyncConnection:
        levels.append(options.get("isolation_level"))
        return await real(self, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(AsyncConnection, "execution_options", counting)
    async with db.request():
        for _ in range(3):
            async with db.reading() as session:
                assert not await _in_transaction(session)
                assert (await people.get(session, team["ravi"])) is not None
        assert levels == ["AUTOCOMMIT"]
        async with db.session() as session:
            assert await _in_transaction(session)
        async with db.reading() as session:  # autocommit again after the write
            assert not await _in_transaction(session)
    assert levels[0] == "AUTOCOMMIT" and levels[-1] == "AUTOCOMMIT" and len(levels) == 3

