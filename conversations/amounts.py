"""Numbers and amounts as sellers type them: "1,234.5", "1 234,5", "$250k", "25%",
"12 logos", "₹1.2 crore", "₹5,00,000", "1,5 Mio. €".

Pure functions, no I/O. One reading for every feature: a goal-setting answer, a key result, a
WIG ("from $1.2M to $1.5M") and a lead measure all store the same value and unit for the same
text. Units are an ISO 4217 currency code for money ("USD"), "%" for a percentage (0-100, not
a fraction), words for counts, lower case but acronyms as typed ("logos", "FTE"), or "".

Scale words are the ones sellers use: k/thousand/Tsd (10³), m/mm/mn/Mio/million (10⁶), b/bn/Mrd/
billion (10⁹), lakh/lac (10⁵), crore/cr (10⁷). Grouping: "500,000", "5,00,000", spaces, dots or apostrophes.
`read_amount` reads a whole answer and names what it could not read (a range, two
numbers, words it does not know) instead of keeping the first numeral.

The decimal mark is the person's (`conversations.locales.decimal_mark`: "." in the
US, India or the UK, "," in Germany, France or Brazil), handed in as `decimal`. It
decides the readings a number can have. One separator and three digits ("1,500",
"1.500") is a thousands group when that separator is the person's grouping mark
("1,500" in the US, "1.500" in Germany); when it is their decimal mark, the bot's
English way of writing and their locale disagree, so it is asked about, as it is
when no mark is known (None). "1,5" is a decimal only where "," is the decimal mark;
elsewhere it may be a slip for "1.5" or "15" and is asked about. `AmbiguousNumber` /
"ambiguous_number" carries both readings for the re-ask's example. "1.5" reads 1.5
everywhere (no one groups thousands that way), and so do numbers whose form leaves
one reading ("1,234,567", "1.234,5", "1 234,5", "5,00,000", "0.250").

Digits of other scripts ("٥٠٠٠", "५००", full-width "５") are read as the same digits
on purpose (`normalise`); a superscript after a digit is a power ("10⁶") and a vulgar
fraction a fraction ("3½"). Any other character that stands for a number without
being a decimal digit ("²" alone, "①", "⑫", "₅", "⅒") is refused ("unreadable"), not
turned into digits. Arabic marks are certain: "٫" is a decimal mark, "٬" a thousands
mark ("١٬٥٠٠٫٥" is 1500.5); so are apostrophes between groups of three ("1'500",
Swiss "1’500"): no locale writes a decimal that way. A hyphen or an en dash before a
number is a minus, like "−" ("–5" is -5).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Context, Decimal

from conversations.currencies import SYMBOLS, currency_marks, find_currency
from conversations.locales import ODD, mark_odd_digits, without_format_marks
from conversations.unit_words import is_currency_code, split_words, unit_phrase

_SCALE = {"k": 3, "thousand": 3, "thousands": 3, "tsd": 3,
          "m": 6, "mm": 6, "mn": 6, "mio": 6, "million": 6, "millions": 6,
          "b": 9, "bn": 9, "mrd": 9, "billion": 9, "billions": 9,
          "lakh": 5, "lakhs": 5, "lac": 5, "lacs": 5, "crore": 7, "crores": 7, "cr": 7}  # powers of ten
# Numbers are read as exact decimals and scaled by moving the point, never multiplied as
# floats: "1.0050k" is 1005, not 1004.9999999999999. The context is wide enough for any
# typed answer (a power "10^99" included); one past float's range is refused as before.
_EXACT = Context(prec=1000, Emax=100_000, Emin=-100_000)
_SCALES = "|".join(sorted(_SCALE, key=len, reverse=True))
_GROUPING = "\\s'\u2019\u066c\u00a0\u202f"  # spaces, apostrophes (Swiss "1’500"), Arabic "٬"
NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d[\d" + _GROUPING + r",.\u066b]*\d|\d)"
    r"(?:(?P<exp>[eE][+-]?\d{1,2}|\s*\^\s*\d{1,2})(?![\w.,]))?"
    r"(?:\s*(?P<scale>" + _SCALES + r")\b\.?)?",
    re.IGNORECASE,
)
# Letters or digits glued to a number, no scale, currency or unit: "5k5", "5kk", "1e", "0x10" are asked again.
_GLUED = re.compile(r"^(?:[a-z]{1,2}(?![a-z])|[a-z]+\d)", re.IGNORECASE)
_FRACTIONS = "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"
_FRACTION = re.compile(rf"(?<!\d)(\d*)\s?([{_FRACTIONS}])")  # "3½"; tried once per digit run, not per digit
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_MINUS = re.compile(r"(?<![\w\-.,])-\s*$")  # not the hyphen of "40-50k", "Q1-5" or "--5"


def normalise(text: str) -> str:
    """The same text with every way of writing a digit or a minus made plain, so one
    reading covers them: full-width and other scripts' digits ("５０００", "٥٠٠٠"),
    full-width signs ("＄", "％"), the minus sign "−", vulgar fractions ("3½" -> "3.5")
    and superscript powers ("10⁶" -> "10^6", not "106" as NFKC alone would make it).
    Other numeric characters ("²" alone, "①", "⑫", "₅") become U+FFFD, which every reader
    refuses; "‐5", "–5" are minus signs like "−"; digit runs past 15 stay as typed; direction marks go."""
    text = re.sub(r"(?<=\d)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "^" + m.group(1).translate(_SUPERSCRIPT), text)
    text = _FRACTION.sub(lambda m: m.group(0) if len(m.group(1)) > 15 else  # too long: left for the length check
                         f"{int(m.group(1) or 0) + unicodedata.numeric(m.group(2)):.6g}", text)
    text = mark_odd_digits(without_format_marks(text))  # "5\u200f000" is 5000
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<![\w.,])\.(?=\d)", "0.", text)  # ".5" is 0.5
    text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)
    return re.sub("[\u2212\u2012\u2010\u2011\u2013]", "-", text)


_SPACED = re.compile(r"\d{1,3}(?:[" + _GROUPING + r"]\d{3})+(?:[.,\u066b]\d+)?")
_INDIAN = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?")


class AmbiguousNumber(ValueError):
    """A number whose separator reads two ways for this person ("1,500", "1,5"):
    `decimal` and `grouped` are its two readings (`grouped` None when no thousands
    grouping fits, as in "1,5")."""

    def __init__(self, token: str, decimal: float, grouped: float | None) -> None:
        super().__init__(token)
        self.token, self.decimal, self.grouped = token, decimal, grouped


def _scaled(match: re.Match[str], decimal: str | None = None) -> Decimal | None:
    """The exact number a match names: grouping read, a power ("1e9", "1.5E3",
    "10^6") and a scale word ("k", "lakh") applied in decimal arithmetic (a power of
    ten moves the point: "1.005k" is exactly 1005); None when it is past what a
    float holds. Raises AmbiguousNumber (see the module docstring)."""
    value = _to_decimal(match.group("num"), decimal)
    if value is None:
        return None
    if (exp := match.group("exp")) is not None:
        exp = re.sub(r"\s", "", exp)
        power = int(exp[1:])
        if exp[0] in "eE":
            value = value.scaleb(power, _EXACT)
        else:  # "10^6"; "0^0" is 1, as it always read
            value = _EXACT.power(value, power) if value or power else Decimal(1)
    if match.group("scale"):
        value = value.scaleb(_SCALE[match.group("scale").lower()], _EXACT)
    return value if math.isfinite(float(value)) else None  # 400 digits: no amount anyone means


def _sign(plain: str, match: re.Match[str]) -> int:
    """-1 for a number written negative: a minus right before it ("-5k", "$-5k",
    "-$5k", "from -3 to 2"; not the hyphen of "40-50k" or "Q1-5") or accounting
    brackets around it ("(5,000)", "$(5,000)"); else 1."""
    before, after = plain[: match.start()], plain[match.end():]
    if _MINUS.search(before):
        return -1
    return -1 if re.search(r"\(\s*$", before) and re.match(r"\s*\)", after) else 1


def _signed(value: Decimal, sign: int) -> float:
    """`value` with its sign as the nearest float, never -0.0: "-0", "(0)" and "-$0"
    are plain 0, so a zero is stored, compared and shown ("0", not "-0") the same
    however it was typed."""
    return float(value) * sign + 0.0


def _glued(plain: str, match: re.Match[str]) -> bool:
    """Whether letters or digits stick to the number without being part of it."""
    end = match.end()
    return not match.group("scale") and end < len(plain) and bool(_GLUED.match(plain[end:]))


def parse_number_text(raw: str, decimal: str | None = None) -> float | None:
    """"1,234.5" / "1 234,5" / "1.234.567" / "2k" / "5,00,000" -> float; None if no number.

    Thousands separators are recognised by position: a separator followed by exactly
    three digits, repeated, is grouping (or Indian lakh grouping, "12,34,567"); a
    single "," or "." followed by one or two digits (or any other count than three) is
    the decimal mark; where that depends on the person's `decimal` mark it raises
    `AmbiguousNumber`. The float is the nearest to the exact value (`parse_decimal_text`):
    "1.0050k" is 1005.0. Use `read_amount` where text after the number matters.
    """
    exact = parse_decimal_text(raw, decimal)
    return None if exact is None else _signed(exact, 1)


def parse_decimal_text(raw: str, decimal: str | None = None) -> Decimal | None:
    """As `parse_number_text`, the exact decimal value ("1.0050k" -> Decimal("1005.0000"),
    "-2.5M" -> Decimal("-2500000")); a minus zero is plain zero. Raises AmbiguousNumber."""
    _, raw = find_currency(normalise(raw))  # "-$5k": the minus is the number's, past the "$"
    match = NUMBER.search(raw)
    if match is None or ODD in raw:
        return None
    value = _scaled(match, decimal)
    if value is None or _glued(raw, match):
        return None
    return value.copy_negate() if _sign(raw, match) < 0 and value else value


def _to_decimal(token: str, decimal: str | None = None) -> Decimal | None:
    """The exact value of a number's digits and marks (see `parse_number_text`); the
    readings an AmbiguousNumber carries are the nearest floats."""
    token = token.strip()
    spaced = bool(re.search(f"[{_GROUPING}]", token))
    if spaced:
        if not _SPACED.fullmatch(token):
            return None  # "40 50" is two numbers, not 4050
        token = re.sub(f"[{_GROUPING}]", "", token)
    if "\u066b" in token:  # the Arabic decimal mark: no other reading
        whole, _, tail = token.partition("\u066b")
        if "\u066b" in tail or not whole.isdigit() or not tail.isdigit():
            return None
        return Decimal(f"{whole}.{tail}")
    if _INDIAN.fullmatch(token):
        return Decimal(token.replace(",", ""))
    separators = [c for c in token if c in ",."]
    if not separators:
        return Decimal(token)
    last = max(token.rfind(","), token.rfind("."))
    tail = token[last + 1 :]
    if len(set(separators)) == 2 or spaced:
        # both kinds, or grouped by spaces ("1 234,5"): the last mark is the decimal one
        whole = re.sub(r"[,.]", "", token[:last])
        as_decimal = Decimal(f"{whole}.{tail}")
        if spaced and len(tail) == 3 and token[last] != decimal:
            # "1 500,500": a decimal, or a third group? Only the person's decimal mark says
            raise AmbiguousNumber(token, float(as_decimal), float(whole + tail))
        return as_decimal
    groups = re.split(r"[,.]", token)
    if len(separators) > 1:  # "1,234,567": only grouping reads it
        return Decimal("".join(groups)) if all(len(g) == 3 for g in groups[1:]) else None
    mark, head = separators[0], groups[0]
    as_decimal = Decimal(f"{head}.{tail}")
    if len(tail) == 3 and len(head) <= 3 and not head.startswith("0"):  # "1,500" / "1.500"; "0.250" is no group
        if decimal is not None and mark != decimal:  # the person's grouping mark: "1,500" in the US
            return Decimal(head + tail)
        raise AmbiguousNumber(token, float(as_decimal), float(head + tail))
    if mark == "," and decimal != ",":  # "1,5" where "," is no decimal mark: a slip for 1.5 or 15?
        raise AmbiguousNumber(token, float(as_decimal), None)
    return as_decimal


def currencies_in(text: str) -> set[str]:
    """Every currency named in `text` ("$5k or €4k" -> {"USD", "EUR"})."""
    return {code for _, code in currency_marks(normalise(text))}


AIM = re.compile(r"\b(?:to|by|reach|hit|at least|over)\s*$", re.IGNORECASE)


def parse_amount(body: str, decimal: str | None = None) -> tuple[float, str] | None:
    """The number in `body` with its unit: "12 logos" -> (12, "logos"), "$250k" ->
    (250000, "USD"), "25%" -> (25, "%"), "1.2M" -> (1200000, ""); None without a
    number. When several numbers appear, the one after "to", "by", "reach", "hit" …
    is the aim ("grow from 20 to 25 deals" -> 25). `several_numbers` says whether
    the other numbers in a sentence leave the aim in doubt. A minus or accounting
    brackets keep their sign ("cut churn to -5%" -> -5): the caller decides whether
    a negative makes sense. Letters glued to the number that are no unit ("5k5",
    "1x") make it unreadable (None) rather than a unit. A separator that reads two
    ways for the person's `decimal` mark raises AmbiguousNumber."""
    code, plain = find_currency(normalise(body))
    matches = list(NUMBER.finditer(plain))
    if not matches or ODD in plain:
        return None
    aimed = [m for m in matches if AIM.search(plain[: m.start()])]
    match = aimed[-1] if aimed else matches[0]
    value = _scaled(match, decimal)
    if value is None or _glued(plain, match):
        return None
    sign, after = _sign(plain, match), plain[match.end():]
    bracket = sign < 0 and not _MINUS.search(plain[: match.start()])  # "(30) deals": the unit after ")"
    return _signed(value, sign), _unit_after(re.sub(r"^\s*\)", "", after) if bracket else after, code)


_PERCENT = re.compile(r"\s*(?:%|percent\b|per\s*cent\b|pct\b)", re.IGNORECASE)


def _unit_after(after: str, code: str | None) -> str:
    if code is not None:
        return code
    if _PERCENT.match(after):
        return "%"
    return unit_phrase(after)  # "discovery calls" of "40 discovery calls by March"


# --- a whole answer, strictly ---------------------------------------------------------

MONEY, PERCENT, COUNT = "money", "percent", "count"


def unit_kind(unit: str | None) -> str:
    """What a stored unit measures: "money" (an ISO code, or a bare symbol stored before
    codes were used), "percent", or "count" (a word such as "logos", or none)."""
    if unit == "%":
        return PERCENT
    if unit and (unit in SYMBOLS.values() or is_currency_code(unit)):  # babel's ISO list: "FTE" is no money
        return MONEY
    return COUNT


@dataclass(frozen=True)
class Amount:
    """One number read from a whole answer: value (scale applied), unit as stored
    (ISO code, "%", a count word or ""), and `currency` when one was named. `exact`
    is the number as typed, in decimal (the float `value` is its nearest: typed
    "4.0000000000000001" is the float 4.0, yet no whole number)."""

    value: float
    unit: str
    currency: str | None = None
    exact: Decimal | None = field(default=None, compare=False, repr=False)

    @property
    def whole(self) -> bool:
        """Whether the number as typed is a whole one (read from `exact`, not the float)."""
        return self.exact.as_integer_ratio()[1] == 1 if self.exact is not None else float(self.value).is_integer()

    @property
    def kind(self) -> str:
        return unit_kind(self.unit)


_HEDGE = re.compile(r"^\s*(?:about|around|roughly|approx\.?|approximately|circa|ca\.?|c\.|~|≈|nearly|almost)\s*",
                    re.IGNORECASE)
# Words that may follow an amount without changing it.
_FILLER = re.compile(r"^(?:or so|ish|-ish|approx\.?|roughly|total|in total|overall|per year|a year|per annum|"
                     r"p\.?a\.?|annually|yearly|this year|ytd|so far|exactly|flat|only)?$", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(?:-|–|—|to|and|till|until)\s*$", re.IGNORECASE)
_ALTERNATIVE = re.compile(r"^\s*(?:or|,|or maybe|maybe)\s*$", re.IGNORECASE)
_RATIO = re.compile(r"^\s*(?:in|out of|of|/|per|every)\s*$", re.IGNORECASE)


def second_number_problem(text: str) -> str | None:
    """Why a text with two numbers can't be one value: "range" ("40-50k", "40 to
    50k"), "alternatives" ("3 or 4"), "ratio" ("1 in 4", "1 out of 4") or
    "several_numbers"; None with fewer than two numbers."""
    _, plain = find_currency(normalise(text))
    found = list(NUMBER.finditer(plain))
    if len(found) < 2:
        return None
    between = plain[found[0].end():found[1].start()]
    if not between.strip() and found[0].group("scale") is None and plain[found[0].end() - 1] in "-–—":
        between = "-"
    for code, pattern in (("range", _RANGE), ("alternatives", _ALTERNATIVE), ("ratio", _RATIO)):
        if pattern.match(between):
            return code
    return "several_numbers"


def read_amount(raw: str, *, words: bool = False, decimal: str | None = None) -> Amount | str:
    """A whole answer as one amount, or a problem code for the re-ask: "no_number",
    "unreadable" (digits that don't form a number, or a number sign that is no digit:
    "²", "①"), "ambiguous_number" (a separator
    the person's `decimal` mark leaves two ways to read: `ambiguity` gives both),
    "range", "alternatives", "ratio",
    "several_numbers", "two_currencies" or "unknown_words" (text after the amount that
    is neither its unit nor a harmless "or so"). With `words`, a unit of a few words may follow
    ("12 logos", "5 deals closed": `Amount.unit` is "deals closed", a leading "new" dropped;
    whether it is the expected unit is `conversations.counts.unit_fit`); otherwise only a
    currency or "%" may.
    """
    raw = normalise(raw)
    if ODD in raw:  # "²", "①": a number sign that is no digit
        return "unreadable"
    if len(currencies_in(raw)) > 1:
        return "two_currencies"
    code, plain = find_currency(raw)
    plain = _HEDGE.sub("", plain)
    problem = second_number_problem(plain)
    if problem is not None:
        return problem
    match = NUMBER.search(plain)
    if match is None:
        return "no_number"
    try:
        value = _scaled(match, decimal)
    except AmbiguousNumber:
        return "ambiguous_number"
    if value is None or _glued(plain, match):
        return "unreadable"
    sign = _sign(plain, match)
    number = _signed(value, sign)
    if not re.fullmatch(r"\s*[-+(]?\s*", plain[: match.start()]):
        return "unknown_words"  # "--5", "x 5": something before the number
    after = plain[match.end():]
    if sign < 0 and not _MINUS.search(plain[: match.start()]):
        after = after.replace(")", "", 1)  # the closing accounting bracket
    unit = _unit_after(after, code) if code is not None or _PERCENT.match(after) else ""
    rest = after.strip()
    if unit == "%":
        rest = re.sub(r"^(?:%|percent|per\s*cent|pct)", "", rest, flags=re.IGNORECASE).strip()
    elif code is None:  # "5 deals closed so far": the unit is every word up to the filler
        if (split := split_words(after, _FILLER)) is None or (split[0] and not words):
            return "unknown_words"
        unit, rest = split
    if not _FILLER.match(rest.rstrip(".!")):
        return "unknown_words"
    return Amount(number, unit, code, -value if sign < 0 else value)


def unlikely_change(previous: float | None, value: float, factor: float = 3.0) -> str | None:
    """Why a new value for the same key result is worth confirming before it is saved,
    or None. "up": more than `factor` times the previous value (a typo such as "250"
    for "25", or "2.5M" for "250k"); "down": less than the previous value divided by
    `factor` ("4" typed for a pipeline of $250,000, read in the key result's unit as
    $4); "negative": below zero where the key result stood at zero or more (counts,
    money and percentages rarely go negative: "(5,000)" or "-5" is more often a slip).
    No previous value never asks; a previous 0 asks only about a negative."""
    if previous is None:
        return None
    if value < 0 <= previous:
        return "negative"
    if previous > 0 and value > factor * previous:
        return "up"
    if previous > 0 and value < previous / factor:
        return "down"
    return None


def ambiguity(raw: str, decimal: str | None = None) -> AmbiguousNumber | None:
    """The two readings of the first number in `raw` when `decimal` leaves it in doubt
    (for the re-ask's example), else None."""
    try:
        parse_number_text(raw, decimal)
    except AmbiguousNumber as found:
        return found
    return None
