"""Which unit pairs of a "from X to Y" count as the same unit
(`unit_words.different_units`), now by the shared singular (`unit_words.one_of`)
instead of a crude "drop the s" of its own.

Pinned before and after the change:
  pair                 before (drop an "s")        after (one_of)
  box / boxes          different ("boxe")          same
  crisis / crises      different ("crisi"/"crise") same
  deal / deals         same                        same
  niche / niches       same                        same
  deals / calls        different                   different
  person / people, opportunity / opportunities, analysis / analyses, class /
  classes, address / addresses, process / processes: different -> same
  metric / metrics, topic / topics: same -> same (one_of read every "-ics" word as
  singular, "1 metrics"; it now knows the few fields of study, "analytics")
So "from 10 box to 20 boxes" and "from 1 crisis to 0 crises" are no longer asked
again as two units; no pair that was the same became different."""

from __future__ import annotations

import pytest

from conversations.unit_words import different_units, one_of


@pytest.mark.parametrize(("first", "second"), [
    ("box", "boxes"), ("crisis", "crises"), ("deal", "deals"), ("niche", "niches"),
    ("Deals", "deals"), ("discovery call", "discovery calls"), ("SQL", "SQLs"), ("person", "people"),
    ("opportunity", "opportunities"), ("analysis", "analyses"), ("status", "status"),
    ("class", "classes"), ("address", "addresses"), ("metric", "metrics"), ("topic", "topics"),
    ("analytics", "analytics"),
])
def test_a_unit_and_its_plural_are_one_unit(first: str, second: str) -> None:
    assert not different_units(first, second) and not different_units(second, first)


@pytest.mark.parametrize(("first", "second"), [
    ("deals", "calls"), ("box", "boxers"), ("USD", "EUR"), ("%", "USD"), ("niche", "nich"), ("crisis", "cris"),
    ("analytic", "analytics"), ("news", "new"),
])
def test_different_things_stay_different(first: str, second: str) -> None:
    assert different_units(first, second)


def test_an_end_without_a_unit_takes_the_others() -> None:
    assert not different_units("", "boxes") and not different_units("crises", " ")


def test_the_same_singular_as_a_value_of_one_is_shown_with() -> None:
    """The rule is one: the singular different_units compares is the one "1 box" shows."""
    assert [one_of(u) for u in ("boxes", "crises", "deals", "niches", "metrics", "analytics")] == [
        "box", "crisis", "deal", "niche", "metric", "analytics"]
