"""`coachbot schedule preview` and `coachbot demo`, through typer's test runner."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.demo import demo
from bot.cli.schedule import schedule_app
from storage.migrate import upgrade

TEAM = Path(__file__).resolve().parents[2] / "examples" / "team.csv"


def app() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(schedule_app, name="schedule")
    root.command()(demo)
    return root


@pytest.fixture
def team_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from bot.cli.main import app as coachbot

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    result = CliRunner().invoke(coachbot, ["team", "import", str(TEAM)])
    assert result.exit_code == 0, result.output
    return url


def test_preview_shows_local_and_utc_time_and_why_a_prompt_moved(team_db: str) -> None:
    result = CliRunner().invoke(app(), ["schedule", "preview", "--from", "2026-12-27", "--days", "3"],
                                env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    out = result.output
    # Kiri (Auckland): Monday 28 December is the observed Boxing Day holiday in NZ
    kiri = [line for line in out.splitlines() if "kiri.rep" in line]
    assert any("Tue 2026-12-29 09:00 NZDT" in line and "2026-12-28 20:00" in line and "moved" in line
               for line in kiri), out
    assert "Boxing Day" in out and "rule said Mon 2026-12-28 09:00" in out
    # Noor works Sunday to Thursday (Riyadh; the UAE moved to Monday–Friday in 2022): her WIG is on Sunday
    assert "Sun 2026-12-27 09:00 +03" in out


def test_preview_shows_one_on_ones_for_rep_and_manager(team_db: str) -> None:
    import asyncio

    from sqlmodel import select

    from storage.db import Database
    from storage.models import OneOnOne, Person

    async def add_series() -> None:
        db = Database(team_db)
        async with db.session() as session:
            everyone = {p.email.split(".")[0]: p for p in (await session.exec(select(Person))).all()}
            maria, ravi = everyone["maria"], everyone["ravi"]
            session.add(OneOnOne(org_id=maria.org_id, manager_id=maria.id, rep_id=ravi.id,
                                 rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", local_time="08:00",
                                 timezone="America/New_York", anchor_on=date(2027, 1, 4)))
        await db.dispose()

    asyncio.run(add_series())
    rep = CliRunner().invoke(app(), ["schedule", "preview", "--user", "ravi.rep@example.com",
                                     "--from", "2027-01-04", "--days", "14"], env={"COLUMNS": "220"})
    assert rep.exit_code == 0, rep.output
    assert "1:1 with Maria Manager" in rep.output
    assert "Thu 2027-01-07 18:30 IST" in rep.output and "2027-01-07 13:00" in rep.output
    boss = CliRunner().invoke(app(), ["schedule", "preview", "--user", "maria.manager@example.com",
                                      "--from", "2027-01-04", "--days", "14"], env={"COLUMNS": "220"})
    assert "1:1 with Ravi Rep" in boss.output and "Thu 2027-01-07 08:00 EST" in boss.output
    assert "WIG" not in boss.output  # managers get no rep prompts


def test_preview_for_one_user_and_an_unknown_one(team_db: str) -> None:
    one = CliRunner().invoke(app(), ["schedule", "preview", "--user", "ravi.rep@example.com",
                                     "--from", "2027-01-04", "--days", "7"], env={"COLUMNS": "220"})
    assert one.exit_code == 0, one.output
    assert "ravi.rep" in one.output and "sam.seller" not in one.output
    assert "2027-01-04 03:30" in one.output  # Monday 09:00 in Kolkata
    unknown = CliRunner().invoke(app(), ["schedule", "preview", "--user", "nobody@example.com"])
    assert unknown.exit_code == 1


def test_demo_delivers_a_check_in_right_away(tmp_path: Path) -> None:
    answers = "1\n5\non track\n400k\nat risk\nWaiting for legal\nCall two leads every morning\n"
    result = CliRunner().invoke(app(), ["demo", "--as", "ravi.rep@example.com", "--team", str(TEAM)],
                                input=answers, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    again = CliRunner().invoke(app(), ["demo", "--fresh"], input="", env={"DATABASE_URL": "sqlite:///nowhere.db"})
    assert again.exit_code == 0 and "Hi Kiri" in again.output, again.output
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Hi Ravi, it is check-in time: every two weeks" in out
    assert "Ravi Rep just finished the OKR check-in" in out  # the manager's copy, labelled
    assert "30–45 minutes in the calendar with Maria" in out


def test_demo_started_again_sends_the_answer_to_the_check_in_left_open(tmp_path: Path) -> None:
    """A check-in left at the yes/no confidence question, then `coachbot demo` again: no new
    "due now" prompt is planted, so "2" is "At risk" for the open question, not "In 2 hours"."""
    import asyncio

    from sqlmodel import select

    from storage.db import Database
    from storage.models import Conversation, Occurrence

    url = f"sqlite:///{tmp_path / 'again.db'}"
    first = CliRunner().invoke(app(), ["demo", "--as", "ravi.rep@example.com", "--team", str(TEAM)],
                               input="1\n5\n", env={"DATABASE_URL": url})
    assert first.exit_code == 0, first.output
    assert first.output.rstrip().endswith("3. Off track"), first.output  # left at the confidence question
    again = CliRunner().invoke(app(), ["demo", "--as", "ravi.rep@example.com", "--team", str(TEAM)],
                               input="2\n", env={"DATABASE_URL": url})
    assert again.exit_code == 0, again.output
    out = again.output
    assert "You left OKR check-in open last time" in out and "due right now" not in out
    assert "In 2 hours" not in out and "bring your OKR check-in back" not in out
    assert out.index("will \"New logos signed\" make it") < out.index("Where is it now? (in $)")

    async def read() -> tuple[list[Occurrence], list[Conversation]]:
        db = Database(url)
        async with db.session() as session:
            demos = (await session.exec(select(Occurrence).where(Occurrence.key.contains("demo-")))).all()
            talks = (await session.exec(select(Conversation))).all()
        await db.dispose()
        return list(demos), list(talks)

    demos, talks = asyncio.run(read())
    assert len(demos) == 1 and demos[0].status != "snoozed"  # only the first run planted one
    [checkin] = [c for c in talks if c.status == "active"]
    assert checkin.state["answers"]["updates"][0]["confidence"] == "at_risk"


def test_set_list_and_reset_rules_replans_what_is_already_planned(team_db: str) -> None:
    import asyncio

    from sqlmodel import select

    from bot.cadence.planner import replan
    from storage.db import Database
    from storage.models import Occurrence, Person

    async def plan_and_read(moment_day: date) -> dict[str, tuple[str, str | None]]:
        db = Database(team_db)
        async with db.session() as session:
            ravi = (await session.exec(select(Person).where(Person.email == "ravi.rep@example.com"))).one()
        from datetime import UTC, datetime
        await replan(db, [ravi.id], datetime(moment_day.year, moment_day.month, moment_day.day, tzinfo=UTC))  # type: ignore[list-item]
        async with db.session() as session:
            rows = (await session.exec(select(Occurrence).where(Occurrence.person_id == ravi.id))).all()
        await db.dispose()
        return {o.key.split(":", 2)[0] + ":" + o.key.split(":", 2)[2]: (o.status, o.reason) for o in rows}

    first = asyncio.run(plan_and_read(date(2026, 12, 1)))
    assert first["wig:2026-12-07"] == ("pending", None)
    runner = CliRunner()
    saved = runner.invoke(app(), ["schedule", "set", "wig", "--day", "wed", "--at", "10:15",
                                  "--team", "maria.manager@example.com"])
    assert saved.exit_code == 0, saved.output
    assert "Saved" in saved.output and "the reps of maria.manager@example.com" in saved.output
    listed = runner.invoke(app(), ["schedule", "rules"], env={"COLUMNS": "200"})
    assert "team of maria.manager@example.com" in listed.output and "every Wednesday" in listed.output
    after = asyncio.run(plan_and_read(date(2026, 12, 1)))
    assert after["wig:2026-12-07"] == ("skipped", "rule_changed")  # the old Monday never fires
    assert after["wig:2026-12-09"] == ("pending", None)
    preview = runner.invoke(app(), ["schedule", "preview", "--user", "ravi.rep@example.com",
                                    "--from", "2026-12-07", "--days", "7"], env={"COLUMNS": "220"})
    assert "Wed 2026-12-09 10:15 IST" in preview.output
    assert runner.invoke(app(), ["schedule", "set", "lunch"]).exit_code != 0
    assert runner.invoke(app(), ["schedule", "set", "wig", "--day", "someday"]).exit_code != 0
    assert runner.invoke(app(), ["schedule", "set", "wig", "--at", "25:99"]).exit_code != 0
    rule_id = listed.output.split("│")[1].strip() if "│" in listed.output else "1"
    reset = runner.invoke(app(), ["schedule", "reset", rule_id])
    assert reset.exit_code == 0, reset.output
    back = asyncio.run(plan_and_read(date(2026, 12, 1)))
    assert back["wig:2026-12-09"] == ("skipped", "rule_changed")
    assert back["wig:2026-12-07"] == ("pending", None), "the default Monday is back"
    assert runner.invoke(app(), ["schedule", "reset", "999"]).exit_code == 1


def test_reset_on_a_new_database_says_there_is_no_such_rule(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Like every command that touches the database, reset brings the schema up first:
    no traceback about a missing table."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = CliRunner().invoke(app(), ["schedule", "reset", "1"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert "There is no rule 1" in result.output


@pytest.mark.parametrize(("change", "reason"), [(["--off"], "rule_off"), (["--day", "wed"], "rule_changed")])
def test_a_rule_switched_off_or_moved_gives_its_reason_to_prompts_skipped_earlier(
        team_db: str, change: list[str], reason: str) -> None:
    """A WIG prompt the planner skipped for an absence, and a pending one: once the WIG
    is switched off (or moved) neither can fire, and both say why the same way, not the
    one "away until …" and the other "rule changed"."""
    import asyncio
    from datetime import UTC, datetime

    from freezegun import freeze_time
    from sqlmodel import select

    from bot.cadence.planner import replan
    from storage import schedule
    from storage.db import Database
    from storage.models import Occurrence, Person

    async def plan_and_read(absent: bool) -> dict[str, tuple[str, str | None]]:
        db = Database(team_db)
        async with db.session() as session:
            ravi = (await session.exec(select(Person).where(Person.email == "ravi.rep@example.com"))).one()
            if absent:
                await schedule.add_absence(session, ravi.id, date(2026, 12, 7), date(2026, 12, 11))  # type: ignore[arg-type]
        await replan(db, [ravi.id], datetime(2026, 12, 1, tzinfo=UTC))  # type: ignore[list-item]
        async with db.session() as session:
            rows = (await session.exec(select(Occurrence).where(Occurrence.person_id == ravi.id))).all()
        await db.dispose()
        return {o.key.split(":", 2)[0] + ":" + o.key.split(":", 2)[2]: (o.status, o.reason) for o in rows}

    with freeze_time("2026-12-01 00:00:00"):
        before = asyncio.run(plan_and_read(absent=True))
        assert before["wig:2026-12-07"] == ("skipped", "absence:2026-12-11")
        assert before["wig:2026-12-14"] == ("pending", None)
        checkin = {k: v for k, v in before.items() if k.startswith("okr_checkin")}
        saved = CliRunner().invoke(app(), ["schedule", "set", "wig", *change, "--user", "ravi.rep@example.com"])
        assert saved.exit_code == 0, saved.output
        assert "  " not in saved.output.strip()
        assert ("skipped" in saved.output) == (reason == "rule_off"), saved.output
        after = asyncio.run(plan_and_read(absent=False))
    assert after["wig:2026-12-07"] == ("skipped", reason)
    assert after["wig:2026-12-14"] == ("skipped", reason)
    assert {k: v for k, v in after.items() if k.startswith("okr_checkin")} == checkin  # another cadence: untouched
    if reason == "rule_changed":
        assert after["wig:2026-12-09"][1].startswith("absence:")  # the new Wednesday: its own reason
    else:
        assert not any(v == ("pending", None) for k, v in after.items() if k.startswith("wig:"))


def test_demo_without_an_active_rep_or_with_a_blank_email_says_what_to_do(tmp_path: Path) -> None:
    """The reviewer's "Nobody with the e-mail ? is on the team" (every rep had left) and
    "Nobody with the e-mail   is on the team" (`--as ' '`)."""
    team = tmp_path / "managers.csv"
    team.write_text("email,name,role,manager_email,timezone\nmaria@example.com,Maria Manager,manager,,UTC\n",
                    encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'only_managers.db'}"}
    nobody = CliRunner().invoke(app(), ["demo", "--team", str(team)], input="", env=env)
    assert nobody.exit_code == 1 and "no active rep to play" in nobody.output and "?" not in nobody.output
    blank = CliRunner().invoke(app(), ["demo", "--as", " ", "--team", str(team)], input="", env=env)
    assert blank.exit_code == 1 and "no active rep to play" in blank.output


def test_preview_says_a_stored_status_once(team_db: str) -> None:
    """A prompt the planner skips and the table holds as skipped reads "skipped" (it read
    "skipped / skipped"); a delivered one reads "delivered" (it read "due / delivered")."""
    import asyncio
    from datetime import UTC, datetime

    from freezegun import freeze_time
    from sqlmodel import select

    from bot.cadence.planner import replan
    from storage import schedule
    from storage.db import Database
    from storage.models import Occurrence, Person

    async def plan() -> None:
        db = Database(team_db)
        async with db.session() as session:
            ravi = (await session.exec(select(Person).where(Person.email == "ravi.rep@example.com"))).one()
            await schedule.add_absence(session, ravi.id, date(2026, 12, 7), date(2026, 12, 11))  # type: ignore[arg-type]
        await replan(db, [ravi.id], datetime(2026, 12, 1, tzinfo=UTC))  # type: ignore[list-item]
        async with db.session() as session:
            rows = (await session.exec(select(Occurrence).where(Occurrence.person_id == ravi.id))).all()
            for row in rows:
                if row.key.endswith("2026-12-14"):
                    row.status = "delivered"
                    session.add(row)
        await db.dispose()

    with freeze_time("2026-12-01 00:00:00"):
        asyncio.run(plan())
    result = CliRunner().invoke(app(), ["schedule", "preview", "--user", "ravi.rep@example.com",
                                        "--from", "2026-12-06", "--days", "10"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    assert " / " not in result.output, result.output
    lines = result.output.splitlines()
    assert any("2026-12-07" in line and "skipped" in line and "away until" in line for line in lines), result.output
    assert any("2026-12-14" in line and "delivered" in line for line in lines), result.output


def test_preview_shows_a_prompt_held_after_downtime_at_its_new_time(team_db: str) -> None:
    """A late prompt held for the person's next available moment (`bot.cadence.late`)
    is pending with a `late:` reason: the preview shows it moved, at the time it will
    go out, with why (it showed the old time as "due")."""
    import asyncio
    from datetime import UTC, datetime

    from freezegun import freeze_time
    from sqlmodel import select

    from bot.cadence.planner import replan
    from storage.db import Database
    from storage.models import Occurrence, Person

    async def hold() -> None:
        db = Database(team_db)
        async with db.session() as session:
            ravi = (await session.exec(select(Person).where(Person.email == "ravi.rep@example.com"))).one()
        await replan(db, [ravi.id], datetime(2026, 12, 1, tzinfo=UTC))  # type: ignore[list-item]
        async with db.session() as session:
            row = (await session.exec(select(Occurrence).where(
                Occurrence.person_id == ravi.id, Occurrence.key.endswith("2026-12-07")))).one()  # type: ignore[union-attr]
            row.due_at = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
            row.reason = "late:2026-12-07 09:00; day_off:6"
            session.add(row)
        await db.dispose()

    with freeze_time("2026-12-01 00:00:00"):
        asyncio.run(hold())
    result = CliRunner().invoke(app(), ["schedule", "preview", "--user", "ravi.rep@example.com",
                                        "--from", "2026-12-06", "--days", "3"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    held = [line for line in result.output.splitlines() if "2026-12-08 13:00" in line]
    assert held and "moved" in held[0] and "coachbot was not running" in held[0], result.output


def test_preview_shows_a_trade_shows_prompts_beside_the_cadences(team_db: str) -> None:
    """A trade show's preparation prompt is stored, not planned from a rule: the
    preview lists it among the person's prompts (it was missing)."""
    import asyncio
    from datetime import UTC, datetime

    from sqlmodel import select

    from storage import occurrences
    from storage.db import Database
    from storage.models import Person

    async def plant() -> None:
        db = Database(team_db)
        async with db.session() as session:
            noor = (await session.exec(select(Person).where(Person.email == "noor.rep@example.com"))).one()
            due = datetime(2027, 1, 25, 5, 0, tzinfo=UTC)
            await occurrences.add_occurrence(session, f"event_prep:1:{noor.id}", noor.org_id, noor.id,  # type: ignore[arg-type]
                                             "event_prep", due, due.date(), {"event_id": 1, "event": "Noor Show"})
        await db.dispose()

    asyncio.run(plant())
    result = CliRunner().invoke(app(), ["schedule", "preview", "--user", "noor.rep@example.com",
                                        "--from", "2027-01-24", "--days", "3"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    line = next((line for line in result.output.splitlines() if "Getting ready for Noor Show" in line), "")
    assert "Mon 2027-01-25 08:00 +03" in line and "2027-01-25 05:00" in line and "due" in line, result.output
    assert "Weekly WIG session" in result.output  # the cadences are still there


@pytest.mark.parametrize(("typed", "said"), [
    ("2026-02-31", "There is no 31 February 2026: February 2026 has 28 days."),
    ("2028-02-30", "February 2028 has 29 days."),
    ("2026-04-31", "April 2026 has 30 days."),
    ("2026-13-01", "has no month 13: months run from 01 to 12"),
    ("31/02/2026", "isn't a day in the form YYYY-MM-DD"),
    ("", "--from needs a day"),
    (" ", "--from needs a day"),
])
def test_preview_from_a_day_that_does_not_exist_says_why_with_an_example(
        team_db: str, typed: str, said: str) -> None:
    """`--from 2026-02-31` said the format did not match; it names what is wrong and a real day."""
    from freezegun import freeze_time

    with freeze_time("2026-03-10 12:00:00"):
        result = CliRunner().invoke(app(), ["schedule", "preview", "--from", typed], env={"COLUMNS": "220"})
    out = " ".join(result.output.replace("│", " ").split())  # the error box wraps lines
    assert result.exit_code == 2 and "--from" in out, out
    assert said in out and "does not match" not in out, out
    last_day = {"2026-02-31": "2026-02-28", "2028-02-30": "2028-02-29", "2026-04-31": "2026-04-30"}
    example = last_day.get(typed, "2026-03-10")
    assert f"for example {example}" in out or f"like {example}" in out, out


@pytest.mark.parametrize(("moment", "shown"), [
    ("2026-12-28 20:00:40", True),   # Kiri (Auckland, east of UTC): her WIG prompt is due this minute
    ("2026-12-28 20:01:00", False),  # a minute on: it is behind us, not shown
    ("2026-12-28 17:00:59", True),   # Sam (Los Angeles, west of UTC): due 17:00, the clock at 17:00:59
])
def test_preview_from_now_shows_a_prompt_due_this_very_minute(team_db: str, moment: str, shown: bool) -> None:
    from freezegun import freeze_time

    east = moment.startswith("2026-12-28 20")
    who, due = ("kiri.rep", "2026-12-28 20:00") if east else ("sam.seller", "2026-12-28 17:00")
    with freeze_time(moment, real_asyncio=True):
        result = CliRunner().invoke(app(), ["schedule", "preview", "--days", "1"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if who in line and "Weekly WIG session" in line]
    assert any(due in row for row in rows) is shown, result.output
