"""Where a person is, for reading what they type: their country and how people there
write a numeric day.

Pure lookups in CLDR data (babel), no I/O. The country is the one stored for the
person when there is one, else the country of their IANA time zone (CLDR's
zone-to-territory table: "America/Sao_Paulo" -> "BR"); a platform locale such as
"pt-BR" wins over both for the day order. "UTC" and "Etc/…" zones have no country.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.localedata import exists

DMY, MDY = "DMY", "MDY"


def country_of(timezone: str | None, country: str | None = None) -> str | None:
    """The person's ISO 3166 country: the stored one ("IN", "US-CA" -> "US"), else the
    zone's (`country_of_zone`); None when neither says."""
    if country:
        return country.split("-")[0].upper()
    return country_of_zone(timezone)


@lru_cache(maxsize=1024)
def country_of_zone(timezone: str | None) -> str | None:
    """The ISO 3166 country of an IANA zone ("Asia/Kolkata" -> "IN"), from CLDR's
    zone-to-territory table: the one answer for both a person's public holidays (the
    cadence calendar) and how they write a day. Old names that IANA keeps as links
    ("Asia/Calcutta", "US/Eastern", "Europe/Kiev", "Asia/Saigon", "Australia/ACT",
    "America/Buenos_Aires") are resolved through CLDR's aliases, which the system's
    zone.tab (canonical names only) cannot do; and no file of the host is read.
    None for "UTC", "Etc/…", an unknown name, or empty."""
    if not timezone:
        return None
    zones: dict[str, str] = get_global("zone_territories")
    aliases: dict[str, str] = get_global("zone_aliases")
    found = zones.get(timezone) or zones.get(aliases.get(timezone, ""))
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


def without_format_marks(text: str) -> str:
    """`text` without the invisible format characters (Unicode category Cf) that chat
    clients put around numbers in right-to-left text: the left-to-right and
    right-to-left marks (U+200E, U+200F), the Arabic letter mark (U+061C), the bidi
    embeddings and isolates, zero-width spaces, the word joiner, a byte-order mark, a
    soft hyphen. "until 3\u200f/12" is "until 3/12" to whoever reads it, so every
    reader of days, spans and numbers reads it so too. Kept: the zero-width joiner and
    non-joiner (U+200C, U+200D: spelling in Persian and the Indic scripts, and emoji
    sequences) and the tag characters of flag emoji (U+E0020–U+E007F), which a title
    read here may carry into storage. `bot.core.markup.clean` (the inbound edge)
    drops the bidi overrides for safety but keeps these marks in stored words; this
    is the reading point, applied by `ascii_digits` and `conversations.amounts`."""
    if text.isascii():
        return text
    return "".join(c for c in text if c in _KEPT_FORMAT or unicodedata.category(c) != "Cf"
                   or "\U000e0020" <= c <= "\U000e007f")


_KEPT_FORMAT = frozenset("\u200c\u200d")


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit of another script made ASCII ("٣" "३" "３" ->
    "3"), so every parser reads "٣ days" or "٠٩:٣٠" as a person who types those
    digits means them, with plain `[0-9]` patterns, and without the invisible
    direction marks chat clients insert around them (`without_format_marks`:
    "3\u200f/12" is "3/12"). Deliberate: Python's `int()` and
    `\\d` take such digits anyway; converting first makes that one rule, tested, not a
    side effect. Superscripts and fractions ("²", "½") are no decimal digits and stay
    as typed (a parser then refuses them and asks again)."""
    if text.isascii():
        return text
    text = without_format_marks(text)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)


# What stands in for a number sign that is no decimal digit ("²", "①"): no reader
# takes it for a digit, so the answer is asked again.
ODD = "\ufffd"


def mark_odd_digits(text: str) -> str:
    """`text` with every numeric character that is no decimal digit ("²", "①", "⑫",
    "₅", "⅒", "Ⅻ") replaced by `ODD`, so no reader takes it for the digits NFKC makes
    of it ("²" -> "2", "⑫" -> "12"). Decimal digits of any script (Unicode category
    Nd: "５", "٥") stay: they are read as digits on purpose (`ascii_digits`)."""
    return "".join(ODD if c.isnumeric() and not c.isdecimal() else c for c in text)


def has_odd_digits(text: str) -> bool:
    """Whether `text` holds a number sign that is no decimal digit (see
    `mark_odd_digits`): a reader of days, times or amounts asks again."""
    return ODD in mark_odd_digits(text)


def small_number(text: str) -> int | None:
    """A plain whole number a person typed to pick something ("2", "٢", "#2" is not
    one): its value, or None. `str.isdigit` alone also passes "²" and "①", which
    `int()` then refuses with a ValueError; those are no number here. At most 6
    digits: a pick from a list, not an amount."""
    text = ascii_digits(text.strip())
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def typed_number(text: str) -> int | None:
    """The number a person typed to pick a numbered choice, in the ways people type
    one: "2", " 2 ", "2.", "2)", "(2)", "#2" (and "# 2", "2 ."); None for anything
    else, so "2 days", "(2" or "(2." stays text. Digits as `small_number` reads them."""
    found = _NUMBERED.match(text.strip())
    if found is None or (found["open"] == "(" and found["close"] != ")"):
        return None
    return small_number(found["digits"])


# A number typed to pick a choice, with what people put around it: "#2", "(2)",
# "2." or "2)". `typed_number` closes an opened bracket; the digits may be any script's.
_NUMBERED = re.compile(r"^(?P<open>[#(])?\s*(?P<digits>\d+)\s*(?P<close>[.)])?$")


@lru_cache(maxsize=512)
def _decimal_of(locale: Locale) -> str:
    symbols = locale.number_symbols
    latin = symbols.get("latn", symbols) if hasattr(symbols, "get") else symbols
    return str(latin.get("decimal", "."))


def decimal_mark(timezone: str | None, country: str | None = None, locale: str | None = None) -> str | None:
    """"." or "," — the decimal mark where the person is, from CLDR: their platform
    locale, else their country (stored, else their zone's) as for `day_order`. None
    when nothing says (a "UTC" zone, no country): then a number such as "1,500" that
    reads two ways is asked about, not guessed (conversations.amounts). A mark other
    than "." or "," (the Arabic "٫") counts as "." for what people type on a Latin
    keyboard there."""
    parsed: Locale | None = None
    if locale:
        try:
            parsed = Locale.parse(locale.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            parsed = None
    if parsed is None:
        found = country_of(timezone, country)
        parsed = _locale_of_country(found) if found else None
    if parsed is None:
        return None
    mark = _decimal_of(parsed)
    return mark if mark in ",." else "."
