"""Migrations run from an empty database to head and back, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from storage import people
from storage.db import Database, normalise_url
from storage.migrate import MigrationFailed, downgrade, upgrade
from storage.models import Organisation


def tables(url: str) -> set[str]:
    engine = create_engine(normalise_url(url, asynchronous=False))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_go_down_to_empty_and_up_again(private_db_url: str) -> None:
    url = private_db_url
    assert {"person", "occurrence", "keyresult", "slackinstallation"} <= tables(url)
    downgrade(url, "base")
    assert tables(url) <= {"alembic_version"}
    upgrade(url)
    upgrade(url)  # idempotent
    assert {"person", "occurrence", "conversation", "lead", "teamsconversationref"} <= tables(url)


async def test_instants_come_back_aware_in_utc(db: Database) -> None:
    oslo_noon = datetime(2027, 1, 4, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    async with db.session() as session:
        session.add(Organisation(name="T", created_at=oslo_noon))
    async with db.session() as session:
        org = await people.ensure_org(session, "T", "UTC")
    assert org.created_at == oslo_noon and org.created_at.tzinfo == UTC


async def test_naive_instants_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with db.session() as session:
            session.add(Organisation(name="N", created_at=datetime(2027, 1, 1)))


def test_the_migrations_build_exactly_the_models(private_db_url: str) -> None:
    """A model changed without a migration (or the reverse) fails here, not in production."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    engine = create_engine(normalise_url(private_db_url, asynchronous=False))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []


async def test_the_pool_recovers_after_the_server_drops_its_connections(db: Database) -> None:
    """Without a ping before each use, a dropped connection fails one unit of work;
    the next one must reconnect by itself."""
    from sqlalchemy import text as sql

    if db.engine.dialect.name != "postgresql":
        pytest.skip("only a server can drop connections")
    async with db.session() as session:
        await people.ensure_org(session, "Before", "UTC")
    admin = create_engine(normalise_url(db.url, asynchronous=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()
    with pytest.raises(Exception):  # noqa: B017 (the driver's own disconnect error)
        async with db.session() as session:
            await people.ensure_org(session, "During", "UTC")
    async with db.session() as session:
        org = await people.ensure_org(session, "After", "UTC")
    assert org.id is not None


def test_a_migration_that_fails_half_way_leaves_no_half_schema(tmp_path: Path) -> None:
    """Migrations run in one transaction on every backend, SQLite included (pysqlite
    would otherwise commit before each DDL statement): when the newest migration fails
    (here its index name is already taken), the earlier ones are undone too, and once
    the obstacle is gone the next start migrates the database whole."""
    url = f"sqlite:///{tmp_path / 'half.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:  # SQLite: tables and indexes share one namespace
        connection.exec_driver_sql("CREATE TABLE ix_occurrence_person_kind_due (x INTEGER)")
    with pytest.raises(MigrationFailed, match="already a table named ix_occurrence_person_kind_due.*left as it was"):
        upgrade(url)
    assert tables(url) == {"ix_occurrence_person_kind_due"}
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE ix_occurrence_person_kind_due")
    engine.dispose()
    upgrade(url)
    assert {"person", "occurrence", "lead", "alembic_version"} <= tables(url)


def test_the_partial_index_migration_keeps_every_occurrence(private_db_url: str) -> None:
    """0013 rebuilds the occurrence table on SQLite (to drop a foreign key that has no
    name there): the rows, and the rows that point at them, survive it both ways, and
    the person's foreign key still holds afterwards."""
    from sqlalchemy import text

    url = private_db_url
    downgrade(url, "0012_issue17")
    engine = create_engine(normalise_url(url, asynchronous=False))
    stamp = "2027-03-01 09:00:00+00:00"
    try:
        with engine.begin() as conn:
            org = conn.execute(text("INSERT INTO organisation (name, timezone, created_at) "
                                    "VALUES ('O', 'UTC', :t) RETURNING id"), {"t": stamp}).scalar_one()
            person = conn.execute(text(
                "INSERT INTO person (org_id, email, name, role, timezone, working_days, active, created_at, "
                "updated_at, revision) VALUES (:o, 'a@x.example', 'A', 'rep', 'UTC', '1,2,3,4,5', true, :t, :t, 0) "
                "RETURNING id"), {"o": org, "t": stamp}).scalar_one()
            for n, status in enumerate(("pending", "claimed", "delivered", "failed", "answered")):
                conn.execute(text(
                    "INSERT INTO occurrence (key, org_id, person_id, kind, due_at, local_date, status, payload) "
                    "VALUES (:k, :o, :p, 'wig', :t, '2027-03-01', :s, '{}')"),
                    {"k": f"wig:{person}:{n}", "o": org, "p": person, "t": stamp, "s": status})
            delivered = conn.execute(text("SELECT id FROM occurrence WHERE status = 'delivered'")).scalar_one()
            conn.execute(text("INSERT INTO delivery (occurrence_id, purpose, platform, sent_at) "
                              "VALUES (:i, 'prompt', 'slack', :t)"), {"i": delivered, "t": stamp})
    finally:
        engine.dispose()

    def counts() -> tuple[int, int, list[str]]:
        check = create_engine(normalise_url(url, asynchronous=False))
        try:
            with check.connect() as conn:
                return (conn.execute(text("SELECT count(*) FROM occurrence")).scalar_one(),
                        conn.execute(text("SELECT count(*) FROM delivery WHERE occurrence_id = :i"),
                                     {"i": delivered}).scalar_one(),
                        [fk["referred_table"] for fk in inspect(conn).get_foreign_keys("occurrence")])
        finally:
            check.dispose()

    upgrade(url)
    assert counts() == (5, 1, ["person"])
    downgrade(url, "0012_issue17")
    assert counts()[:2] == (5, 1) and sorted(counts()[2]) == ["organisation", "person"]
    upgrade(url)
    assert counts()[:2] == (5, 1)
    from sqlalchemy.exc import IntegrityError

    engine = create_engine(normalise_url(url, asynchronous=False))
    try:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")  # as storage.db turns it on
            conn.execute(text(
                "INSERT INTO occurrence (key, org_id, person_id, kind, due_at, local_date, status, payload) "
                "VALUES ('wig:nobody', :o, 999999, 'wig', :t, '2027-03-01', 'pending', '{}')"),
                {"o": org, "t": stamp})
    finally:
        engine.dispose()


def test_0021_gives_rates_planned_without_a_figure_no_reading(private_db_url: str) -> None:
    """A rate stored before 0021 with nothing read (start and current 0, no check-in
    value) has no reading after it; one planned "from 4 to 6 a week", and one a
    check-in gave a value (even 0), keep theirs; a floor is left as 0019 set it."""
    from sqlalchemy import text

    url = private_db_url
    downgrade(url, "0019_gfx")
    engine = create_engine(normalise_url(url, asynchronous=False))
    stamp = "2027-03-01 09:00:00+00:00"
    try:
        with engine.begin() as conn:
            org = conn.execute(text("INSERT INTO organisation (name, timezone, created_at) "
                                    "VALUES ('O', 'UTC', :t) RETURNING id"), {"t": stamp}).scalar_one()
            person = conn.execute(text(
                "INSERT INTO person (org_id, email, name, role, timezone, working_days, active, created_at, "
                "updated_at, revision) VALUES (:o, 'a@x.example', 'A', 'rep', 'UTC', '1,2,3,4,5', true, :t, :t, 0) "
                "RETURNING id"), {"o": org, "t": stamp}).scalar_one()
            objective = conn.execute(text(
                "INSERT INTO objective (org_id, owner_id, title, period, status, created_at) "
                "VALUES (:o, :p, 'Open doors', '2027', 'active', :t) RETURNING id"),
                {"o": org, "p": person, "t": stamp}).scalar_one()
            ids = {}
            for name, kind, start, unread in (("bare", "rate", 0, False), ("from4", "rate", 4, False),
                                              ("read0", "rate", 0, False), ("floor", "floor", 95, True)):
                ids[name] = conn.execute(text(
                    "INSERT INTO keyresult (objective_id, title, start_value, target_value, current_value, unit,"
                    " weight, kind, per, confidence, updated_at, unread) VALUES (:ob, :n, :s, 6, :s, '', 1, :k,"
                    " 'week', 'unrated', :t, :u) RETURNING id"),
                    {"ob": objective, "n": name, "s": start, "k": kind, "t": stamp, "u": unread}).scalar_one()
            checkin = conn.execute(text(
                "INSERT INTO checkin (org_id, person_id, kind, started_at) VALUES (:o, :p, 'okr', :t) RETURNING id"),
                {"o": org, "p": person, "t": stamp}).scalar_one()
            conn.execute(text("INSERT INTO checkinanswer (checkin_id, key_result_id, question, value, answered_at)"
                              " VALUES (:c, :k, 'value', 0, :t)"), {"c": checkin, "k": ids["read0"], "t": stamp})
    finally:
        engine.dispose()

    def unread() -> dict[str, bool]:
        check = create_engine(normalise_url(url, asynchronous=False))
        try:
            with check.connect() as conn:
                return {title: bool(flag) for title, flag in conn.execute(text("SELECT title, unread FROM keyresult"))}
        finally:
            check.dispose()

    upgrade(url)
    assert unread() == {"bare": True, "from4": False, "read0": False, "floor": True}
    downgrade(url, "0019_gfx")
    assert unread() == {"bare": False, "from4": False, "read0": False, "floor": True}
