"""Export round trips on every backend: what `coachbot export` and `/okr export` write
reads back to the stored facts, instants in UTC with the person's local date, filters
by local date and by team, CSV and JSON alike."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from conftest import say

from bot.cli.export import run_export
from bot.core.coach import Coach
from bot.core.messages import Inbound
from storage import okrs
from storage.checkins import KeyResultUpdate, record_checkin
from storage.db import Database
from storage.export import COLUMNS
from storage.models import CheckIn


async def seed(db: Database, team: dict[str, int]) -> None:
    async with db.session() as session:
        goal = await okrs.create_objective(session, team["org"], team["ravi"], "Win mid-market", "2027", 1,
                                           [{"title": "Close 12 logos", "target": 12, "unit": "logos"}])
        kr = goal.key_results[0]
        # 20:00 UTC on 4 Jan is already 5 Jan in Kolkata (UTC+5:30)
        for when, value in ((datetime(2027, 1, 4, 20, tzinfo=UTC), 3), (datetime(2027, 1, 18, 6, tzinfo=UTC), 5)):
            checkin = await record_checkin(session, team["org"], team["ravi"], None,
                                           [KeyResultUpdate(kr.id, value, "at_risk")], "Legal; pricing", None)  # type: ignore[arg-type]
            checkin.completed_at = when
            session.add(checkin)
        sams = CheckIn(org_id=team["org"], person_id=team["sam"], kind="wig",
                       completed_at=datetime(2027, 1, 5, 7, tzinfo=UTC))  # 4 Jan, 23:00 in Los Angeles
        session.add(sams)


async def exported(db: Database, kind: str, fmt: str = "csv", **options: object) -> list[dict[str, str]]:
    out = io.StringIO()
    count = await run_export(db.url, kind, fmt, out, **options)  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(out.getvalue()))) if fmt == "csv" else json.loads(out.getvalue())
    assert count == len(rows)
    return rows


async def test_checkins_round_trip_with_utc_instants_and_local_dates(db: Database, team: dict[str, int]) -> None:
    await seed(db, team)
    rows = await exported(db, "checkins")
    assert list(rows[0]) == list(COLUMNS["checkins"])
    ravi = [r for r in rows if r["email"] == "ravi@example.com"]
    assert [(r["completed_at_utc"], r["local_date"], r["value"], r["confidence"]) for r in ravi] == [
        ("2027-01-04T20:00:00+00:00", "2027-01-05", "3.0", "at_risk"),
        ("2027-01-18T06:00:00+00:00", "2027-01-18", "5.0", "at_risk"),
    ]
    assert ravi[0]["timezone"] == "Asia/Kolkata" and ravi[0]["key_result"] == "Close 12 logos"
    sam = next(r for r in rows if r["email"] == "sam@example.com")
    assert (sam["kind"], sam["local_date"], sam["key_result"]) == ("wig", "2027-01-04", "")
    as_json = await exported(db, "checkins", "json")
    assert [r["completed_at_utc"] for r in as_json] == [r["completed_at_utc"] for r in rows]


async def test_filters_by_local_date_and_by_team(db: Database, team: dict[str, int]) -> None:
    await seed(db, team)
    fifth = await exported(db, "checkins", since=date(2027, 1, 5), until=date(2027, 1, 5))
    assert [(r["email"], r["local_date"]) for r in fifth] == [("ravi@example.com", "2027-01-05")]
    fourth = await exported(db, "checkins", since=date(2027, 1, 4), until=date(2027, 1, 4))
    assert [(r["email"], r["local_date"]) for r in fourth] == [("sam@example.com", "2027-01-04")]
    mine = await exported(db, "people", team="maria@example.com")
    assert sorted(r["email"] for r in mine) == ["maria@example.com", "ravi@example.com", "sam@example.com"]
    assert {r["manager_email"] for r in mine if r["role"] == "rep"} == {"maria@example.com"}
    krs = await exported(db, "okrs")
    assert [(r["key_result"], r["current_value"], r["target_value"]) for r in krs] == [
        ("Close 12 logos", "5.0", "12.0")]


async def test_wig_export_has_lag_readings_lead_numbers_and_commitments(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    from freezegun import freeze_time

    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, team["maria"], "/okr wig add New logos from 100 to 200 by July 1 2027")
        await say(coach, team["maria"], "/okr wig measure Discovery calls, 10 per week")
        await say(coach, team["maria"], "/okr wig update 1 120")
    rows = await exported(db, "wig")
    assert [(r["fact"], r["week_start"], r["value"], r["target"], r["email"]) for r in rows] == [
        ("lag", "2027-01-04", "120.0", "200.0", "maria@example.com")]


async def test_okr_export_in_chat_is_a_csv_file_of_the_team_only(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    await seed(db, team)
    replies = await coach.handle(Inbound(person_id=team["maria"], platform="test", text="/okr export checkins"))
    file = replies[0].attachment
    assert file is not None and file.filename.endswith(".csv") and file.mime == "text/csv"
    rows = list(csv.DictReader(io.StringIO(file.data.decode("utf-8"))))
    assert {r["email"] for r in rows} == {"ravi@example.com", "sam@example.com"}
    assert "3 rows" in replies[0].text
    assert "not \"salaries\"" in await say(coach, team["maria"], "/okr export salaries")
    assert "for managers and admins only" in await say(coach, team["ravi"], "/okr export")


@pytest.mark.parametrize("kind", list(COLUMNS))
async def test_every_kind_writes_its_documented_header_when_empty(db: Database, team: dict[str, int],
                                                                  kind: str) -> None:
    out = io.StringIO()
    await run_export(db.url, kind, "csv", out)
    assert out.getvalue().splitlines()[0].split(",") == list(COLUMNS[kind])


def test_a_reversed_date_range_is_refused_with_the_range_it_probably_meant(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from bot.cli.main import app

    monkeypatch.setenv("COACHBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(app, ["export", "checkins", "--from", "2027-01-01", "--to", "2026-01-01"])
    assert result.exit_code == 2
    assert "--from 2027-01-01 is after --to 2026-01-01" in result.output
    assert "--from 2026-01-01 --to 2027-01-01" in result.output


async def test_export_without_a_single_company_says_what_to_do_not_run_again(
        db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    with pytest.raises(typer.Exit):
        await run_export(db.url, "checkins", "csv", io.StringIO())
    said = capsys.readouterr().err
    assert "coachbot team import" in said and "--team" in said and "coachbot run" not in said
