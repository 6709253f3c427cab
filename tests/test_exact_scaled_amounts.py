"""A number with a scale word is read as an exact decimal, the point moved by the
scale, never multiplied as a float: "1.0050k" is 1005, not 1004.9999999999999
(conversations.amounts). Property-tested with hypothesis: any decimal typed with a
k or M suffix reads as the exact Decimal value, and every reader's float is the
float nearest to it."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from conversations.amounts import Amount, parse_amount, parse_decimal_text, parse_number_text, read_amount

_SUFFIXES = {"k": 3, "K": 3, " k": 3, "M": 6, "m": 6, " M": 6}


def test_a_thousand_and_five_typed_with_four_decimals_is_exactly_1005() -> None:
    assert parse_number_text("1.0050k", ".") == 1005.0
    assert parse_decimal_text("1.0050k", ".") == Decimal(1005)
    assert read_amount("1.0050k", decimal=".") == Amount(1005.0, "")
    assert read_amount("$1.0050k", decimal=".") == Amount(1005.0, "USD", "USD")
    assert parse_amount("1.0050M deals", ".") == (1005000.0, "deals")
    assert parse_number_text("1,0050k", ",") == 1005.0  # "," where it is the decimal mark
    assert read_amount("2.6750k", decimal=".") == Amount(2675.0, "")
    assert parse_number_text("-1.0050k", ".") == -1005.0


_WHOLE = st.integers(min_value=0, max_value=10**9).map(str)
_FRACTION = st.text("0123456789", min_size=1, max_size=9).filter(lambda tail: len(tail) != 3)


@given(_WHOLE, _FRACTION, st.sampled_from(sorted(_SUFFIXES)))
def test_any_decimal_with_a_k_or_m_suffix_is_its_exact_value(whole: str, tail: str, suffix: str) -> None:
    """Tails of three digits are left out: "1.005k" reads two ways (1.005 or 1,005)
    and is asked, by design; a fourth decimal ("1.0050k") is how it is typed back."""
    exact = Decimal(f"{whole}.{tail}").scaleb(_SUFFIXES[suffix])
    typed = f"{whole}.{tail}{suffix}"
    assert parse_decimal_text(typed, ".") == exact
    assert parse_decimal_text(f"{whole},{tail}{suffix}", ",") == exact
    assert parse_number_text(typed, ".") == float(exact)
    found = read_amount(typed, decimal=".")
    assert isinstance(found, Amount) and found.value == float(exact)


@given(_WHOLE, st.sampled_from(sorted(_SUFFIXES)))
def test_a_whole_number_with_a_suffix_is_exact_too(whole: str, suffix: str) -> None:
    exact = Decimal(whole).scaleb(_SUFFIXES[suffix])
    assert parse_decimal_text(f"{whole}{suffix}", ".") == exact
    assert parse_number_text(f"{whole}{suffix}", None) == float(exact)
