"""The terminal channel end to end: real `coachbot` processes, piped stdin, a SQLite file."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.working_week import parse_working_days, working_days_text

ROOT = Path(__file__).resolve().parents[1]


def coachbot(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'coachbot.db'}"
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    result = coachbot(tmp_path, "team", "import", str(ROOT / "examples" / "team.csv"))
    assert result.returncode == 0, result.stderr
    assert "6 new" in result.stdout
    return tmp_path


def test_piped_lines_get_replies_in_order(imported: Path) -> None:
    result = coachbot(imported, "chat", "--as", "ravi.rep@example.com", stdin="/okr help\nhello there\n")
    assert result.returncode == 0, result.stderr
    help_at = result.stdout.index("Here is what I can do for you")
    fallback_at = result.stdout.index("Hi Ravi! I didn't catch that")
    assert help_at < fallback_at


def test_a_bare_help_outside_a_conversation_lists_the_commands(imported: Path) -> None:
    result = coachbot(imported, "chat", "--as", "ravi.rep@example.com", stdin="help\n")
    assert result.returncode == 0, result.stderr
    assert "Here is what I can do for you" in result.stdout
    assert "didn't catch that" not in result.stdout


def test_an_unknown_email_is_a_clear_error(imported: Path) -> None:
    result = coachbot(imported, "chat", "--as", "nobody@example.com")
    assert result.returncode == 1
    assert "nobody with the e-mail nobody@example.com is on the team" in result.stderr


def test_a_bad_team_file_exits_non_zero_and_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("email,name,role,manager_email,timezone\nok@x.com,Ok,rep,,UTC\nx@x.com,X,rep,,Nowhere/City\n")
    result = coachbot(tmp_path, "team", "import", str(bad))
    assert result.returncode == 1
    assert "line 3: 'Nowhere/City' is not an IANA time zone" in result.stderr
    export = coachbot(tmp_path, "team", "export")
    assert export.stdout.strip().splitlines()[1:] == []


def test_a_team_file_saved_in_a_windows_encoding_is_refused_with_its_line(tmp_path: Path) -> None:
    """Excel's plain "CSV" on Windows is cp1252: a name like Bjørn must give a clear
    problem, not a UnicodeDecodeError traceback."""
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("email,name,role,manager_email,timezone\nok@x.com,Ok,rep,,UTC\n"
                       "bj@x.com,Bjørn,rep,,Europe/Oslo\n".encode("cp1252"))
    result = coachbot(tmp_path, "team", "import", str(legacy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "line 3: the file is not UTF-8 text" in result.stderr, result.stderr


def test_a_bad_setting_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    env_result = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], capture_output=True, text=True,
                                cwd=tmp_path, env={**os.environ, "PORT": "http"}, timeout=60)
    assert env_result.returncode == 2
    assert env_result.stderr.strip() == "coachbot: configuration error: PORT: 'http' is not a port number (1-65535)"


def test_run_without_platforms_chats_as_the_first_admin(imported: Path) -> None:
    result = coachbot(imported, "run", stdin="/okr help\n")
    assert result.returncode == 0, result.stderr
    assert "runs here in the terminal as Ada Admin" in result.stdout
    assert "SLACK_BOT_TOKEN" in result.stdout  # says how to connect Slack or Teams
    assert "/okr salary-prep @rep" in result.stdout  # an admin's help


def test_run_with_an_empty_database_says_to_import_a_team(tmp_path: Path) -> None:
    result = coachbot(tmp_path, "run")
    assert result.returncode == 1
    assert "coachbot team import examples/team.csv" in result.stderr


def test_an_identical_team_file_imported_again_reports_everyone_unchanged(imported: Path) -> None:
    result = coachbot(imported, "team", "import", str(ROOT / "examples" / "team.csv"))
    assert result.returncode == 0, result.stderr
    assert "0 new, 0 updated, 6 unchanged" in result.stdout


def test_chat_shows_the_question_a_conversation_left_open_stopped_at(imported: Path) -> None:
    """A conversation left open in one `chat` run is shown again at the start of the
    next, so the next line is read as the answer to a question the person can see."""
    first = coachbot(imported, "chat", "--as", "ravi.rep@example.com", stdin="/okr goals\n")
    assert first.returncode == 0, first.stderr
    question = "What went well for you last year?"
    assert question in first.stdout
    again = coachbot(imported, "chat", "--as", "ravi.rep@example.com", stdin="")
    assert again.returncode == 0, again.stderr
    assert "open last time" in again.stdout and question in again.stdout
    fresh = coachbot(imported, "chat", "--as", "maria.manager@example.com", stdin="")
    assert "open last time" not in fresh.stdout


def test_save_typed_in_the_next_chat_run_saves_the_card_the_last_run_showed(imported: Path) -> None:
    """The card's choices are kept in the database, not in the process that showed it."""
    shown = coachbot(imported, "chat", "--as", "ravi.rep@example.com", stdin="/okr out next week\n")
    assert shown.returncode == 0, shown.stderr
    assert "1. Save" in shown.stdout
    saved = coachbot(imported, "chat", "--as", "ravi.rep@example.com", stdin="Save\n")
    assert saved.returncode == 0, saved.stderr
    assert "Saved: you are away from" in saved.stdout, saved.stdout


def test_words_that_pick_nothing_leave_the_card_open(imported: Path) -> None:
    """A card's choices are still answered after a line that answered nothing (as a
    Slack card stays under its message), and the person is told what the card takes;
    "1." then picks its first choice."""
    result = coachbot(imported, "chat", "--as", "ravi.rep@example.com",
                      stdin="/okr out next week\nhello there\n/okr nonsense\n1.\n")
    assert result.returncode == 0, result.stderr
    assert "1. Save" in result.stdout
    assert result.stdout.count("The card above is still open: pick 1 or 2 (or type the label).") == 2, result.stdout
    assert "Saved: you are away from" in result.stdout, result.stdout


def test_a_huge_command_gets_short_replies_in_the_terminal(imported: Path) -> None:
    """40,000 characters typed after `/okr`, as a sub-command's argument, or alone: each
    reply quotes only the clipped start of it (`prompts.clip`)."""
    huge = "Zq" * 20_000
    lines = [f"/okr {huge}", f"/{huge}", f"/okr status {huge}", f"/okr out {huge}", f"/okr brief @{huge}",
             f"/okr snooze {huge}", huge]
    result = coachbot(imported, "chat", "--as", "maria.manager@example.com", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) < 8_000 and "Zq" * 200 not in result.stdout, result.stdout[:500]
    assert max(len(line) for line in result.stdout.splitlines()) < 700
    assert result.stdout.count("didn't catch that") == 1 and result.stdout.count("don't know the command") == 2


# --- `team export` is the file an admin edits and imports back: people who left or were
# forgotten stay out of it (a row makes a leaver active again; a forgotten row's placeholder
# e-mail had the whole file refused), working weeks read as the sample file writes them.


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_an_export_after_a_forget_and_a_leave_imports_back_and_brings_nobody_back(imported: Path) -> None:
    assert coachbot(imported, "person", "forget", "kiri.rep@example.com", "--yes").returncode == 0
    assert coachbot(imported, "person", "leave", "sam.seller@example.com").returncode == 0
    exported = coachbot(imported, "team", "export", "-o", "team-out.csv")
    assert exported.returncode == 0, exported.stderr
    assert "Wrote 4 team rows to team-out.csv" in exported.stderr
    assert "1 person who has left is not in the export" in exported.stderr
    emails = [row["email"] for row in _rows((imported / "team-out.csv").read_text())]
    assert "sam.seller@example.com" not in emails
    assert not any(e.startswith("forgotten-") for e in emails)

    again = coachbot(imported, "team", "import", "team-out.csv")
    assert again.returncode == 0, again.stderr
    assert "0 new" in again.stdout and "active again" not in again.stdout
    still = _rows(coachbot(imported, "team", "export").stdout)
    assert "sam.seller@example.com" not in [row["email"] for row in still]


def test_an_import_listing_a_leaver_again_says_they_are_back(imported: Path) -> None:
    assert coachbot(imported, "person", "leave", "sam.seller@example.com").returncode == 0
    result = coachbot(imported, "team", "import", str(ROOT / "examples" / "team.csv"))
    assert result.returncode == 0, result.stderr
    assert "1 person who had left is in this file and active again" in result.stdout
    assert "Sam Seller <sam.seller@example.com>" in result.stdout
    assert "sam.seller@example.com" in [row["email"] for row in _rows(coachbot(imported, "team", "export").stdout)]


def test_working_weeks_are_exported_as_the_sample_file_writes_them(imported: Path) -> None:
    rows = {row["email"]: row["working_days"] for row in _rows(coachbot(imported, "team", "export").stdout)}
    assert rows["ravi.rep@example.com"] == "Mon-Fri"
    assert "Sun-Thu" in rows.values()


@pytest.mark.parametrize(("stored", "written"), [
    ("1,2,3,4,5", "Mon-Fri"), ("1,2,3,4,7", "Sun-Thu"), ("1,5,6,7", "Fri-Mon"), ("1,3,5", "Mon,Wed,Fri"),
    ("1,2,3,4,5,6,7", "Mon-Sun"), ("3", "Wed"),
])
def test_a_working_week_is_written_as_a_range_or_names_and_reads_back_the_same(stored: str, written: str) -> None:
    assert working_days_text(stored) == written
    assert parse_working_days(written) == stored


def test_a_preview_for_a_manager_without_prompts_does_not_blame_the_import(imported: Path) -> None:
    result = coachbot(imported, "schedule", "preview", "--user", "maria.manager@example.com")
    assert result.returncode == 0, result.stderr
    assert "for maria.manager@example.com" in result.stdout
    assert "Check-in and WIG prompts go to reps" in result.stdout
    assert "Has the team been imported" not in result.stdout


def test_every_help_line_starts_the_same_way() -> None:
    lines = {path.stem: path.read_text(encoding="utf-8") for path in (ROOT / "prompts" / "help").glob("*.j2")}
    assert lines and all(text[:1].islower() or text[:1] in "`{" for text in lines.values()), lines


def test_an_export_keeps_the_manager_of_reps_whose_manager_left(imported: Path) -> None:
    """The people who left stay out of the export, but their reports still name them:
    an empty manager_email would have moved the reps on re-import."""
    assert coachbot(imported, "person", "leave", "maria.manager@example.com").returncode == 0
    exported = coachbot(imported, "team", "export", "-o", "team-out.csv")
    assert exported.returncode == 0, exported.stderr
    rows = {row["email"]: row for row in _rows((imported / "team-out.csv").read_text())}
    assert "maria.manager@example.com" not in rows
    assert rows["ravi.rep@example.com"]["manager_email"] == "maria.manager@example.com"
    again = coachbot(imported, "team", "import", "team-out.csv")
    assert again.returncode == 0, again.stderr + again.stdout
    assert "0 new" in again.stdout and "active again" not in again.stdout
