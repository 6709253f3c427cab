"""One-line lead capture as people type it on a phone: the table of what each line
becomes, including the awkward ones (no company, stray commas, emoji, non-Latin
names), and the one-line event registration."""

from __future__ import annotations

from datetime import date

import pytest

from bot.features.trade_shows.parsing import ParsedLead, map_headers, parse_event, parse_lead, zone_of_place

CASES = [
    ("Jane Roe, Acme Corp, hot, wants a demo in March",
     ParsedLead("Jane Roe", "Acme Corp", "hot", "wants a demo in March")),
    ("Jane Roe, hot, wants a demo", ParsedLead("Jane Roe", None, "hot", "wants a demo")),
    ("Jane Roe", ParsedLead("Jane Roe")),
    ("Jane Roe, Acme, Inc., warm, budget Q3, call after 3pm",
     ParsedLead("Jane Roe", "Acme, Inc.", "warm", "budget Q3, call after 3pm")),
    ("Jane Roe,, Acme ,  cold ,", ParsedLead("Jane Roe", "Acme", "cold")),
    ("Jane Roe, Acme, 🔥, loved the demo 🎉", ParsedLead("Jane Roe", "Acme", "hot", "loved the demo 🎉")),
    ("Ole Hansen, Equinor, ❄️", ParsedLead("Ole Hansen", "Equinor", "cold")),
    ("山田 太郎, ソニー株式会社, warm, 3月にデモ希望",
     ParsedLead("山田 太郎", "ソニー株式会社", "warm", "3月にデモ希望")),
    ("Σωκράτης Παππάς, Ελληνικά Πετρέλαια, HOT",
     ParsedLead("Σωκράτης Παππάς", "Ελληνικά Πετρέλαια", "hot")),
    ("Jane Roe, Acme, hot, jane.roe@acme.com, +1 (212) 555-0100, wants pricing",
     ParsedLead("Jane Roe", "Acme", "hot", "wants pricing", "jane.roe@acme.com", "+1 (212) 555-0100")),
    ("jane@acme.com Jane Roe, Acme", ParsedLead("Jane Roe", "Acme", None, None, "jane@acme.com")),
    ("Jane Roe, met at the booth and wants a follow-up call next week",
     ParsedLead("Jane Roe", None, None, "met at the booth and wants a follow-up call next week")),
]


@pytest.mark.parametrize(("line", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_a_lead_line_becomes_fields(line: str, expected: ParsedLead) -> None:
    assert parse_lead(line) == expected


@pytest.mark.parametrize("line", ["", "  ,, ", "hot, Acme", "🔥"])
def test_a_line_without_a_name_is_refused_not_guessed(line: str) -> None:
    assert parse_lead(line) == "missing_name"


def test_an_event_in_one_line() -> None:
    parsed = parse_event('"NRF 2027" 2027-01-12..2027-01-14 New York @ravi@example.com @sam')
    assert not isinstance(parsed, str)
    assert (parsed.name, parsed.starts_on, parsed.ends_on) == ("NRF 2027", date(2027, 1, 12), date(2027, 1, 14))
    assert (parsed.location, parsed.timezone) == ("New York", "America/New_York")
    assert parsed.mentions == ["@ravi@example.com", "@sam"]


def test_a_zone_given_after_the_place_wins_and_an_unknown_place_has_none() -> None:
    given = parse_event("CES 2027-01-05..2027-01-08 Las Vegas America/Los_Angeles @sam")
    assert not isinstance(given, str) and given.timezone == "America/Los_Angeles"
    assert given.location == "Las Vegas"
    unknown = parse_event("CES 2027-01-05..2027-01-08 Las Vegas @sam")
    assert not isinstance(unknown, str) and unknown.timezone is None
    assert zone_of_place("Oslo, Norway") == "Europe/Oslo"


@pytest.mark.parametrize(("args", "problem"), [
    ("NRF @ravi", "dates"),
    ("2027-01-12..2027-01-14 New York @ravi", "missing_name"),
    ("NRF 2027-01-14..2027-01-12 New York @ravi", "backwards"),
    ("NRF 2027-02-30 New York", "no_such_day:2027-2-30"),
    ('"NRF 2027 2027-01-12 New York', "syntax"),
])
def test_a_bad_event_line_names_its_problem(args: str, problem: str) -> None:
    assert parse_event(args) == problem


def test_badge_csv_headers_are_matched_by_name() -> None:
    assert map_headers(["First_Name", "Last Name", "E-mail", "Company Name", "Rating", "Scanned By"]) == {
        "first": 0, "last": 1, "email": 2, "company": 3, "temperature": 4, "owner": 5}
    assert map_headers(["Badge ID", "Company"]) == "no_name"
