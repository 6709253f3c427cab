"""Engines, sessions and the one column type for instants.

Every stored instant is timezone-aware UTC. SQLite has no time zones, so `UTCDateTime`
converts on the way in and re-attaches UTC on the way out: code above never sees a
naive datetime, whichever database runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import BigInteger, DateTime, Text, bindparam, cast, event, func, select, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, UnboundExecutionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel.ext.asyncio.session import AsyncSession


def utcnow() -> datetime:
    """Now, aware, in UTC. Frozen by freezegun in tests like everything else."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime that refuses naive values and always comes back aware in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store aware instants only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def upsert(session: AsyncSession, table: Any) -> Any:
    """An INSERT into `table` that knows ON CONFLICT, for the session's database.

    SQLAlchemy's generic `insert` has no `on_conflict_do_nothing` / `..._do_update`:
    each dialect has its own construct (same API on PostgreSQL and SQLite). Upserts are
    how concurrent instances write the same row without a unique-key error aborting the
    caller's unit of work, so every store takes its INSERT from here. An unbound session
    gets SQLite's.
    """
    # imported here: every PostgreSQL driver's module otherwise loads at start-up
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def dialect_name(session: AsyncSession) -> str:
    """"postgresql" or "sqlite" for the session's database (an unbound one: SQLite)."""
    try:
        return str(session.get_bind().dialect.name)
    except UnboundExecutionError:
        return "sqlite"


async def hold(session: AsyncSession, space: int, key: int) -> None:
    """Hold the lock named (`space`, `key`) until the session's transaction ends, so
    that what the unit reads before it writes is still so when it writes (a name
    found free, no duplicate lead found, no conversation active). `space` is a
    constant per kind of lock, `key` the row the lock is about (an organisation, an
    event, a person). Take it first in the unit, before the reads it protects.

    PostgreSQL: a transaction-level advisory lock (`pg_advisory_xact_lock`), one
    round trip. SQLite: the database's write lock, taken now by a write that changes
    nothing. Needed: the driver (pysqlite, aiosqlite) opens a transaction only at a
    unit's first write, so without it two units read, find nothing, and both write,
    one after the other; with it the second waits (busy timeout) and reads after the
    first committed."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": space, "key": key})
    else:
        await connection.execute(text("UPDATE organisation SET id = id WHERE 0"))


def among(session: AsyncSession, column: Any, values: Iterable[Any]) -> Any:
    """`column IN values` as ONE bound parameter, whatever the number of values.

    An `IN (…)` list binds one parameter per value, and PostgreSQL refuses a statement
    with more than 65,535 of them (SQLite: 32,766): a query over a whole population of
    100,000 people fails every time. PostgreSQL gets `column IN (SELECT unnest(:array))`;
    SQLite gets `column IN (SELECT value FROM json_each(:json))`. Integers or strings.
    """
    items = list(dict.fromkeys(values))
    numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in items)
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        # IN (SELECT unnest(…)), not = ANY(…): ANY compares each row with every
        # element (70,000 × 35,000 comparisons); the subquery is hashed once
        if numbers:  # one text literal cast in SQL: psycopg dumps a list element by element
            listed = cast(bindparam(None, "{" + ",".join(map(str, items)) + "}", type_=Text), ARRAY(BigInteger))
            return column.in_(select(func.unnest(listed)))
        return column.in_(select(func.unnest(bindparam(None, items, type_=ARRAY(Text)))))
    listed = func.json_each(bindparam(None, json.dumps(items), type_=Text)).table_valued("value")
    return column.in_(select(listed.c.value))


def normalise_url(url: str, *, asynchronous: bool) -> str:
    """Map a user's DATABASE_URL to the driver we use, async or not.

    Users write what Heroku and docs write (`postgres://`, `postgresql://`,
    `sqlite:///file.db`); we run psycopg 3 (sync and async from one driver) and
    aiosqlite/pysqlite.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"{url!r} is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        driver = "aiosqlite" if asynchronous else "pysqlite"
    elif backend == "postgresql":
        driver = "psycopg"
    else:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# Connections kept open per engine, and opened beyond that under a burst (see create_engine).
POOL_SIZE = 40
POOL_OVERFLOW = 10


def create_engine(url: str) -> AsyncEngine:
    """An async engine for `url`, with SQLite made safe for several writers.

    Disconnects are handled optimistically: no liveness ping before each use (on
    PostgreSQL it costs a round trip per checkout, a third of an `/okr status`
    answer). Connections are recycled after five minutes, before proxies drop idle
    ones; if the server restarts, the unit of work in flight fails once, SQLAlchemy
    discards the pool, and the next one reconnects (the scheduler retries its claims
    on the next tick; a turn's first read is retried at once, see `Database.read`).

    The pool keeps up to POOL_SIZE connections: a dispatch sends 32 prompts at once,
    each recording its send in its own unit of work, beside the claims' heartbeat and
    the requests being answered. With SQLAlchemy's default of 5 kept (10 more opened
    on demand and closed when returned), a dispatch opened a new connection for
    almost every unit of work (990 connects for 1,000 prompts on PostgreSQL: a
    backend forked each time)."""
    engine = create_async_engine(normalise_url(url, asynchronous=True), pool_recycle=300,
                                 pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


@dataclass
class _Request:
    """The connection one request's units of work share (see `Database.request`)."""

    engine: AsyncEngine
    task: asyncio.Task[object] | None
    connection: AsyncConnection | None = None
    busy: bool = False
    autocommit: bool = False  # the connection was left in autocommit by `reading`


_REQUEST: ContextVar[_Request | None] = ContextVar("coachbot_request", default=None)
# the unit of work `Database.together` opened: (database, task that opened it, session)
_TOGETHER: ContextVar[tuple[Database, asyncio.Task[object] | None, AsyncSession] | None] = ContextVar(
    "coachbot_together", default=None)
T = TypeVar("T")


@asynccontextmanager
async def _committed(opened: AsyncSession) -> AsyncIterator[AsyncSession]:
    """`opened` as a unit of work: committed when the block ends, rolled back if it raises."""
    async with opened as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


class Database:
    """One engine and its session factory; passed down instead of a global."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @asynccontextmanager
    async def request(self) -> AsyncIterator[None]:
        """Serve one inbound request on one pooled connection: every unit of work
        (`session()`) the request's own task opens inside this block takes the same
        connection, checked out at the first and returned at the end, instead of one
        checkout per lookup. Each unit still commits or rolls back on its own, so
        nothing changes for the code inside. Work the request spawns (other tasks), and
        a unit opened while another is still open, get connections of their own."""
        scope = _Request(self.engine, asyncio.current_task())
        reset = _REQUEST.set(scope)
        try:
            yield
        finally:
            _REQUEST.reset(reset)
            if scope.connection is not None:
                await scope.connection.close()

    async def let_go(self) -> None:
        """Give the request's shared connection back to the pool now, for a request
        that is about to wait on something else (the next unit of work takes one
        again). Nothing when no request's connection is held by this task, or while
        one of its units of work is open."""
        scope = self._shared()
        if scope is not None and scope.connection is not None:
            connection, scope.connection = scope.connection, None
            await connection.close()

    def _shared(self) -> _Request | None:
        scope = _REQUEST.get()
        if (scope is None or scope.busy or scope.engine is not self.engine
                or scope.task is not asyncio.current_task()):
            return None
        return scope

    @asynccontextmanager
    async def together(self) -> AsyncIterator[AsyncSession]:
        """One transaction for a block and everything it calls: each `session()`,
        `reading()` or `read()` unit the same task opens inside joins it (flushed when
        it ends, not committed), and the block commits them all, or rolls them all
        back if it raises. For writes made by code that opens its own units but must
        land with the caller's: a flow's end actions (a check-in row, key results
        moved) and the conversation's compare-and-set that lets them run
        (`bot.core.flows`), so a turn that lost the race leaves nothing behind. Other
        tasks get units of their own, as always. Inside another `together`: joins it."""
        joined = self._together()
        if joined is not None:
            yield joined
            return
        async with self.session() as session:
            reset = _TOGETHER.set((self, asyncio.current_task(), session))
            try:
                yield session
            finally:
                _TOGETHER.reset(reset)

    def _together(self) -> AsyncSession | None:
        unit = _TOGETHER.get()
        if unit is None or unit[0] is not self or unit[1] is not asyncio.current_task():
            return None
        return unit[2]

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends, rolled back if it raises
        (inside `together`: part of its unit, flushed when the block ends)."""
        joined = self._together()
        if joined is not None:
            yield joined
            await joined.flush()
            return
        scope = self._shared()
        if scope is None:
            async with _committed(self._sessions()) as session:
                yield session
            return
        if scope.connection is not None and scope.autocommit:  # a `reading` unit left it so
            await self._transactional_again(scope, scope.connection)
        if scope.connection is None or scope.connection.closed or scope.connection.invalidated:
            scope.connection = await self.engine.connect()
            scope.autocommit = False
        scope.busy = True
        try:
            async with _committed(self._sessions(bind=scope.connection)) as session:
                yield session
        finally:
            scope.busy = False

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads (or writes in ONE statement, atomic alone):
        on PostgreSQL it runs in autocommit, so no BEGIN and COMMIT round trips around
        its statements (two of the five an `/okr status` answer made). It loses
        nothing: under PostgreSQL's default READ COMMITTED every statement takes its
        own snapshot, inside a transaction or not. Never for several writes that must
        land together: use `session()`. Inside a `request`, its shared connection is
        left in autocommit for the request's next reads and put back to transactions
        when a `session()` unit opens (or by the pool when it is returned). On SQLite
        the same as `session()`; inside `together`, part of its unit."""
        if self.engine.dialect.name != "postgresql" or self._together() is not None:
            async with self.session() as session:
                yield session
            return
        scope = self._shared()
        if scope is None:
            async with self.engine.connect() as connection:  # the pool resets the level on return
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                async with _committed(self._sessions(bind=connection)) as session:
                    yield session
            return
        if scope.connection is None or scope.connection.closed or scope.connection.invalidated:
            scope.connection = await self.engine.connect()
            scope.autocommit = False
        connection = scope.connection
        scope.busy = True
        try:
            if not scope.autocommit:  # left so for the request's next `reading` units
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                scope.autocommit = True
            async with _committed(self._sessions(bind=connection)) as session:
                yield session
        finally:
            scope.busy = False

    async def _transactional_again(self, scope: _Request, connection: AsyncConnection) -> None:
        """Put the request's shared connection back to transactions before a `session`
        unit, after `reading` units left it in autocommit (they leave it so for each
        other: an `/okr status` reads twice and writes nothing). If that fails, the
        request lets it go (the pool restores its level on return) and the unit takes
        another, never one left in autocommit."""
        scope.autocommit = False
        try:
            if not (connection.closed or connection.invalidated):
                await connection.execution_options(isolation_level=connection.default_isolation_level)
                return
        except Exception:
            pass
        scope.connection = None
        with contextlib.suppress(Exception):
            await connection.close()

    async def read(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run a unit of work that only reads, once more if its connection had been
        dropped (the server restarted, a proxy closed it). SQLAlchemy's "optimistic"
        disconnect handling (docs: Connection Pooling, "Disconnect Handling -
        Optimistic"), used instead of a ping per checkout: the use that finds the
        connection dead fails with `connection_invalidated`, the pool is refreshed, and
        the caller retries; a read is safe to repeat. A request's first read goes
        through here, so a restarted server costs nobody an error. Runs as `reading`
        (no transaction on PostgreSQL)."""
        try:
            async with self.reading() as session:
                return await work(session)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with self.reading() as session:
            return await work(session)

    @asynccontextmanager
    async def rolled_back(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that is always rolled back: for probes that write nothing."""
        async with self._sessions() as session:
            try:
                yield session
            finally:
                await session.rollback()

    async def dispose(self) -> None:
        await self.engine.dispose()
