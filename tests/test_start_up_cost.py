"""Issue #16 item 10: `coachbot team import` of 5,000 people in under 3 s for the
whole command, of which Python's start-up and imports were most. A command loads
only what it uses: no chat SDK, chart library, scheduler, date guesser or Alembic
for a team import into a database already at the newest schema (the figure itself
is measured by bench/team_import_bench.py, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from storage.migrate import file_head, head, upgrade

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["slack_bolt", "slack_sdk", "botbuilder", "matplotlib", "apscheduler", "dateparser", "alembic",
         "aiohttp", "bot.runtime", "bot.features", "rich.progress", "cryptography"]
PROBE = """
import gc, json, sys
from bot.cli.launch import main
sys.argv = ["coachbot", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
assert gc.isenabled() and gc.get_freeze_count() > 0  # collection resumed after the frozen imports
print(json.dumps(sorted(h for h in {heavy} if h in sys.modules)))
"""


def loaded_after(tmp_path: Path, *args: str) -> list[str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_alembic_and_the_file_agree_on_the_newest_migration() -> None:
    assert file_head() == head() is not None


def test_a_team_import_loads_no_platform_chart_scheduler_or_migrations(tmp_path: Path) -> None:
    upgrade(f"sqlite:///{tmp_path / 'c.db'}")
    team = tmp_path / "team.csv"
    team.write_text("email;name;role;manager_email;timezone\nboss@x.com;Boss;manager;;Europe/Oslo\n"
                    "rep@x.com;Rep;rep;boss@x.com;Asia/Kolkata\n", encoding="utf-8")
    assert loaded_after(tmp_path, "team", "import", str(team)) == []
    assert loaded_after(tmp_path, "--version") == []


def test_the_console_script_starts_through_the_frozen_import() -> None:
    """pyproject's `coachbot` entry point is bot.cli.launch (imports without collection)."""
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["coachbot"] == "bot.cli.launch:main"


def test_an_empty_database_still_gets_migrated(tmp_path: Path) -> None:
    """The fast path only skips Alembic at the newest schema: a new file is migrated."""
    assert loaded_after(tmp_path, "db", "upgrade") == ["alembic"]
    assert loaded_after(tmp_path, "db", "upgrade") == []   # at head now: nothing to load


def test_coachbot_run_delivers_before_it_loads_the_chart_library(tmp_path: Path) -> None:
    """Issue #13: a restarted `coachbot run` takes over due prompts sooner without
    matplotlib (~1 s of CPU) in its start-up; briefs load it on first use, and the
    runtime loads it once the first tick is done (bot.runtime.WARM_UP)."""
    probe = ("import sys, bot.cli.main, bot.runtime, bot.cadence.timer, bot.channels.server, "
             "bot.channels.slack.channel; print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    from bot.runtime import WARM_UP

    assert "bot.features.brief_chart" in WARM_UP


async def test_the_warm_up_waits_for_the_first_tick_then_imports_then_settles(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    import bot.runtime
    from bot.runtime import warm_up

    settled: list[bool] = []  # the heap is settled after the imports, not in this test process
    monkeypatch.setattr(bot.runtime, "settle_heap", lambda: settled.append("json.tool" in sys.modules))
    ticked = False
    task = asyncio.ensure_future(warm_up(lambda: ticked, ["json.tool"]))
    await asyncio.sleep(0.05)
    assert not task.done() and "json.tool" not in sys.modules and not settled
    ticked = True
    await asyncio.wait_for(task, 5)
    assert "json.tool" in sys.modules and settled == [True]


def test_settling_the_heap_leaves_the_oldest_generation_nearly_empty() -> None:
    """After start-up the runtime's objects are frozen (`bot.runtime.settle_heap`): the
    collector's oldest generation, which a full collection walks, no longer holds the
    ~150,000 objects that made one collection take 86 ms while serving requests."""
    probe = ("import gc, bot.runtime, bot.channels.slack.channel, bot.channels.server; "
             "before = len(gc.get_objects()); bot.runtime.settle_heap(); "
             "print(before, len(gc.get_objects()), gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    before, after, frozen = map(int, done.stdout.split())
    assert before > 50_000 and after < before / 20 and frozen > 50_000, (before, after, frozen)
