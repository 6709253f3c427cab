"""The country of a person's time zone (F2): one answer, from CLDR (babel), for both
their public holidays and how they write a day; old IANA names that are links
("Asia/Calcutta", "US/Eastern") get their country's holidays, not head office's."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import cadence
from bot.cadence.population import calendar_of
from conversations import locales
from storage.schedule import PersonSchedule

OLD_AND_NEW = [
    ("Asia/Calcutta", "Asia/Kolkata", "IN"),
    ("US/Eastern", "America/New_York", "US"),
    ("US/Pacific", "America/Los_Angeles", "US"),
    ("Europe/Kiev", "Europe/Kyiv", "UA"),
    ("Asia/Saigon", "Asia/Ho_Chi_Minh", "VN"),
    ("Australia/ACT", "Australia/Sydney", "AU"),
    ("America/Buenos_Aires", "America/Argentina/Buenos_Aires", "AR"),
    ("Asia/Katmandu", "Asia/Kathmandu", "NP"),
    ("Asia/Tel_Aviv", "Asia/Jerusalem", "IL"),
]


def _person(timezone: str, country: str | None = None) -> PersonSchedule:
    return PersonSchedule(1, 1, "cal@example.com", "Cal", "rep", None, timezone, "1,2,3,4,5", country,
                          None, None, datetime(2026, 1, 1, tzinfo=UTC), "Europe/Oslo", "NO")


@pytest.mark.parametrize(("old", "new", "country"), OLD_AND_NEW)
def test_old_zone_names_have_their_country(old: str, new: str, country: str) -> None:
    assert cadence.country_of_zone(old) == cadence.country_of_zone(new) == country
    assert locales.country_of(old) == country


def test_holidays_and_day_order_ask_one_function() -> None:
    assert cadence.country_of_zone is locales.country_of_zone
    assert [cadence.country_of_zone(z) for z in ("UTC", "Etc/GMT+3", "", None, "Mars/Olympus")] == [None] * 5


def test_rep_in_asia_calcutta_gets_indian_holidays_not_the_organisations() -> None:
    """Republic Day (Tue 26 Jan 2027) is a day off in India, not in Norway; Norway's
    Ascension Day (Thu 6 May 2027) is a working day in India."""
    old, new = calendar_of(_person("Asia/Calcutta")), calendar_of(_person("Asia/Kolkata"))
    assert old.country == new.country == "IN"
    assert old.day_off(date(2027, 1, 26)) == "holiday:Republic Day"
    assert old.day_off(date(2027, 5, 6)) is None
    stored = calendar_of(_person("Asia/Calcutta", "NO"))  # a stored country wins over the zone's
    assert stored.day_off(date(2027, 5, 6)) == "holiday:Ascension Day"
    assert calendar_of(_person("UTC")).country == "NO"  # no country in the zone: the organisation's


def test_zone_country_needs_no_zone_files_of_the_host(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Nothing reads the system's zone.tab: with no zone directory, the country is known."""
    monkeypatch.setattr(zoneinfo, "TZPATH", (str(tmp_path),))
    locales.country_of_zone.cache_clear()
    assert cadence.country_of_zone("Asia/Kolkata") == "IN"
    assert calendar_of(_person("US/Eastern")).day_off(date(2027, 7, 5)) is not None  # Independence Day (observed)


def test_zones_work_from_the_tzdata_package() -> None:
    """pyproject depends on tzdata, so zoneinfo has every zone (links too) even on a
    host without /usr/share/zoneinfo (slim container images)."""
    import tomllib
    from pathlib import Path

    import tzdata  # noqa: F401  (installed as a dependency)

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.replace(" ", "").startswith("tzdata>=") for d in project["project"]["dependencies"])
    assert zoneinfo.ZoneInfo("Asia/Calcutta").utcoffset(datetime(2027, 1, 1)) == timedelta(hours=5, minutes=30)
