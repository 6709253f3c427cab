"""The team file's optional `one_on_one` column sets each rep's series with their
manager (the manager's zone), a bad rhythm is reported by line and imports nothing,
and the series shows in `coachbot schedule preview`, with skipped meetings marked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from bot.cli.main import app as coachbot
from storage.migrate import upgrade

HEADER = "email,name,role,manager_email,timezone,one_on_one\n"
ROWS = ("maria@example.com,Maria Manager,manager,,America/New_York,\n"
        "ravi@example.com,Ravi Rep,rep,maria@example.com,Asia/Kolkata,{rhythm}\n")


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    return tmp_path


def test_the_one_on_one_column_sets_the_series_shown_in_the_preview(cli_db: Path) -> None:
    bad = cli_db / "bad.csv"
    bad.write_text(HEADER + ROWS.format(rhythm="every other sometime"))
    refused = CliRunner().invoke(coachbot, ["team", "import", str(bad)])
    assert refused.exit_code != 0 and "line 3: 'every other sometime' is not a one-on-one rhythm" in refused.output
    good = cli_db / "team.csv"
    good.write_text(HEADER + ROWS.format(rhythm="every other Tue 10:00"))
    with freeze_time("2027-03-01 12:00:00"):
        imported = CliRunner().invoke(coachbot, ["team", "import", str(good)])
    assert imported.exit_code == 0, imported.output
    shown = CliRunner().invoke(coachbot, ["schedule", "preview", "--user", "maria@example.com", "--from", "2027-03-01",
                                          "--days", "20"], env={"COLUMNS": "220"})
    assert shown.exit_code == 0, shown.output
    assert "1:1 with Ravi Rep" in shown.output
    assert "Tue 2027-03-02 10:00 EST" in shown.output and "Tue 2027-03-16 10:00 EDT" in shown.output
    assert "2027-03-09" not in shown.output  # every other week


def test_a_re_imported_team_file_does_not_reopen_an_ended_series(cli_db: Path) -> None:
    import asyncio

    from storage import one_on_ones
    from storage.db import Database

    good = cli_db / "team.csv"
    good.write_text(HEADER + ROWS.format(rhythm="every other Tue 10:00"))
    with freeze_time("2027-03-01 12:00:00"):
        assert CliRunner().invoke(coachbot, ["team", "import", str(good)]).exit_code == 0

    async def end() -> None:
        db = Database(f"sqlite:///{cli_db / 'cli.db'}")
        async with db.session() as session:
            series = (await one_on_ones.series_of(session, 1))[0]
            assert await one_on_ones.end_series(session, series.id, datetime(2027, 3, 3, tzinfo=UTC))
        await db.dispose()

    asyncio.run(end())
    with freeze_time("2027-03-05 12:00:00"):
        again = CliRunner().invoke(coachbot, ["team", "import", str(good)])
    assert again.exit_code == 0, again.output
    shown = CliRunner().invoke(coachbot, ["schedule", "preview", "--user", "maria@example.com", "--from", "2027-03-05",
                                          "--days", "20"], env={"COLUMNS": "220"})
    assert shown.exit_code == 0 and "1:1 with Ravi Rep" not in shown.output


def test_a_rep_moved_in_the_team_file_leaves_the_old_managers_preview_and_unlisted_people_are_named(
        cli_db: Path) -> None:
    from sqlmodel import select

    from storage.db import Database
    from storage.models import Person

    good = cli_db / "team.csv"
    good.write_text(HEADER + ROWS.format(rhythm="every other Tue 10:00")
                    + "sam@example.com,Sam Seller,rep,maria@example.com,America/Los_Angeles,\n")
    with freeze_time("2027-03-01 12:00:00"):
        assert CliRunner().invoke(coachbot, ["team", "import", str(good)]).exit_code == 0
    moved = cli_db / "moved.csv"  # Ravi now reports to Max; Sam is not in this (partial) file
    moved.write_text(HEADER + "maria@example.com,Maria Manager,manager,,America/New_York,\n"
                     "max@example.com,Max Manager,manager,,America/New_York,\n"
                     "ravi@example.com,Ravi Rep,rep,max@example.com,Asia/Kolkata,\n")
    with freeze_time("2027-03-01 13:00:00"):
        imported = CliRunner().invoke(coachbot, ["team", "import", str(moved)])
    assert imported.exit_code == 0, imported.output
    unlisted = "1 active person is not in this file (left as they are):\n  Sam Seller <sam@example.com>\n"
    assert unlisted in imported.output
    assert "coachbot person leave EMAIL" in imported.output
    shown = CliRunner().invoke(coachbot, ["schedule", "preview", "--user", "maria@example.com", "--from", "2027-03-01",
                                          "--days", "20"], env={"COLUMNS": "220"})
    assert shown.exit_code == 0 and "1:1 with Ravi Rep" not in shown.output

    def active() -> dict[str, bool]:
        import asyncio

        async def read() -> dict[str, bool]:
            db = Database(f"sqlite:///{cli_db / 'cli.db'}")
            async with db.session() as session:
                found = {p.email: p.active for p in (await session.exec(select(Person))).all()}
            await db.dispose()
            return found
        return asyncio.run(read())

    assert active()["sam@example.com"] is True  # named, never deactivated by a partial file
    left = CliRunner().invoke(coachbot, ["person", "leave", "sam@example.com"])
    assert left.exit_code == 0 and "Sam Seller (sam@example.com) is marked as having left" in left.output
    assert active()["sam@example.com"] is False
    back = CliRunner().invoke(coachbot, ["person", "return", "sam@example.com"])
    assert back.exit_code == 0 and "is active again" in back.output and active()["sam@example.com"] is True
    assert CliRunner().invoke(coachbot, ["person", "leave", "sam@example.com"]).exit_code == 0
    with freeze_time("2027-03-02 12:00:00"):  # a file listing Sam again brings him back
        assert CliRunner().invoke(coachbot, ["team", "import", str(good)]).exit_code == 0
    assert active()["sam@example.com"] is True
    unknown = CliRunner().invoke(coachbot, ["person", "leave", "zed@example.com"])
    assert unknown.exit_code != 0 and "nobody with the e-mail zed@example.com" in unknown.output


def test_the_last_active_admin_is_not_marked_as_left(cli_db: Path) -> None:
    """`coachbot run` needs an active admin: marking the only one as left is refused with
    what to do instead; with a second admin it goes through."""
    team = cli_db / "admins.csv"
    team.write_text(HEADER + "ada@example.com,Ada Admin,admin,,UTC,\n" + ROWS.format(rhythm=""))
    assert CliRunner().invoke(coachbot, ["team", "import", str(team)]).exit_code == 0
    refused = CliRunner().invoke(coachbot, ["person", "leave", "ada@example.com"])
    assert refused.exit_code != 0 and "last active admin" in refused.output
    team.write_text(HEADER + "ada@example.com,Ada Admin,admin,,UTC,\n"
                    "maria@example.com,Maria Manager,admin,,America/New_York,\n")
    assert CliRunner().invoke(coachbot, ["team", "import", str(team)]).exit_code == 0
    left = CliRunner().invoke(coachbot, ["person", "leave", "ada@example.com"])
    assert left.exit_code == 0 and "last active admin" not in left.output


def test_leave_or_return_run_twice_says_nothing_changed(cli_db: Path) -> None:
    """A second `person leave` says the person is already marked as left, and since
    when; a `person return` for someone active says they already are: nothing is
    changed and both end with exit code 0."""
    team = cli_db / "team.csv"
    team.write_text(HEADER + ROWS.format(rhythm="every other Tue 10:00"))
    with freeze_time("2027-03-01 12:00:00"):
        assert CliRunner().invoke(coachbot, ["team", "import", str(team)]).exit_code == 0
    active = CliRunner().invoke(coachbot, ["person", "return", "ravi@example.com"])
    assert active.exit_code == 0, active.output
    assert "Ravi Rep (ravi@example.com) is already active; nothing changed" in active.output
    assert "is active again" not in active.output
    with freeze_time("2027-03-04 09:00:00"):
        first = CliRunner().invoke(coachbot, ["person", "leave", "ravi@example.com"])
    assert first.exit_code == 0 and "is marked as having left" in first.output and "1 one-on-one" in first.output
    with freeze_time("2027-03-09 09:00:00"):
        second = CliRunner().invoke(coachbot, ["person", "leave", "RAVI@example.com"])
    assert second.exit_code == 0, second.output
    assert "already marked as having left (since Thu 4 Mar 2027); nothing changed" in second.output
    assert "(ravi@example.com)" in second.output and "RAVI@" not in second.output  # the stored e-mail
    assert "series ended" not in second.output
    back = CliRunner().invoke(coachbot, ["person", "return", "ravi@example.com"])
    assert back.exit_code == 0 and "is active again" in back.output
    again = CliRunner().invoke(coachbot, ["person", "return", "ravi@example.com"])
    assert again.exit_code == 0 and "already active" in again.output


def test_commands_naming_someone_who_left_say_so(cli_db: Path) -> None:
    """`schedule preview --user`, `schedule set --user` and `demo --as` for someone
    marked as left say they left (since when) and that nothing is planned for them,
    not that nobody with that e-mail is on the team."""
    team = cli_db / "team.csv"
    team.write_text(HEADER + ROWS.format(rhythm=""))
    assert CliRunner().invoke(coachbot, ["team", "import", str(team)]).exit_code == 0
    with freeze_time("2027-03-04 09:00:00"):
        assert CliRunner().invoke(coachbot, ["person", "leave", "ravi@example.com"]).exit_code == 0
    shown = CliRunner().invoke(coachbot, ["schedule", "preview", "--user", "ravi@example.com"])
    assert shown.exit_code == 0, shown.output
    assert "Ravi Rep (ravi@example.com) has left the team (marked as left on Thu 4 Mar 2027)" in shown.output
    assert "nothing is planned for them" in shown.output and "not on the team" not in shown.output
    unknown = CliRunner().invoke(coachbot, ["schedule", "preview", "--user", "zed@example.com"])
    assert unknown.exit_code == 1 and "is on the team" in unknown.output
    rule = CliRunner().invoke(coachbot, ["schedule", "set", "wig", "--user", "ravi@example.com"])
    assert rule.exit_code == 0 and "Saved" in rule.output and "has left the team" in rule.output, rule.output
    played = CliRunner().invoke(coachbot, ["demo", "--as", "ravi@example.com"], input="")
    assert played.exit_code == 1 and "has left the team" in played.output and "Hi Ravi" not in played.output
    typo = CliRunner().invoke(coachbot, ["demo", "--as", "ravii@example.com"], input="")
    assert typo.exit_code == 1 and "ravii@example.com" in typo.output  # not someone else played instead


def test_an_imported_series_outside_working_time_is_said_and_set(cli_db: Path) -> None:
    """As `/okr 1on1` says it in chat: Tuesday 10:00 in New York is 20:30 in Kolkata,
    after Ravi's working hours; set as the file asks, and named after the import. A
    rhythm that suits both says nothing, and an unchanged re-import says nothing again."""
    late = cli_db / "late.csv"
    late.write_text(HEADER + ROWS.format(rhythm="every other Tue 10:00"))
    with freeze_time("2027-03-01 12:00:00"):
        first = CliRunner().invoke(coachbot, ["team", "import", str(late)])
        again = CliRunner().invoke(coachbot, ["team", "import", str(late)])
    assert first.exit_code == 0, first.output
    assert "1 one-on-one series starts outside someone's working time" in first.output, first.output
    assert "Maria Manager and Ravi Rep: Ravi Rep Tue 20:30 their time (outside 08:00–18:00)" in first.output
    assert "Maria Manager Tue" not in first.output  # 10:00 suits her
    assert "1 new" in first.output
    assert "working time" not in again.output, again.output  # unchanged: not said twice
    early = cli_db / "early.csv"
    early.write_text(HEADER + ROWS.format(rhythm="every other Tue 07:30"))  # 18:00 in Kolkata, 07:30 in NY
    with freeze_time("2027-03-01 12:00:00"):
        moved = CliRunner().invoke(coachbot, ["team", "import", str(early)])
    assert moved.exit_code == 0 and "1 updated" in moved.output, moved.output
    assert "Maria Manager Tue 07:30 (outside 08:00–18:00)" in moved.output, moved.output
    fine = cli_db / "fine.csv"
    fine.write_text(HEADER + ROWS.format(rhythm="every other Tue 09:00").replace("America/New_York", "Europe/London"))
    with freeze_time("2027-03-01 12:00:00"):
        suits = CliRunner().invoke(coachbot, ["team", "import", str(fine)])
    assert suits.exit_code == 0 and "working time" not in suits.output, suits.output
