"""What a lead keeps: names in any script as typed, no invisible characters that make
a stored name read differently from what it is (bidi overrides, zero-width
characters), and name, company and note within their limits, a longer one refused
with the limit named rather than cut."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.features.trade_shows.csv_leads import read_leads
from bot.features.trade_shows.parsing import LIMITS, ParsedLead, parse_lead
from storage import event_names
from storage.db import Database
from storage.models import Event, Lead


@pytest.mark.parametrize(("line", "problem"), [
    ("J" * 101 + ", Acme, hot", "name_too_long"),
    ("Jane Roe, Acme, hot, " + "n" * 1001, "note_too_long"),
])
def test_a_field_over_its_limit_is_refused_not_cut(line: str, problem: str) -> None:
    assert parse_lead(line) == problem


def test_fields_at_their_limit_are_kept_whole() -> None:
    parsed = parse_lead("J" * 100 + ", " + "A" * 120 + ", hot, " + "n" * 1000)
    assert parsed == ParsedLead("J" * 100, "A" * 120, "hot", "n" * 1000)
    # a second part longer than any company reads as the note
    long_part = parse_lead("Jane Roe, " + "x" * 121)
    assert long_part == ParsedLead("Jane Roe", None, None, "x" * 121)


def test_a_line_is_cleaned_before_it_is_read() -> None:
    assert parse_lead("\u202eJane\u200b Roe\u202c, Ac\u2060me\ufeff, hot") == ParsedLead("Jane Roe", "Acme", "hot")


async def nrf(db: Database, team: dict[str, int]) -> Event:
    event = Event(org_id=team["org"], name="NRF 2027", starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 15),
                  location="New York", timezone="America/New_York", created_by=team["maria"])
    async with db.session() as session:
        return await event_names.add_event(session, event, [team["ravi"], team["sam"]])


async def stored(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())


async def test_too_long_fields_get_a_re_ask_naming_the_limit_and_nothing_is_stored(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    await nrf(db, team)
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        name = await say(coach, team["ravi"], "/okr lead " + "J" * 150 + ", Acme, hot")
        note = await say(coach, team["ravi"], "lead: Jane Roe, Acme, hot, " + "n" * 1200)
    assert name.startswith(f"That name is longer than {LIMITS['name']} characters")
    assert note.startswith(f"That note is longer than {LIMITS['note']} characters")
    assert "nothing was saved" in name and "For example" in note
    assert await stored(db) == []


async def test_names_in_any_script_survive_and_invisible_characters_do_not(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    await nrf(db, team)
    lines = [
        "山田 太郎, ソニー株式会社, warm, 3月にデモ希望",
        "محمد عبد الله, أرامكو, hot",
        "Σωκράτης Παππάς, Ελληνικά Πετρέλαια, cold",
        "फ़ातिमा क्\u200dषेत्री, टाटा, warm",
        "\u202eJane\u200b Roe\u202c, Ac\u2066me\u2069, hot, 👩\u200d💻 wants a demo\ufeff",
        "Jane Roe, Acme, warm, second talk",  # the same person again: merged, not doubled
    ]
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        answers = [await say(coach, team["ravi"], f"/okr lead {line}") for line in lines]
    assert all("saved" in a for a in answers[:-1]) and answers[-1].startswith("Merged into lead #")
    found = [(lead.name, lead.company, lead.notes) for lead in await stored(db)]
    assert found == [
        ("山田 太郎", "ソニー株式会社", "3月にデモ希望"),
        ("محمد عبد الله", "أرامكو", None),
        ("Σωκράτης Παππάς", "Ελληνικά Πετρέλαια", None),
        ("फ़ातिमा क्\u200dषेत्री", "टाटा", None),
        ("Jane Roe", "Acme", "👩\u200d💻 wants a demo\nsecond talk"),
    ]


def test_a_badge_file_names_the_line_of_a_too_long_field_and_cleans_the_rest() -> None:
    text = ("Name,Company,Notes\n"
            "\u202eAna Silva\u202c,Far\u200bfetch,ok\n"
            + "B" * 101 + ",Acme,\n"
            "Cy,Acme," + "n" * 1001 + "\n")
    rows, problems = read_leads(text)
    assert [(p.line, p.code, p.detail) for p in problems] == [(3, "name_too_long", "100"),
                                                              (4, "note_too_long", "1000")]
    assert rows[0].lead == ParsedLead("Ana Silva", "Farfetch", None, "ok")
