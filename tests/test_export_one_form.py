"""Newcomer F25: an export says one thing one way. Money is an ISO code whether the
key result was stored with "$" (the demo) or "USD" (goal setting); only a total has a
start (a floor or a ceiling is a level held, a quota and a rate count from zero), so
floors do not show 0 on one row and the floor itself on another; JSON writes what is
missing as null, not ""; `coachbot export leads` points at `coachbot event export-leads`."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from bot.cli.export import run_export
from bot.cli.main import app
from storage import okrs
from storage.db import Database


async def seed(db: Database, team: dict[str, int]) -> None:
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Grow", "2027", 1, [
            {"title": "Pipeline", "target": 800000, "start": 250000, "unit": "$"},
            {"title": "Bookings", "target": 900000, "start": 0, "unit": "USD"},
            {"title": "Keep forecast accuracy above 85%", "target": 85, "start": 0, "unit": "%", "kind": "floor"},
            {"title": "Keep 95% of my customers", "target": 95, "start": 95, "unit": "%", "kind": "floor",
             "current": None}])


async def exported(db: Database, fmt: str) -> list[dict[str, object]]:
    out = io.StringIO()
    await run_export(db.url, "okrs", fmt, out)
    return list(csv.DictReader(io.StringIO(out.getvalue()))) if fmt == "csv" else json.loads(out.getvalue())


async def test_okrs_export_one_currency_form_and_no_start_for_a_level(db: Database, team: dict[str, int]) -> None:
    await seed(db, team)
    rows = {r["key_result"]: r for r in await exported(db, "csv")}
    assert rows["Pipeline"]["unit"] == rows["Bookings"]["unit"] == "USD"
    assert rows["Pipeline"]["start_value"] == "250000.0"
    floors = [rows["Keep forecast accuracy above 85%"], rows["Keep 95% of my customers"]]
    assert [f["start_value"] for f in floors] == ["", ""]


async def test_json_export_writes_missing_numbers_as_null(db: Database, team: dict[str, int]) -> None:
    await seed(db, team)
    rows = {r["key_result"]: r for r in await exported(db, "json")}
    held = rows["Keep 95% of my customers"]
    assert held["current_value"] is None and held["start_value"] is None and held["due_on"] is None
    assert rows["Pipeline"]["start_value"] == 250000.0 and rows["Pipeline"]["unit"] == "USD"


def test_export_leads_points_at_the_event_command(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(app, ["export", "leads"])
    assert result.exit_code == 2
    assert "coachbot event export-leads" in result.output
    assert "is not one I know" not in result.output
