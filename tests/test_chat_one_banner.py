"""`coachbot chat` opening with a conversation left open, and the first line the
command that picks that conversation up: one banner, not "you left … open" and then
"welcome back … here's where we stopped"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARIA = "maria.manager@example.com"


def _coachbot(folder: Path, *args: str, stdin: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'coachbot.db'}"
    done = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=folder, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("run", ["chat", "demo"])
def test_the_command_that_picks_up_the_open_conversation_adds_no_second_banner(tmp_path: Path, run: str) -> None:
    _coachbot(tmp_path, "team", "import", str(ROOT / "examples" / "team.csv"))
    _coachbot(tmp_path, "chat", "--as", MARIA, stdin="/okr salary-prep @sam\nA fair raise\n")
    shown = _coachbot(tmp_path, run, "--as", MARIA, stdin="/okr salary-prep @sam\n")
    assert shown.count("open last time") == 1 and "Welcome back" not in shown, shown
    assert shown.count("What do you think Sam hopes for") == 2  # the question is still asked after the command
    later = _coachbot(tmp_path, "chat", "--as", MARIA, stdin="/okr help\n/okr salary-prep @sam\n")
    assert "Welcome back to" in later  # something came between: the command says where it picks up
