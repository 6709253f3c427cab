"""Which countries and regions have public holidays: the `holidays` library's answer,
for checking a setting or a team file before anything is stored."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def known_region(region: str) -> bool:
    """Whether the holidays library has public holidays for `region`: an ISO country
    code ("NO", "US", or an alias it accepts such as "UK") or a country and one of its
    subdivisions ("US-CA"). Asks the library for that one country, the way the
    calendar will (listing every country with its subdivisions imports all of them:
    0.3 s of a team import)."""
    import holidays

    code, dash, subdivision = region.upper().partition("-")
    if dash and not subdivision:
        return False
    try:
        holidays.country_holidays(code, subdiv=subdivision or None)
    except NotImplementedError:
        return False
    return True
