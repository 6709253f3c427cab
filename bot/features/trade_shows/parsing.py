"""Reading what people type about trade shows, pure (no I/O, no clock): a lead in one
line from a phone, an event in one line, and a badge scanner's CSV header.

Nothing is guessed: a line without a name is refused with a problem code (the
caller re-asks with an example); a missing company or temperature stays empty and
the confirmation says so.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import available_timezones

from bot.core.markup import clean
from conversations.dates import no_such_day
from conversations.people import EMAIL, find_email

TEMPERATURES = {
    "hot": "hot", "🔥": "hot", "h": "hot", "heiß": "hot", "varm": "warm",
    "warm": "warm", "w": "warm", "☀️": "warm", "☀": "warm", "🙂": "warm",
    "cold": "cold", "c": "cold", "❄️": "cold", "❄": "cold", "🧊": "cold", "kald": "cold",
}
_PHONE = re.compile(r"(?<![\w@])\+?\d[\d\s().-]{5,}\d(?![\w@])")
# Company suffixes a stray comma splits off ("Acme, Inc."): glued back to the company.
_SUFFIXES = {"inc", "inc.", "ltd", "ltd.", "llc", "gmbh", "ag", "as", "asa", "ab", "sa", "s.a.",
             "corp", "corp.", "co", "co.", "plc", "bv", "b.v.", "oy", "kk", "pty ltd"}


# The longest of each field a lead keeps, in characters: every field a lead path
# (a line, the form, a badge-scanner file) stores has one, none longer than its
# column (`storage.models.Lead`: name and company 200, email 320, phone 64, notes
# text). A badge's name and company fit easily; a note is a line from a phone, not a
# meeting's minutes. Longer is refused with the limit, never cut: a cut note would
# lose what mattered, a cut e-mail or phone number would reach someone else.
LIMITS = {"name": 100, "company": 120, "email": 320, "phone": 64, "note": 1000}


@dataclass(frozen=True)
class ParsedLead:
    name: str
    company: str | None = None
    temperature: str | None = None
    note: str | None = None
    email: str | None = None
    phone: str | None = None


def too_long_fields(values: ParsedLead | dict[str, str | None]) -> list[str]:
    """Every field longer than its limit in `LIMITS`, as problem codes
    ("name_too_long", "email_too_long"…), in `LIMITS`' order; [] when all fit.
    `values`: a lead, or a form's fields by name."""
    def get(name: str) -> str | None:
        return values.get(name) if isinstance(values, dict) else getattr(values, name)

    return [f"{name}_too_long" for name, limit in LIMITS.items() if len(get(name) or "") > limit]


def too_long(lead: ParsedLead) -> str | None:
    """The first field longer than its limit in `LIMITS`, as a problem code
    ("name_too_long"…); None when all fit."""
    return next(iter(too_long_fields(lead)), None)


# One-letter abbreviations: also a company ("C", "W") or a person's initial, so a line
# reads one as the temperature only where nothing else could be meant (`parse_lead`).
LETTERS = frozenset({"h", "w", "c"})


def temperature_of(word: str, letters: bool = True) -> str | None:
    """"hot", "🔥", "Warm!" -> the temperature; None when the word is not one. With
    `letters` False the one-letter abbreviations (`LETTERS`: h, w, c) are not one."""
    key = word.strip().strip("!.").lower()
    if not letters and key in LETTERS:
        return None
    return TEMPERATURES.get(key) or TEMPERATURES.get(key.replace("\ufe0f", ""))


def parse_lead(line: str) -> ParsedLead | str:
    """"Jane Roe, Acme Corp, hot, wants a demo in March" -> a lead; the e-mail and the
    phone number are taken wherever they appear. Order: name, then the company (when
    the next part is not the temperature), then anything; the temperature is the
    first part that is one (hot/warm/cold or 🔥/☀️/❄️), the rest is the note.
    A one-letter h/w/c is the temperature only after the company and only when no
    full temperature is typed: "Jane, C, hot" is Jane of company C, hot; "Jane, W"
    is Jane of W; "C, Acme" is a person C; "Jane, Acme, h" is hot. The explicit word
    always wins.
    Returns "missing_name" when there is no name to store, "name_too_long",
    "company_too_long", "email_too_long", "phone_too_long" or "note_too_long" past
    `LIMITS`."""
    text = clean(line).strip()
    email_match = find_email(text)
    email = email_match.group(0) if email_match else None
    if email_match:
        text = text[:email_match.start()] + text[email_match.end():]
    phone_match = _PHONE.search(text)
    phone = " ".join(phone_match.group(0).split()) if phone_match else None
    if phone_match:
        text = text[:phone_match.start()] + text[phone_match.end():]
    parts = [p.strip() for p in re.split(r"[,;\n]", text)]
    if parts and not parts[0]:
        return "missing_name"  # ", Acme, hot": the name was left out, Acme is the company
    parts = [p for p in parts if p]
    if not parts or temperature_of(parts[0], letters=False):
        return "missing_name"
    name, rest = parts[0], parts[1:]
    company: str | None = None
    # the part right after the name is the company, unless it is the temperature or
    # reads as a sentence (longer than a company, or more than four words and nothing after it)
    if rest and not temperature_of(rest[0], letters=False) and len(rest[0]) <= LIMITS["company"] and not (
            len(rest) == 1 and len(rest[0].split()) > 4):
        company = rest.pop(0)
        while rest and rest[0].lower() in _SUFFIXES:
            company = f"{company}, {rest.pop(0)}"
    temperature: str | None = None
    kept: list[str] = []
    letters = not any(temperature_of(part, letters=False) for part in rest)  # a typed word wins
    for part in rest:
        found = temperature_of(part, letters)
        if found and temperature is None:
            temperature = found
        else:
            kept.append(part)
    note = ", ".join(kept) or None
    parsed = ParsedLead(name, company, temperature, note, email, phone)
    return too_long(parsed) or parsed


def lead_from_fields(values: dict[str, str]) -> tuple[ParsedLead | None, dict[str, str]]:
    """A lead from a form's fields (name, company, temperature, email, phone, note),
    held to the same rules as a line: cleaned, a name required, `LIMITS`, a
    temperature that is one, an e-mail that is one. Returns (lead, {}) or (None,
    {field: problem code}) with every field's problem at once."""
    def get(key: str) -> str | None:
        return " ".join(clean(values.get(key) or "").split()) or None

    note = clean(values.get("note") or "").strip() or None
    name, company, email, phone = get("name"), get("company"), get("email"), get("phone")
    typed = get("temperature")
    temperature = temperature_of(typed) if typed else None
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "missing_name"
    if typed and temperature is None:
        problems["temperature"] = "temperature"
    if email and not EMAIL.fullmatch(email):
        problems["email"] = "email"
    if phone and not _PHONE.fullmatch(phone):
        problems["phone"] = "phone"
    for code in too_long_fields({"name": name, "company": company, "email": email, "phone": phone, "note": note}):
        problems[code.removesuffix("_too_long")] = code
    if problems:
        return None, problems
    return ParsedLead(name, company, temperature, note, email, phone), {}  # type: ignore[arg-type]


# --- an event in one line ---------------------------------------------------------------

_DAY = r"\d{4}-\d{2}-\d{2}"
_SEPARATORS = ("..", "/", "–", "—", "-", "to")
_SEP = r"\.\.|/|–|—|-|to"
_RANGE = re.compile(rf"^(?P<first>{_DAY})(?:(?P<sep>{_SEP})(?P<last>{_DAY})?)?$")
_DATEISH = re.compile(rf"^\d{{4}}-\d{{1,2}}(?:-\d{{1,2}})?(?:{_SEP})?")
MAX_EVENT_DAYS = 31  # a longer "event" is a typo in the dates, not a trade show


@dataclass
class ParsedEvent:
    name: str
    starts_on: date
    ends_on: date
    location: str | None
    timezone: str | None
    mentions: list[str] = field(default_factory=list)


def _zones() -> dict[str, str]:
    """City or zone name as people type it -> IANA zone ("new york" -> America/New_York)."""
    found: dict[str, str] = {}
    for name in available_timezones():
        found.setdefault(name.lower(), name)
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        if "/" in name and not name.startswith(("Etc/", "SystemV/")):
            found.setdefault(city, name)
    return found


ZONES = _zones()


def zone_of_place(place: str | None) -> str | None:
    """The zone a venue's city names ("New York" -> America/New_York, "Oslo, Norway"
    -> Europe/Oslo), from the IANA database's city names; None when it names none."""
    if not place:
        return None
    for piece in [place, *re.split(r"[,/]", place)]:
        found = ZONES.get(piece.strip().lower())
        if found:
            return found
    return None


def _join_range(tokens: list[str]) -> list[str]:
    """Glue a range typed with spaces back into one token: `2027-01-12 .. 2027-01-14`,
    `2027-01-12.. 2027-01-14` and `2027-01-12 to 2027-01-14` read as written together."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if re.fullmatch(_DAY, token) and i + 2 < len(tokens) and tokens[i + 1] in _SEPARATORS \
                and re.fullmatch(_DAY, tokens[i + 2]):
            out.append(f"{token}..{tokens[i + 2]}")
            i += 3
            continue
        if re.fullmatch(rf"{_DAY}(?:\.\.|/|–|—|-)", token) and i + 1 < len(tokens) \
                and re.fullmatch(_DAY, tokens[i + 1]):
            out.append(f"{token}{tokens[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def parse_event(args: str) -> ParsedEvent | str:
    """`"NRF 2027" 2027-01-12..2027-01-14 New York @ravi @sam` -> an event; a zone may
    follow the place (`Las Vegas America/Los_Angeles`). One date alone
    (`2027-01-12`) is a one-day event; a range with its end missing (`2027-01-12..`)
    is refused rather than read as one day; "to", "–" or "-" may stand for "..".
    Problem codes: "syntax", "missing_name", "dates" (none, or no day at all),
    "no_such_day:…" (a month's missing day, alone or in a range: "2027-02-29",
    `conversations.dates.NoSuchDay.code`), "open_end", "two_dates" (two dates without
    `..`), "backwards", "too_long" (more than `MAX_EVENT_DAYS`). Whether the event is
    already over is the caller's question (it needs the venue's today)."""
    try:
        tokens = _join_range(shlex.split(args))
    except ValueError:
        return "syntax"
    where = next((i for i, t in enumerate(tokens) if _DATEISH.match(t)), None)
    if where is None:
        return "dates"
    if where == 0 or not clean(" ".join(tokens[:where])).strip():
        return "missing_name"  # also '""' or '"   "': a name of nothing
    match = _RANGE.match(tokens[where])
    if match is None:
        return "dates"
    if match.group("sep") and not match.group("last") or (
            where + 1 < len(tokens) and tokens[where + 1] in _SEPARATORS):
        return "open_end"
    if where + 1 < len(tokens) and _DATEISH.match(tokens[where + 1]):
        return "two_dates"
    try:
        first = date.fromisoformat(match.group("first"))
        last = date.fromisoformat(match.group("last")) if match.group("last") else first
    except ValueError:  # "2027-02-29": say which month is short of it; "2027-13-01": no day
        # (a four-digit year is read as typed, so the "today" handed in is never used)
        missing = [m for text in (match.group("first"), match.group("last")) if text
                   and (m := no_such_day(text, date(2000, 1, 1))) is not None]
        return missing[0].code if missing else "dates"
    if last < first:
        return "backwards"
    if (last - first).days >= MAX_EVENT_DAYS:
        return "too_long"
    rest = tokens[where + 1:]
    mentions = [t for t in rest if t.startswith("@")]
    words = [t for t in rest if not t.startswith("@")]
    zone = None
    if words and "/" in words[-1] and words[-1].lower() in ZONES:
        zone = ZONES[words.pop().lower()]
    location = " ".join(words) or None
    name = " ".join(" ".join(tokens[:where]).split())  # a quoted "NRF  2026 " is "NRF 2026"
    return ParsedEvent(name, first, last, location, zone or zone_of_place(location), mentions)


# --- badge-scanner CSV ------------------------------------------------------------------

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "fullname", "contact", "contact name", "attendee"),
    "first": ("first name", "firstname", "first", "given name"),
    "last": ("last name", "lastname", "last", "surname", "family name"),
    "company": ("company", "company name", "organisation", "organization", "account", "employer"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail"),
    "phone": ("phone", "phone number", "mobile", "telephone", "tel"),
    "temperature": ("temperature", "rating", "lead rating", "priority", "qualification"),
    "note": ("notes", "note", "comments", "comment", "question", "interest"),
    "owner": ("owner", "scanned by", "captured by", "rep", "salesperson", "staff email"),
}


_HEADER_NAMES = frozenset(name for names in HEADERS.values() for name in names)


def header_key(cell: str) -> str:
    """A header cell as `map_headers` compares it: case, spaces and "_" ignored."""
    return " ".join(cell.replace("_", " ").replace("\ufeff", "").split()).lower()


def is_header(cell: str) -> bool:
    """Whether a cell is a column name `map_headers` knows (for sniffing the separator)."""
    return header_key(cell) in _HEADER_NAMES


def map_headers(header: list[str]) -> dict[str, int] | str:
    """Column positions by field, matched by header name (case, spaces, "_" ignored).
    Returns "no_name" when neither a name nor first and last names are found."""
    cleaned = [header_key(h) for h in header]
    found: dict[str, int] = {}
    for field_name, names in HEADERS.items():
        for index, title in enumerate(cleaned):
            if title in names and field_name not in found:
                found[field_name] = index
    if "name" not in found and not ("first" in found or "last" in found):
        return "no_name"
    return found
