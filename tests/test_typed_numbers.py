"""Numbers people type that used to crash a command or store a wrong value (found by
a review as an attacker would type them): each is now a clear re-ask, not a traceback."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.features.prompt_answers import parse_snooze
from bot.features.trade_shows.parsing import parse_lead
from conversations import amounts, validators
from conversations.validators import row_number


@pytest.mark.parametrize(("typed", "expected"), [
    ("12", 12), ("#12", 12), (" 7 ", 7),
    ("²", None),                      # str.isdigit() says yes, int() says no
    ("١٢", None),                     # other scripts' digits are not row numbers
    ("9" * 19, None),                 # past a 64-bit column: the database would raise
    ("9" * 18, int("9" * 18)),
    ("", None), ("-3", None), ("1.5", None),
])
def test_a_row_number_is_ascii_digits_that_fit_a_column(typed: str, expected: int | None) -> None:
    assert row_number(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("2h", timedelta(hours=2)), ("30 min", timedelta(minutes=30)), ("1d", timedelta(days=1)),
    ("99999999999h", None), ("99999999999999999999d", None), ("15d", None), ("0h", None),
])
def test_snooze_is_bounded_before_it_becomes_a_duration(typed: str, expected: timedelta | None) -> None:
    assert parse_snooze(typed) == expected


@pytest.mark.parametrize("typed", ["9" * 400, "1e400", "1" + "0" * 320 + "k"])
def test_a_number_too_large_for_a_float_is_re_asked_not_infinite(typed: str) -> None:
    assert amounts.read_amount(typed) == "unreadable"
    for check in (validators.money, validators.number):
        assert isinstance(check(typed, validators.Env(date(2027, 1, 4))), validators.Invalid)


@pytest.mark.parametrize("typed", [", Acme Corp, hot, wants demo", "\u200b, Acme, hot", " ; Acme"])
def test_a_lead_without_its_name_is_not_the_company_moved_up(typed: str) -> None:
    assert parse_lead(typed) == "missing_name"


@pytest.mark.parametrize("typed", ['"" 2027-01-12..2027-01-14 Paris', '"   " 2027-01-12..2027-01-14 Paris',
                                   '"\u200b" 2027-01-12..2027-01-14 Paris'])
def test_an_event_named_nothing_is_refused(typed: str) -> None:
    from bot.features.trade_shows.parsing import parse_event
    assert parse_event(typed) == "missing_name"


@pytest.mark.parametrize(("typed", "expected"), [
    ("new 20 existing 5", {"new": 20, "existing": 5}),
    ("new=20, existing: 5", {"new": 20, "existing": 5}),
    ("new 1e400 existing 5", None),      # was read as new = 1
    ("meetings -5 leads 25", None),      # was: meetings dropped without a word
    ("new 99999999999999999999", None),  # no upper bound before
    ("new 20 banana 3", None), ("new", None), ("", None), ("new ²", None),
])
def test_event_objectives_are_all_read_or_re_asked(typed: str, expected: dict[str, int] | None) -> None:
    from bot.features.trade_shows.events import _numbers
    names = {"new": "new", "existing": "existing", "meetings": "meetings", "leads": "leads"}
    assert _numbers(typed.split(), names) == expected


def test_event_objectives_may_name_a_kind_in_two_words() -> None:
    from bot.features.trade_shows.events import OBJECTIVES, _numbers
    assert _numbers(["new", "prospects", "20", "channel", "partners", "2"], OBJECTIVES) == {
        "new_prospects": 20, "partners": 2}
    assert _numbers(["new", "customers", "20"], OBJECTIVES) is None  # two kinds, one number
