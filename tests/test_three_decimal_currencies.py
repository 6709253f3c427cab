"""Currencies written with three decimals (KWD, BHD, OMR, JOD, TND …): coachbot shows
"1.234 KWD", so "1.234" typed back for such an amount is 1.234, not "reads two ways"
(whose example was the very text typed: the reviewer's loop). Elsewhere a lone
"1.234" is still asked about."""

from __future__ import annotations

import pytest
from conftest import say

from conversations.checkin_reading import read_in_unit
from conversations.wig_text import read_wig


@pytest.mark.parametrize("typed", ["1.234", "1.234 KWD", "KWD 1.234", "1٫234"])
def test_a_dinar_amount_typed_as_shown_is_read(typed: str) -> None:
    assert read_in_unit(typed, "KWD") == (1.234, None)


@pytest.mark.parametrize("typed, unit", [("1.234", "USD"), ("1.234", "NOK"), ("1,234", "KWD")])
def test_elsewhere_a_three_digit_tail_is_still_asked_about(typed: str, unit: str) -> None:
    assert read_in_unit(typed, unit) == (None, "ambiguous_number")


def test_grouping_stays_grouping() -> None:
    assert read_in_unit("1.234.567 KWD", "KWD") == (1234567.0, None)
    assert read_in_unit("1,234.500", "BHD") == (1234.5, None)


def test_a_wig_in_dinars_reads_its_three_decimals() -> None:
    line = read_wig("Deals from 1.250 KWD to 2.500 KWD by June 30")
    assert line is not None and (line.start, line.target, line.unit) == (1.25, 2.5, "KWD")


async def test_a_wig_in_dinars_is_set_and_echoed_in_a_form_that_reads_back(coach, team) -> None:
    reply = await say(coach, team["maria"], "/okr wig add Deals from 1.250 KWD to 2.500 KWD by June 30")
    assert "WIG 1 is set" in reply and "1.250 KWD" in reply and "2.500 KWD" in reply, reply
