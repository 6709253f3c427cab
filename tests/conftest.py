"""Shared fixtures: a freshly migrated database per test, on SQLite and, when
COACHBOT_TEST_POSTGRES_URL points at a server, on PostgreSQL too; a sample team; a
coach wired to a recording channel."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import matplotlib.dates  # noqa: F401  (see below)
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (every table on the metadata)

# coachbot imports matplotlib on first draw. matplotlib registers its datetime
# converter by class when matplotlib.dates is imported; imported for the first time
# inside a freezegun block it would register freezegun's FakeDatetime instead, and
# the real datetimes read from the database would not plot. Imported here, first.
from bot.core.channel import Channels, Recipient
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import people
from storage.db import Database, normalise_url
from storage.migrate import upgrade
from storage.people import TeamRow

POSTGRES = os.environ.get("COACHBOT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A migrated template database; each test copies it (CREATE DATABASE … TEMPLATE),
    which is much faster than migrating again."""
    if not POSTGRES:
        yield None
        return
    name = f"coachbot_tpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(POSTGRES, asynchronous=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    upgrade(_with_database(POSTGRES, name))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _with_database(url: str, name: str) -> str:
    parsed = make_url(url.replace("postgres://", "postgresql://", 1)).set(database=name)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_shared(postgres_template: str | None) -> Iterator[str | None]:
    """One migrated PostgreSQL database that tests share, emptied before each test:
    deleting the few rows a test wrote is ten times faster than copying a database."""
    if not POSTGRES or not postgres_template:
        yield None
        return
    url = _copy_template(postgres_template)
    yield url
    _drop(url)


def _copy_template(template: str) -> str:
    name = f"coachbot_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(POSTGRES, asynchronous=False), isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return _with_database(POSTGRES, name)  # type: ignore[arg-type]


def _drop(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(normalise_url(POSTGRES, asynchronous=False), isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty(url: str) -> None:
    engine = create_engine(normalise_url(url, asynchronous=False))
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path,
           postgres_shared: str | None) -> str:
    """The URL of an empty, migrated database of each backend under test."""
    if request.param == "sqlite":
        path = tmp_path / "coachbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    assert postgres_shared
    _empty(postgres_shared)
    return postgres_shared


@pytest.fixture(params=BACKENDS)
def private_db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path,
                   postgres_template: str | None) -> Iterator[str]:
    """A migrated database of each backend that only this test uses (it may change the
    schema, or be reached by other processes)."""
    if request.param == "sqlite":
        path = tmp_path / "private.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    assert postgres_template
    url = _copy_template(postgres_template)
    yield url
    _drop(url)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.dispose()


SAMPLE_TEAM = [
    TeamRow("ada@example.com", "Ada Admin", "admin", None, "Europe/Oslo"),
    TeamRow("maria@example.com", "Maria Manager", "manager", None, "America/New_York",
            slack_user_id="U0MARIA", teams_user_id="aad-maria"),
    TeamRow("ravi@example.com", "Ravi Rep", "rep", "maria@example.com", "Asia/Kolkata",
            slack_user_id="U0RAVI", teams_user_id="aad-ravi"),
    TeamRow("sam@example.com", "Sam Seller", "rep", "maria@example.com", "America/Los_Angeles"),
]


@pytest.fixture
async def team(db: Database) -> dict[str, int]:
    """The sample team in one organisation: name (first, lower case) -> person id."""
    async with db.session() as session:
        org = await people.ensure_org(session, "Example Inc", "Europe/Oslo", "NO")
        await people.upsert_team(session, org.id, SAMPLE_TEAM)  # type: ignore[arg-type]
        everyone = await people.team(session, org.id)  # type: ignore[arg-type]
    ids = {p.email.split("@")[0]: p.id for p in everyone}
    ids["org"] = org.id  # type: ignore[assignment]
    return ids  # type: ignore[return-value]


class RecordingChannel:
    """A channel that keeps what it was asked to deliver, for assertions."""

    platform = "test"
    reaches_anyone = True  # reaches anyone by name, no identity needed

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, list[Message]]] = []

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        self.sent.append((recipient, messages))
        return f"test-{len(self.sent)}"

    def texts_for(self, person_id: int) -> list[str]:
        return [m.plain() for r, ms in self.sent if r.person_id == person_id for m in ms]


@pytest.fixture
def outbox() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def coach(db: Database, outbox: RecordingChannel) -> Coach:
    return build_coach(db, Settings(database_url=db.url), Channels(outbox))


async def say(coach: Coach, person_id: int, text: str = "", action: str | None = None) -> str:
    """Send one line as a person and return the replies as plain text."""
    replies = await coach.handle(Inbound(person_id=person_id, platform="test", text=text, action=action))
    return "\n".join(m.plain() for m in replies)
