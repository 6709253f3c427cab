"""When two leads of an event are the same person, and what their merge keeps: one
meaning for every way a lead comes in (a line, the form, a badge-scanner file).

Pure Python, no SQL: no database folds accents or punctuation alike (SQLite's
lower() is ASCII only), so names are compared here. `storage.trade_shows` reads
the rows; `Duplicates` matches a whole file against its event in memory.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from storage.models import Lead

# Legal-form words that do not tell two companies apart ("Acme Corp." is "ACME"),
# dropped from the end of a company name for the duplicate check only.
LEGAL_FORMS = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp", "lp",
    "plc", "gmbh", "mbh", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "oyj",
    "ab", "as", "asa", "aps", "kk", "pty", "pte", "pvt", "sl", "sro"})
_DROPPED = re.compile("[.'\u2019\u02bc]")  # "S.A." is "SA", "O'Brien" is "OBrien"
_APART = re.compile(r"[\W_]+")  # any other punctuation, symbol or space: a word break
# A merge keeps the hottest temperature: a later, cooler scan of the same badge (a
# colleague's quick "cold" at the stand) does not cool a lead someone rated hot.
HEAT = {"cold": 1, "warm": 2, "hot": 3}


@functools.lru_cache(maxsize=1 << 16)  # each capture re-reads its event's names: computed once each
def match_key(text: str | None, company: bool = False) -> str:
    """A name as the duplicate check compares it: accents dropped (Unicode NFKD
    without combining marks), case folded, punctuation read as a space (dots and
    apostrophes dropped), spaces collapsed; for a company, legal forms at its end
    removed ("Acme Corp." = "ACME corp" = "Acme, Inc." = "acme"), unless that would
    leave nothing. What was typed is stored and shown unchanged."""
    plain = text or ""
    if not plain.isascii():
        plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    words = _APART.sub(" ", _DROPPED.sub("", plain.casefold())).split()
    while company and len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def email_key(email: str | None) -> str:
    """An e-mail as the duplicate check compares it (any case, spaces around ignored);
    "" for none, which matches nothing."""
    return (email or "").strip().casefold()


def same_lead(name: str, company: str | None, email: str | None,
              other_name: str, other_company: str | None, other_email: str | None) -> bool:
    """The same e-mail (any case), or the same person at the same company as
    `match_key` reads them."""
    wanted = email_key(email)
    return bool(wanted and email_key(other_email) == wanted) or (
        match_key(name) == match_key(other_name) and match_key(company, True) == match_key(other_company, True))


def hotter(first: str | None, second: str | None) -> str | None:
    """The hotter of two temperatures (hot > warm > cold > none)."""
    return first if HEAT.get(first or "", 0) >= HEAT.get(second or "", 0) else second


def merge_into(found: Lead, lead: Lead) -> None:
    """Merge a new capture into its duplicate `found` (changed in place): the notes of
    both kept (a note already there is not repeated), empty fields filled, the hottest
    temperature kept (`HEAT`); owner, status and deadline are `found`'s."""
    if lead.notes and lead.notes not in (found.notes or ""):
        found.notes = f"{found.notes}\n{lead.notes}" if found.notes else lead.notes
    found.company = found.company or lead.company
    found.email = found.email or lead.email
    found.phone = found.phone or lead.phone
    found.temperature = hotter(found.temperature, lead.temperature)


class Duplicates:
    """The leads of one event indexed by e-mail and by (person, company) keys, so a
    file of thousands of rows is matched against its event (and its own earlier rows)
    in memory, as `find_duplicate` matches one capture: the first lead in the order
    they were added that `same_lead` accepts."""

    def __init__(self, leads: Iterable[Lead] = ()) -> None:
        self._rank: dict[int, int] = {}  # id(lead) -> order added
        self._by_email: dict[str, list[Lead]] = {}
        self._by_person: dict[tuple[str, str], list[Lead]] = {}
        for lead in leads:
            self.add(lead)

    def add(self, lead: Lead) -> None:
        """Index a lead, or index it again after a merge changed its e-mail or company
        (its first place in the order is kept)."""
        self._rank.setdefault(id(lead), len(self._rank))
        keys = [(self._by_email, email_key(lead.email))] if email_key(lead.email) else []
        keys.append((self._by_person, (match_key(lead.name), match_key(lead.company, True))))  # type: ignore[arg-type]
        for index, key in keys:
            bucket = index.setdefault(key, [])  # type: ignore[attr-defined]
            if not any(other is lead for other in bucket):
                bucket.append(lead)

    def find(self, name: str, company: str | None, email: str | None) -> Lead | None:
        wanted = email_key(email)
        candidates = [*(self._by_email.get(wanted, []) if wanted else []),
                      *self._by_person.get((match_key(name), match_key(company, True)), [])]
        still = [c for c in candidates if same_lead(name, company, email, c.name, c.company, c.email)]
        return min(still, key=lambda c: self._rank[id(c)], default=None)
