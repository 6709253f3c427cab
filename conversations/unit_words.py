"""The words of a unit: which three-letter words are currencies, and where the unit
phrase after a number ends ("40 discovery calls by March": "discovery calls").

Pure, no I/O (babel's currency list is read once, when first asked). Kept apart from
`conversations.amounts` so the number reading there stays one module, and from
`conversations.counts`, which judges whether an answer's words are a key result's unit.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Where a unit phrase ends in a key result's sentence: "40 discovery calls by March",
# "6 meetings a week", "20 deals in Q2", "10 logos each quarter".
_STOP = {"by", "before", "in", "per", "a", "an", "each", "every", "to", "for", "from", "on", "at", "with",
         "and", "or", "the", "this", "next", "until", "till", "within", "over", "during", "of", "than",
         "weekly", "monthly", "quarterly", "daily", "yearly", "annually", "total", "ytd", "so", "across",
         "that", "which", "via", "through", "while", "after", "is", "are", "be", "as", "into", "worth",
         "valued", "averaging", "totalling", "totaling"}
# Words before the counted thing that don't change what is counted: "12 new logos" is
# stored in "logos" (as it was before multi-word units).
_LEADING = re.compile(r"^(?:new|more|additional|extra|qualified|net|big)\s+(?=[a-z])", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w\-]*$")
MAX_WORDS = 3  # "qualified discovery calls"; a longer tail is a sentence, not a unit


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    from babel.numbers import list_currencies  # babel's ISO 4217 list (CLDR), loaded on first use

    return frozenset(list_currencies())


def is_currency_code(word: str | None) -> bool:
    """Whether `word` is an ISO 4217 currency code ("USD", "NOK", "JPY") by babel's list;
    "FTE", "SQL" and "NPS" are three capitals but no currency, so they are counts or
    scores, never money."""
    return bool(word) and len(word or "") == 3 and str(word).isupper() and str(word) in _iso_codes()


@lru_cache(maxsize=64)
def currency_digits(code: str) -> int:
    """How many decimals an amount in the ISO 4217 currency `code` is written with, its
    minor unit by babel's CLDR data: 2 for USD, EUR, NOK and SEK, 0 for JPY and ISK, 3
    for KWD; 2 for a code babel does not know."""
    from babel.numbers import get_currency_precision  # CLDR's currency data, loaded on first use

    return int(get_currency_precision(code))


# Three capitals standing alone or after an amount ("500k PLN", "PLN 500k", "5kHUF").
_CAPS = re.compile(r"(?:(?<![^\W\d_])|(?<=\d[kmbKMB]))[A-Z]{3}(?![^\W\d_])")


def three_decimals(text: str, unit: str = "") -> str:
    """`text` with the dot of a lone "1.234" made a decimal point for sure when the
    amount's currency (named in `text`, or the key result's stored `unit`) is written
    with three decimals: KWD, BHD, OMR, JOD, TND, LYD, IQD (`currency_digits`). That is
    how coachbot shows those amounts ("1.234 KWD", the dot of those countries' own
    usage); read as anywhere else, "1.234" reads two ways, and the re-ask's example was
    the very text typed. The dot becomes the Arabic decimal separator U+066B, which
    `conversations.amounts` reads one way only; "1.234.567" and "1,234.500" are left
    as they are. Any other text is returned unchanged."""
    codes = ([unit] if unit else []) + _CAPS.findall(text)
    if not any(is_currency_code(code) and currency_digits(code) == 3 for code in codes):
        return text
    return _LONE_THREE.sub("\\1\u066b\\2", text)


_LONE_THREE = re.compile(r"(?<![\d.,])(\d{1,3})\.(\d{3})(?![\d.,])")


# Codes that are far more often an English word in capitals ("TOP 10 accounts", "ALL 5
# reps") or a test code than money; the stored-unit check (`is_currency_code`) still knows them.
_WORDS = {"ALL", "TOP", "CUP", "MAD", "SOS", "TRY", "GEL", "BAM", "XXX", "XTS"}


def iso_codes_in(text: str) -> list[re.Match[str]]:
    """Every ISO 4217 code babel lists written in capitals in `text` ("PLN", "HUF", "KES"),
    so a currency beyond the bot's own list is money, not a unit word "pln". Lower case
    is left alone ("all", "top" and "try" are codes too), and so are `_WORDS`."""
    return [m for m in _CAPS.finditer(text) if m.group(0) not in _WORDS and is_currency_code(m.group(0))]


# An acronym as a unit: two to four capitals, perhaps with a plural "s" ("FTE", "NPS",
# "SQLs", "ARR", "CSAT"). Kept as typed; every other word is stored in lower case.
_ACRONYM = re.compile(r"^[A-Z]{2,4}s?$")


def unit_word(word: str) -> str:
    """A unit word as it is kept and shown: an acronym keeps its capitals ("FTE",
    "NPS", "SQLs"), any other word is lower case ("Deals" -> "deals"). A currency code
    babel lists ("TRY", "ALL") that was not read as money is a word: lower case, so a
    stored unit never turns into a currency later."""
    if _ACRONYM.match(word) and not is_currency_code(word.rstrip("s") if word.endswith("s") else word):
        return word
    return word.lower()


def unit_phrase(after: str) -> str:
    """The unit written after a key result's number (lower case, acronyms as typed:
    `unit_word`): the words up to a stop
    word ("by", "before", "in", "per", "a", "each" …) or a mark, at most `MAX_WORDS`,
    a leading "new" / "more" / "qualified" … dropped: " discovery calls by March" ->
    "discovery calls", " new logos" -> "logos", " %" -> "" (percent is read first by the
    caller). "" when no word follows."""
    text = _LEADING.sub("", after.strip()).replace("/", " / ")  # "calls/week": the unit is "calls"
    words: list[str] = []
    for token in text.split():
        clean = token.rstrip(".,;:!?)")
        if not _WORD.match(clean) or clean.lower() in _STOP or len(words) == MAX_WORDS:
            break
        words.append(unit_word(clean))
        if clean != token:  # "calls, then …": the mark ends the phrase
            break
    return " ".join(words)[:32]


def split_words(after: str, filler: re.Pattern[str]) -> tuple[str, str] | None:
    """An answer's words after its number as (unit phrase, the rest), the rest being
    harmless words that `filler` accepts ("5 deals closed so far": ("deals closed",
    "so far")), a leading "new" / "more" … dropped as `unit_phrase` drops it. The
    shortest phrase wins, so "5 in total" has no unit. None when no split leaves
    only filler ("5 x", "5 deals, 6 calls")."""
    tokens = after.strip().rstrip(".!").split()
    for size in range(len(tokens) + 1):
        phrase, rest = tokens[:size], " ".join(tokens[size:])
        if size and (not _WORD.match(phrase[-1]) or size > MAX_WORDS + 2):
            return None
        if filler.match(rest):
            return _LEADING.sub("", " ".join(unit_word(w) for w in phrase))[:60], rest
    return None


def different_units(first: str, second: str) -> bool:
    """True when both ends of a "from X to Y" pair name a unit and not the same one:
    two currencies ("$100k" USD, "€200k" EUR), a percentage and money, or two counted
    things ("10 deals", "20 calls"). One goal is counted in one unit, so such a pair is
    asked again rather than read in either. An end without a unit ("from 1.2M to
    $1.5M") takes the other's. A unit and its plural are one unit, by the singular
    the rest of coachbot uses (`one_of`): "deal" and "deals", "box" and "boxes",
    "crisis" and "crises", "niche" and "niches", whatever the case."""
    def singular(unit: str) -> str:
        return one_of(" ".join(unit.split())).casefold()
    return bool(first.strip() and second.strip()) and singular(first) != singular(second)


# Plurals that don't drop an "s" ("people"), and words that end in one without being
# plural ("status", "analysis", "business", "analytics", "news", "series").
_IRREGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child", "feet": "foot",
              "analyses": "analysis", "crises": "crisis", "theses": "thesis", "hypotheses": "hypothesis",
              "diagnoses": "diagnosis", "criteria": "criterion", "phenomena": "phenomenon"}
# Singulars in "-che", whose plural "-ches" reads like "pitches" but keeps the "e"
# (an inflection library knows them all, but took 2 s to import: startup counts).
_CHE = ("niche", "cache", "cliche", "cliché", "headache", "avalanche", "moustache", "mustache",
        "creche", "crèche", "quiche", "psyche", "microniche", "tranche")
_NOT_PLURAL = re.compile(r"(?:ss|us|is|news|series|species)$", re.IGNORECASE)
# Fields of study in "-ics" are singular ("analytics"); other "-ics" words are plurals
# of an "-ic" ("metrics", "topics", "clinics": "1 metric", and "metric" is "metrics").
_ICS = re.compile(r"(?:analytics|economics|logistics|physics|mathematics|ethics|politics|electronics|"
                  r"athletics|robotics|semantics|genetics|linguistics|optics|acoustics|aesthetics|"
                  r"dynamics|mechanics|ergonomics|forensics|informatics|diagnostics|telematics)$", re.IGNORECASE)


def one_of(unit: str) -> str:
    """The unit as it reads after a value of exactly 1: its last plural word made
    singular ("deals" -> "deal", "discovery calls" -> "discovery call", "deals closed"
    -> "deal closed", "opportunities" -> "opportunity", "SQLs" -> "SQL", "people" ->
    "person", "hours" -> "hour"). A unit with no plural word is returned as it is
    ("FTE", "NPS", "ARR", "revenue", "%"); money and "%" never reach here
    (`prompts.format_amount` writes them). English only, by a few rules and a small
    table: coachbot's units are the sales words it stores (`unit_phrase`)."""
    words = unit.split(" ")
    for at in range(len(words) - 1, -1, -1):
        found = _singular(words[at])
        if found != words[at]:
            return " ".join(words[:at] + [found] + words[at + 1:])
    return unit


def _singular(word: str) -> str:
    """`word` made singular, or `word` itself when it does not read as a plural."""
    lower = word.lower()
    if lower in _IRREGULAR:
        return word[0] + _IRREGULAR[lower][1:] if word[:1].isupper() else _IRREGULAR[lower]
    if _ACRONYM.match(word):  # "SQLs" -> "SQL"; "NPS" and "ARR" are no plurals
        return word[:-1] if word.endswith("s") else word
    if len(lower) < 3 or not lower.endswith("s") or _NOT_PLURAL.search(lower) or _ICS.search(lower) \
            or not lower.isalpha():
        return word
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y"  # opportunities
    if lower.endswith("ches") and lower[:-1].endswith(_CHE):
        return word[:-1]  # niches, caches, headaches: the singular keeps its "e"
    if lower.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]  # addresses, boxes, pitches, coaches, pushes
    return word[:-1]
