"""Which number of a key result's sentence is its target, and which is only a year or a
detail of it: "Close 10 deals worth $500k by June" aims at 10 deals (the $500k says how
big they are), "Close 10 deals by 2027" at 10 deals by 31 December 2027, and "Book 20
demos and 10 trials" at two things, which one key result can't track: that is asked,
never guessed (`measurable` in `conversations.validators` turns it into a re-ask).

Pure, no I/O. Each number keeps the unit written beside it: a currency sign elsewhere
in the sentence no longer turns "10 deals" into $10. The rules, for a sentence with
two amounts or more (after its due date is cut off):
- one amount after "to", "reach", "hit", "by" … is the aim ("take 3 reps to 100%"),
  as `conversations.amounts.parse_amount` has always read it;
- a count first and, after it, only money or percentages brought in by "worth", "of",
  "at", "for", "each", "with" … ("3 deals of $50k each", "5 logos at €20k ACV") is
  the count;
- anything else is two targets: `title_target` returns the amounts for the re-ask.
"""

from __future__ import annotations

import re

from conversations.amounts import (
    AIM,
    COUNT,
    NUMBER,
    normalise,
    parse_amount,
    unit_kind,
)
from conversations.currencies import currency_marks

# A year alone, or its end, after "by" / "in": "by 2027", "by end of 2027", "in the year 2027".
_YEAR = re.compile(r"^\s*(?:the\s+)?(?:(?:end|close)\s+of\s+)?(?:the\s+)?(?:year\s+)?(?P<year>(?:19|20)\d\d)"
                   r"\s*[.!]?\s*$", re.IGNORECASE)
# Words that bring in a detail of a counted target: its size, value or price.
_DETAIL = re.compile(r"\b(?:worth|of|at|for|each|with|valued(?:\s+at)?|averaging|avg|totall?ing|in)\s*$|@\s*$",
                     re.IGNORECASE)
_GAP = re.compile(r"^[\s\-]*$")

Amounts = list[tuple[float, str]]


def year_end(said: str) -> str:
    """A due date written as a year ("2027", "end of 2027") as the date reader reads its
    last day ("end of year 2027" -> 31 December 2027); any other text as it is."""
    found = _YEAR.match(said)
    return f"end of year {found.group('year')}" if found else said


def _blanked(text: str) -> str:
    """`text` with every currency mark turned to spaces of its length, so the numbers'
    places stay those of `text`."""
    for mark, _ in currency_marks(text):
        text = text[: mark.start()] + " " * (mark.end() - mark.start()) + text[mark.end():]
    return text


def _pieces(text: str, decimal: str | None) -> list[tuple[str, float, str]]:
    """Each number of `text` as (the words before it, value, unit): the sentence cut
    before each number and before a currency mark written right before it ("$500k",
    "PLN 500k"), so each piece reads its own unit. Raises AmbiguousNumber."""
    marks = [mark for mark, _ in currency_marks(text)]
    numbers = list(NUMBER.finditer(_blanked(text)))
    cuts = [0]
    for number in numbers[1:]:
        cut = number.start()
        for mark in marks:
            if mark.end() <= cut and _GAP.match(text[mark.end():cut]):
                cut = min(cut, mark.start())
        cuts.append(cut)
    found: list[tuple[str, float, str]] = []
    for i, cut in enumerate(cuts):
        read = parse_amount(text[cut: cuts[i + 1] if i + 1 < len(cuts) else len(text)], decimal)
        if read is None:
            continue
        before = text[numbers[i - 1].end(): cut] if i else text[: numbers[0].start()]
        found.append((before, *read))
    return found


def title_target(body: str, decimal: str | None = None) -> tuple[float, str] | Amounts | None:
    """The target of a key result's sentence (its due date cut off) as (value, unit);
    None without a number; a list of the amounts when it names two targets or more
    (see the module docstring). Raises AmbiguousNumber as `parse_amount` does."""
    text = normalise(body)
    if len(list(NUMBER.finditer(_blanked(text)))) < 2:
        return parse_amount(body, decimal)
    pieces = _pieces(text, decimal)
    if len(pieces) < 2:
        return (pieces[0][1], pieces[0][2]) if pieces else None
    aimed = [p for p in pieces if AIM.search(p[0])]
    if len(aimed) == 1:
        return aimed[0][1], aimed[0][2]
    first, rest = pieces[0], pieces[1:]
    counted = bool(first[2]) and unit_kind(first[2]) == COUNT
    if counted and all(unit_kind(unit) != COUNT and _DETAIL.search(before) for before, _, unit in rest):
        return first[1], first[2]
    return [(value, unit) for _, value, unit in pieces]
