"""What a validator hands back (`Valid` / `Invalid`) and what it may know (`Env`),
apart from the parsers themselves (`conversations.validators`), so the engine, the
flows' callers and the parsers share one small vocabulary. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from conversations.dates import DateReading, Period, read_date, year_period
from conversations.locales import decimal_mark
from conversations.working_week import MON_FRI


@dataclass(frozen=True)
class Valid:
    """A parsed answer, JSON-serialisable so it can live in the stored state.

    `confirm` (details for the flow's confirmation template) asks the engine to read
    the value back in words and wait for a yes before keeping it: a numeric day a
    reader could take two ways, or a value far from the previous one.
    """

    value: Any
    confirm: dict[str, Any] | None = None


@dataclass(frozen=True)
class Invalid:
    """Why an answer was refused: a code the retry template knows, plus details."""

    code: str
    details: dict[str, Any] = field(default_factory=dict)


Result = Valid | Invalid


@dataclass(frozen=True)
class Env:
    """What validators may know about the world, handed in by the caller.

    `people` is the organisation's directory for the person validator: dicts with id,
    name, email and handles (platform user ids). `country` (ISO 3166, as stored for
    the person) and `locale` (a platform locale such as "pt-BR") decide how numeric
    days read; without them the zone's country does (conversations.locales).
    `period` is the span being planned (a goal-setting conversation for 2027: 1 Jan
    to 31 Dec 2027): days without a year resolve inside it and days outside it are
    asked again. `answers` are the flow's earlier answers (the quota's currency).
    `working_days` (ISO weekdays, `conversations.working_week`) is the person's week,
    for "end of week" (Thursday in a Sunday–Thursday week) and "Monday next week".
    """

    today: date
    timezone: str = "UTC"
    people: Sequence[Mapping[str, Any]] = ()
    country: str | None = None
    locale: str | None = None
    period: Period | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    working_days: frozenset[int] = MON_FRI

    @property
    def decimal(self) -> str | None:
        """The person's decimal mark ("." or ","), None when unknown
        (conversations.locales.decimal_mark)."""
        return decimal_mark(self.timezone, self.country, self.locale)

    def read_date(self, raw: str) -> DateReading | None:
        return read_date(raw, self.today, self.timezone, country=self.country, locale=self.locale,
                         period=self.period, working_days=self.working_days)


def row_number(text: str) -> int | None:
    """A row number a person typed ("12", "#12") as an int, or None. ASCII digits only
    (`str.isdigit` also accepts "²", which `int` refuses) and at most 18 of them, so
    the value fits a 64-bit column (SQLite and PostgreSQL refuse a larger one with an
    exception instead of "not found")."""
    text = text.strip().lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def typed_digits(text: str) -> str | None:
    """The digits of a whole number a person typed to pick a row ("99999", "#12", 40
    digits), however long, or None for anything else ("abc", "1.5", "-3"). A picker
    that gets digits `row_number` refuses (too long for a column) still says "there
    is no N" instead of asking for a number the person did type."""
    text = text.strip().lstrip("#")
    return text if text.isascii() and text.isdigit() else None


def runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted numbers as (first, last) runs, so a re-ask can name "1–3, 7" rather
    than every number: [1, 2, 3, 7] -> [(1, 3), (7, 7)]; [] -> []."""
    found: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if found and n == found[-1][1] + 1:
            found[-1] = (found[-1][0], n)
        else:
            found.append((n, n))
    return found


def plan_period(context: Mapping[str, Any] | None) -> Period | None:
    """The period a flow plans, from its context: `year` ("2027") for goal setting."""
    return year_period((context or {}).get("year"))
