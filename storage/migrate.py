"""Schema migrations, run from code (`coachbot db upgrade`, start-up, tests), and the
checks that the database can be used at all.

Alembic runs synchronously on its own short-lived engine; the app's async engine
never sees DDL. Batch mode is on so the same migrations alter tables on SQLite.

Several processes may start at once (a release phase and a web dyno, two containers):
on PostgreSQL `upgrade` holds a session advisory lock while it migrates, so the
second waits and then finds the schema at head, instead of failing with
`UniqueViolation … alembic_version`. A database that cannot be reached, a SQLite
file in a folder that does not exist, or a read-only database raises
`DatabaseUnavailable`, whose text is the one line shown to the admin.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from storage.db import normalise_url

if TYPE_CHECKING:  # Alembic is imported only when there is something to migrate
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# pg_advisory_lock key for migrations: "coachbot" in ASCII, as a signed 64-bit int
LOCK_KEY = int.from_bytes(b"coachbot", "big", signed=True)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used: unreachable, missing, or read-only. `str()` is
    one line naming DATABASE_URL and what to check."""


class MigrationFailed(DatabaseUnavailable):
    """A migration raised; the database is as it was before the upgrade began."""


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser reads % as interpolation: a %-encoded password or path must be doubled
    config.set_main_option("sqlalchemy.url", normalise_url(url, asynchronous=False).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def where(url: str) -> str:
    """The database of `url` for a message: file path or host/name, never a password."""
    parsed = make_url(normalise_url(url, asynchronous=False))
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database or ':memory:'}"
    return f"PostgreSQL at {parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def check_location(url: str) -> None:
    """A SQLite file's folder must exist (SQLite creates the file, not the folder)."""
    parsed = make_url(normalise_url(url, asynchronous=False))
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        name = parsed.database.removeprefix("file:").partition("?")[0]  # URI filenames too
        folder = Path(name).expanduser().resolve().parent
        if not folder.is_dir():
            raise DatabaseUnavailable(
                f"DATABASE_URL: the folder {folder} for the SQLite file does not exist; create it or "
                "point DATABASE_URL at a file in a folder that does")


def _reason(error: DBAPIError) -> str:
    return " ".join(str(error.orig or error).split()) or type(error).__name__


def _read_only(error: DBAPIError) -> bool:
    """SQLite's "attempt to write a readonly database", PostgreSQL's "read-only transaction"."""
    return "readonly" in str(error.orig).replace("-", "").lower()


def _unreachable(url: str, error: DBAPIError) -> DatabaseUnavailable:
    if _read_only(error):
        return DatabaseUnavailable(f"DATABASE_URL: the {where(url)} is read-only ({_reason(error)}); "
                                   "coachbot must be able to write to it")
    return DatabaseUnavailable(f"DATABASE_URL: cannot use the {where(url)} ({_reason(error)}); "
                               "check that the server runs and the URL, user and password are right")


def migration_engine(url: str):  # type: ignore[no-untyped-def]
    """A one-connection engine for migrations. On SQLite the driver's own transaction
    handling is switched off and SQLAlchemy emits BEGIN itself (the recipe in
    SQLAlchemy's pysqlite dialect notes): pysqlite otherwise commits before every DDL
    statement, so a migration that fails half-way would leave half a schema, and an
    empty database paid one disk sync per statement (~130 of them, most of a first
    `coachbot team import`). Alembic is told the DDL is transactional (env.py)."""
    engine = create_engine(normalise_url(url, asynchronous=False), poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _driver_transactions_off)
        event.listen(engine, "begin", _begin)
    return engine


def _driver_transactions_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _locked(connection: Connection) -> None:
    """Wait for the migration lock (PostgreSQL); released when the connection closes."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        connection.commit()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (creating it if empty), one
    process at a time, then check that it takes writes; raises DatabaseUnavailable."""
    check_location(url)
    if revision == "head" and _at_head(url):
        return
    from alembic import command

    _migrate(url, command.upgrade, revision, probe=True)


_REVISION = re.compile(r"""^(down_)?revision\s*(?::[^=]*)?=\s*(?:["']([^"']+)["']|None)""", re.MULTILINE)


@cache
def file_head() -> str | None:
    """The newest migration, read from the files in migrations/versions without
    importing Alembic (0.5 s of start-up for every command): the one revision no
    other file names as its down_revision. `head()` is Alembic's own answer; a
    test keeps the two equal."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, name in _REVISION.findall(path.read_text(encoding="utf-8")):
            if name:
                (parents if down else revisions).add(name)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(url: str) -> bool:
    """Whether the database is already at the newest migration and takes writes:
    the common case of every command after the first, answered with SQLAlchemy
    alone, under the migration lock so a concurrent upgrade is waited for."""
    newest = file_head()
    if newest is None:
        return False
    with _locked_connection(url) as connection:
        try:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:  # no alembic_version table yet: an empty database
            connection.rollback()
            return False
        if found != [newest]:
            return False
        connection.commit()
        _probe_write(connection)
        return True


def _migrate(url: str, step: Any, revision: str, probe: bool = False) -> None:
    """Run one Alembic `step` (upgrade or downgrade) to `revision` on one connection,
    holding the migration lock, in one transaction; an unreachable or read-only
    database becomes DatabaseUnavailable, a migration that fails MigrationFailed."""
    with _locked_connection(url) as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        try:
            step(config, revision)
        except DBAPIError as error:
            if _read_only(error):
                raise
            raise MigrationFailed(
                f"DATABASE_URL: migrating the {where(url)} failed ({_reason(error)}); it was left as it "
                "was (the migrations run in one transaction)") from error
        connection.commit()
        if probe:
            _probe_write(connection)


@contextmanager
def _locked_connection(url: str) -> Iterator[Connection]:
    """One connection to `url` holding the migration lock; a database that cannot be
    reached or written becomes DatabaseUnavailable."""
    engine = migration_engine(url)
    try:
        with engine.connect() as connection:
            _locked(connection)
            yield connection
    except DBAPIError as error:
        if isinstance(error, OperationalError) or _read_only(error):
            raise _unreachable(url, error) from None
        raise
    finally:
        engine.dispose()


def _probe_write(connection: Connection) -> None:
    """A write that changes nothing, rolled back: fails on a read-only file, a
    read-only transaction or a hot standby."""
    with connection.begin() as transaction:
        connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
        transaction.rollback()


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    _migrate(url, command.downgrade, revision)


def head() -> str | None:
    """The newest migration this code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current(connection: Connection) -> str | None:
    """The migration the database is at (None on an empty database)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
