"""Countries and regions for public holidays, checked one country at a time
(bot.core.regions) with the same answers as the holidays library's full listing."""

from __future__ import annotations

import holidays
import pytest

from bot.core.regions import known_region


@pytest.mark.parametrize("region", ["NO", "US", "us", "US-CA", "us-ca", "UK", "GB-SCT", "DE-BY", "IN"])
def test_countries_regions_and_aliases_the_library_knows(region: str) -> None:
    assert known_region(region)


@pytest.mark.parametrize("region", ["ZZ", "", "-", "US-", "-CA", "US-XX", "NO-ZZ", "USA-CA-X", "U S"])
def test_unknown_or_half_written_regions_are_refused(region: str) -> None:
    assert not known_region(region)


@pytest.mark.parametrize("region", ["NO", "US-CA", "US-XX", "GB-SCT", "FR", "ZZ", "UK"])
def test_the_answer_matches_the_librarys_full_listing(region: str) -> None:
    listing = holidays.list_supported_countries()
    code, _, subdivision = region.partition("-")
    assert known_region(region) == (code in listing and (not subdivision or subdivision in listing[code]))
