"""`coachbot demo` killed while its check-in prompt still waits (delivered, or not yet
sent), then run again: the waiting prompt is reused (shown again or delivered), none is
marked missed and no second one is planted. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from storage.db import Database
from storage.models import Conversation, Occurrence

ROOT = Path(__file__).resolve().parents[2]
TEAM = ROOT / "examples" / "team.csv"
DEMO = ["demo", "--as", "ravi.rep@example.com", "--team", str(TEAM)]


def _demo_rows(url: str) -> tuple[list[Occurrence], list[Conversation]]:
    async def read() -> tuple[list[Occurrence], list[Conversation]]:
        db = Database(url)
        async with db.session() as session:
            rows = (await session.exec(select(Occurrence).where(Occurrence.key.contains(":demo-")))).all()
            talks = (await session.exec(select(Conversation))).all()
        await db.dispose()
        return list(rows), list(talks)

    return asyncio.run(read())


def _run_until(url: str, marker: str, timeout: float = 90,
               settled: Callable[[], bool] | None = None) -> str:
    """`coachbot demo` in a process of its own, stdin left open (a person who has
    not typed yet), killed with SIGKILL as soon as `marker` is printed and, when
    given, `settled()` holds (the card is printed a moment before its delivery is
    recorded: on a busy machine a kill in between leaves a claim, another state)."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-c", "from bot.cli.launch import main; main()", *DEMO]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    out, deadline = "", time.monotonic() + timeout
    try:
        while marker not in out and time.monotonic() < deadline and process.poll() is None:
            out += (process.stdout.read() or b"").decode(errors="replace")
            time.sleep(0.05)
        while settled is not None and marker in out and time.monotonic() < deadline and not settled():
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert marker in out, out
    return out


def _again(url: str, typed: str) -> str:
    from bot.cli.main import app

    result = CliRunner().invoke(app, DEMO, input=typed, env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_demo_killed_while_its_prompt_waits_is_reused_by_the_next_demo(private_db_url: str) -> None:
    def delivered() -> bool:
        rows, _ = _demo_rows(private_db_url)
        return bool(rows) and rows[0].status == "delivered"

    first = _run_until(private_db_url, "4. Skip this one", settled=delivered)  # the card arrived; nobody pressed
    assert "due right now" in first
    [planted], talks = _demo_rows(private_db_url)
    assert planted.status == "delivered" and not talks
    out = _again(private_db_url, "1\n")  # "Start now" on the card shown again
    rows, talks = _demo_rows(private_db_url)
    assert [(r.id, r.status, r.reason) for r in rows] == [(planted.id, rows[0].status, None)], out
    assert rows[0].status != "missed" and [t.status for t in talks] == ["active"]  # "1" started it
    assert "still waiting for you" in out and "due right now" not in out
    assert out.count("4. Skip this one") == 1, out  # shown once: no second prompt delivered


def test_a_demo_killed_before_its_prompt_went_out_delivers_that_one(private_db_url: str) -> None:
    """The state a kill leaves between planting and the first tick: the team imported
    and the demo prompt planted, pending, due a minute ago. The next demo delivers
    that one and plants none; ended without starting it, it puts that one away."""
    from datetime import UTC, datetime, timedelta

    from bot.cli.main import app
    from storage import occurrences, people

    imported = CliRunner().invoke(app, ["team", "import", str(TEAM)], env={"DATABASE_URL": private_db_url})
    assert imported.exit_code == 0, imported.output

    async def plant() -> int:
        db = Database(private_db_url)
        async with db.session() as session:
            ravi = await people.by_email(session, "ravi.rep@example.com")
            assert ravi is not None and ravi.id is not None
            moment = datetime.now(UTC) - timedelta(minutes=1)
            await occurrences.add_occurrence(session, f"okr_checkin:{ravi.id}:demo-{moment:%Y%m%d%H%M%S}",
                                             ravi.org_id, ravi.id, "okr_checkin", moment, moment.date(),
                                             {"demo": True})
        await db.dispose()
        return ravi.id

    asyncio.run(plant())
    out = _again(private_db_url, "")
    rows, _ = _demo_rows(private_db_url)
    assert rows == [], out  # delivered, not started, then put away as the demo ended (none left to miss)
    assert "still waiting for you" in out and out.count("4. Skip this one") == 1, out
    assert "put it away" in out
