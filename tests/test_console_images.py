"""The terminal saves each chart to a temporary folder; saving one removes the files
there older than a day (a terminal left running, or demo after demo, would otherwise
fill it), never the file just written nor a recent one. `coachbot demo --fresh`
likewise removes its throw-away database folder when the demo ends."""

from __future__ import annotations

import os
import time
from pathlib import Path

from freezegun import freeze_time

from bot.channels.console import save_image
from bot.core.messages import Image


def chart() -> Image:
    return Image(png=b"\x89PNG fake", alt="a chart", filename="brief.png")


def test_saving_a_chart_removes_files_older_than_a_day_only(tmp_path: Path) -> None:
    old, recent = tmp_path / "brief-old.png", tmp_path / "brief-recent.png"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    (tmp_path / "a-folder").mkdir()
    real = time.time()
    os.utime(old, (real - 25 * 3600, real - 25 * 3600))
    os.utime(recent, (real - 23 * 3600, real - 23 * 3600))
    saved = save_image(chart(), tmp_path)
    assert saved.read_bytes() == b"\x89PNG fake"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([saved.name, "brief-recent.png", "a-folder"])


def test_a_session_running_for_days_keeps_only_the_last_days_charts(tmp_path: Path) -> None:
    first = save_image(chart(), tmp_path)
    with freeze_time("2099-01-01 09:00:00"):  # the clock far past the files' real times
        second = save_image(chart(), tmp_path)
        assert not first.exists()
        assert second.exists()  # the file just written, though its mtime looks old to this clock
        third = save_image(chart(), tmp_path)
    assert third.exists() and not second.exists()  # to this clock, written decades ago


def test_demo_fresh_removes_its_throw_away_database_when_it_ends(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    from typer.testing import CliRunner

    from bot.cli.main import app as coachbot

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for _ in range(2):  # demo after demo
        result = CliRunner().invoke(coachbot, ["demo", "--fresh"], input="",
                                    env={"DATABASE_URL": "sqlite:///nowhere.db"})
        assert result.exit_code == 0 and "Hi Kiri" in result.output, result.output
        assert "coachbot-demo-" in result.output  # it did use a folder under the temporary one
    assert not list(tmp_path.glob("coachbot-demo-*"))
