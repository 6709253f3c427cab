"""How figures read in replies (`prompts.format_amount`, `format_number`): money with
its cents in full or none, and float noise never shown as "3.0" or "-0.0"; the
brief calls a key result moved only when the change shows."""

from __future__ import annotations

import pytest

import prompts
from bot.features.brief_data import _shown


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (250_000.5, "USD", "$250,000.50"),   # was "$250,000.5"
    (1.25, "USD", "$1.25"),              # was "$1.2": cents were cut to one digit
    (1234.5, "EUR", "€1,234.50"),
    (-5000, "USD", "-$5,000"),
    (-0.001, "USD", "$0"),               # no "-$0"
    (3.0000001, "logos", "3 logos"),     # was "3.0 logos"
    (-0.0000001, "logos", "0 logos"),    # was "-0.0 logos"
    (2.5, "logos", "2.5 logos"),
    (12, "logos", "12 logos"),
    (0.5, "%", "0.5%"),
])
def test_amounts_read_as_people_write_them(value: float, unit: str, shown: str) -> None:
    assert prompts.format_amount(value, unit) == shown


def test_a_change_too_small_to_show_is_no_change() -> None:
    assert _shown(3.0, "logos") == _shown(3.0000001, "logos")
    assert _shown(3.0, "logos") != _shown(3.1, "logos")
    assert _shown(100.0, "USD") != _shown(100.01, "USD")
