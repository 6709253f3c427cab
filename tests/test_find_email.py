"""`conversations.people.find_email` searches only around each "@", so a long line
costs a pass over it (the pattern alone backtracked over long runs of word characters:
2.5 s for 40,000, on every `/okr status …` and lead line). It finds what the plain
search found, wherever the address stands."""

from __future__ import annotations

import re

import pytest

from conversations.people import EMAIL, find_email, find_person

PEOPLE = [{"id": 1, "name": "Ravi Rep", "email": "ravi@example.com"}]


@pytest.mark.parametrize("text", [
    "ravi@example.com", "@ravi@example.com", "hi ravi.rep+x@ex.co.uk.", "no address here", "a@b",
    "x" * 30_000 + " ravi@example.com tail", "Zq" * 20_000 + "@example.com", "@" + "Zq" * 20_000,
    "two: first@a.io then second@b.io", "o'brien@example.ie", "@@@ a@b.c",
])
def test_it_finds_what_the_whole_pattern_finds(text: str) -> None:
    found = find_email(text)
    plain = EMAIL.search(text) if len(text) < 1_000 else None
    if len(text) < 1_000:
        assert (found and found.group(0)) == (plain and plain.group(0))
    assert found is None or re.fullmatch(EMAIL, found.group(0))


def test_a_long_line_still_names_the_person_by_their_address() -> None:
    assert find_person("please add " + "x" * 30_000 + " ravi@example.com", PEOPLE) == PEOPLE[0]
    assert find_person("Zq" * 20_000, PEOPLE) is None
