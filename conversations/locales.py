"""Where a person is, for reading what they type: their country and how people there
write a numeric day.

Pure lookups in CLDR data (babel), no I/O. The country is the one stored for the
person when there is one, else the country of their IANA time zone (CLDR's
zone-to-territory table: "America/Sao_Paulo" -> "BR"); a platform locale such as
"pt-BR" wins over both for the day order. "UTC" and "Etc/…" zones have no country.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.localedata import exists

DMY, MDY = "DMY", "MDY"


def country_of(timezone: str | None, country: str | None = None) -> str | None:
    """The person's ISO 3166 country: the stored one ("IN", "US-CA" -> "US"), else the
    zone's; None when neither says."""
    if country:
        return country.split("-")[0].upper()
    zones: dict[str, str] = get_global("zone_territories")
    aliases: dict[str, str] = get_global("zone_aliases")  # "Asia/Calcutta", "US/Eastern" …
    found = zones.get(aliases.get(timezone or "", timezone or ""))
    return found if found and found not in ("001", "ZZ") else None


@lru_cache(maxsize=512)
def _locale_of_country(country: str) -> Locale | None:
    """The locale whose short date an English-speaking rep in `country` follows: the
    country's English locale when CLDR has one ("en_IN"), else its most-spoken
    official language ("pt_BR", "ar_SA")."""
    if exists(f"en_{country}"):
        return Locale.parse(f"en_{country}")
    languages: dict[str, dict[str, object]] = get_global("territory_languages").get(country, {})
    ranked = sorted(languages.items(), key=lambda item: (item[1].get("official_status") != "official",
                                                         -float(item[1].get("population_percent") or 0)))
    for language, _ in ranked:
        if exists(f"{language}_{country}"):
            return Locale.parse(f"{language}_{country}")
    return None


@lru_cache(maxsize=512)
def _order_of(locale: Locale) -> str:
    pattern = locale.date_formats["short"].pattern
    return MDY if pattern.find("M") < pattern.find("d") else DMY


def day_order(timezone: str | None, country: str | None = None, locale: str | None = None) -> str | None:
    """"DMY" or "MDY" for a numeric day such as 03/04, from the person's locale, else
    their country (stored, else their zone's). None when nothing says: then a
    numeric day whose two parts could both be a month is asked about, not guessed.
    Year-first countries ("y/MM/dd": Japan, China, Canada's ISO style) put the month
    before the day."""
    if locale:
        try:
            return _order_of(Locale.parse(locale.replace("-", "_")))
        except (UnknownLocaleError, ValueError):
            pass
    found = country_of(timezone, country)
    parsed = _locale_of_country(found) if found else None
    return _order_of(parsed) if parsed is not None else None
