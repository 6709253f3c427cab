"""Every sentence the bot says, as Jinja2 templates, rendered through one environment.

Templates live in sub-folders by area (`core/`, `flows/`, `cadence/`, `slack/` …) and
are named without their `.j2` suffix: `render("core/help", commands=...)`. Undefined
values are errors, so a missing variable fails a test instead of reaching a user.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import regex
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, nodes

from bot.core.markup import Marked, Rendered, inert
from conversations.counts import decimal_to_type  # the re-ask's typed decimal: one rule for the offer and its check
from conversations.unit_words import one_of

ROOT = Path(__file__).parent


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(ROOT),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
        # every value placed in a template is people's words unless it is template
        # output itself: made inert here, the one place (see bot.core.markup)
        finalize=_inert,
    )
    env.filters["number"] = format_number
    env.filters["money"] = format_money
    env.filters["percent"] = format_percent
    env.filters["amount"] = format_amount
    env.filters["bare"] = format_bare
    env.filters["plain"] = format_plain
    env.filters["day"] = format_day
    env.filters["clip"] = clip
    env.filters["decimal_to_type"] = decimal_to_type
    return env


def _inert(value: Any) -> Any:
    return inert(value) if isinstance(value, str) else value  # Rendered: its markup


def render(template: str, /, **values: Any) -> Rendered:
    """Render `template` (its name without `.j2`) and strip surrounding white space.
    Interpolated strings are made inert (shown as typed, never as markup). The result
    reads as plain text; its `.markup`, which messages and other templates use, keeps
    the template's own formatting."""
    return Rendered(environment().get_template(f"{template}.j2").render(**values).strip())


# Stands for the name while a template is rendered once for many names: a private-use
# character, never typed into a template and left as it is by `inert`.
_NAME = "\U0010fffd"
# Where a `{{ name }}` may be captured, transformed or passed on: a template using any
# of these is always rendered in full.
_OPAQUE = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Macro, nodes.CallBlock,
           nodes.FilterBlock, nodes.AssignBlock, nodes.EvalContextModifier)


def render_for(template: str, /, name: str, **values: Any) -> Rendered:
    """`render(template, name=name, **values)`, for the many names of a dispatch.

    A template whose only use of `name` is `{{ name }}` placed as it is (no test, no
    filter, no `set`, no include or macro) reads the same for every name but where the
    name goes. Such a template is rendered once per set of the other `values` (all
    hashable) and the name, made inert as `render` would, is put in its places: a
    prompt card for 10,000 people costs one Jinja render, not 10,000. Any other
    template, a name that is blank or empty once made inert, or unhashable values
    fall back to `render`, so the text is always exactly what `render` gives."""
    marked = _name_placed(template, name, values)
    return render(template, name=name, **values) if marked is None else Rendered(marked)


def markup_for(template: str, /, name: str, **values: Any) -> Marked:
    """`render_for(template, name=name, **values).markup`: what a `Message` keeps of a
    rendered text. Without the plain reading of the whole card, which a message never
    uses and which cost a dispatch a third of drawing each card (two regular-expression
    passes over it)."""
    marked = _name_placed(template, name, values)
    return render(template, name=name, **values).markup if marked is None else marked


def _name_placed(template: str, name: str, values: dict[str, Any]) -> Marked | None:
    """The markup of `render_for`'s fast path, or None where it must render in full."""
    placed = inert(name) if isinstance(name, str) else None
    if placed and placed == placed.strip():
        try:
            parts = _around_name(template, tuple(sorted(values.items())))
        except TypeError:  # an unhashable value
            parts = None
        if parts is not None:
            return Marked(placed.join(parts))
    return None


@lru_cache(maxsize=512)
def _around_name(template: str, values: tuple[tuple[str, Any], ...]) -> tuple[str, ...] | None:
    """The template's output split where the name goes, or None when its output may
    depend on the name in any other way (see `render_for`)."""
    env = environment()
    source = env.loader.get_source(env, f"{template}.j2")[0]  # type: ignore[union-attr]
    if not _name_only_placed(env.parse(source), None):
        return None
    return tuple(render(template, name=_NAME, **dict(values)).markup.split(_NAME))


def _name_only_placed(node: nodes.Node, parent: nodes.Node | None) -> bool:
    """Whether every use of `name` under `node` is a bare `{{ name }}` (the filters and
    globals of `environment()` never read the context, so nothing else sees it)."""
    if isinstance(node, nodes.Name) and node.name == "name":
        return node.ctx == "load" and isinstance(parent, nodes.Output)
    if isinstance(node, _OPAQUE):
        return False
    return all(_name_only_placed(child, node) for child in node.iter_child_nodes())


def exists(template: str) -> bool:
    """Whether the template is there. Only its source is looked up, not compiled:
    loading the flows asks this for every step at start-up, and compiling them all
    cost a restarted process seconds before its first delivery (each compiles on
    first use; tests render them all)."""
    env = environment()
    try:
        env.loader.get_source(env, f"{template}.j2")  # type: ignore[union-attr]
    except TemplateNotFound:
        return False
    return True


# How much of what a person typed a reply quotes back ("I don't know the command
# `…`"): enough to recognise it, never a 40,000-character echo of a pasted page.
CLIP_CHARACTERS = 200
_GRAPHEME = regex.compile(r"\X")


def clip(value: Any, limit: int = CLIP_CHARACTERS) -> Any:
    """Typed text as a reply quotes it: at most `limit` user-perceived characters
    (Unicode grapheme clusters, so an emoji with its skin tone or ZWJ sequence, a
    flag, or a letter with its combining accents is kept whole or left out whole),
    then "…" (and at most 4 × `limit` code points, however they cluster). A cut
    text ends in exactly one "…": an ellipsis or dots the person typed just before
    the cut ("Wait…", "Wait...") give way to it, and a template never adds its own
    after the filter (tests/test_echo_clipped.py checks every template). Only the
    echo is shortened; what is stored keeps its full text. Anything not a string
    (None, a number) is returned as it is."""
    if not isinstance(value, str) or len(value) <= limit:
        return value
    kept: list[str] = []
    size = 0  # code points kept: a cluster piled with marks ("Zalgo") counts for what it costs
    for count, match in enumerate(_GRAPHEME.finditer(value)):
        size += len(match.group())
        if count == limit or size > 4 * limit:
            return "".join(kept).rstrip().rstrip("….").rstrip() + "…"
        kept.append(match.group())
    return value  # long in code points, short in graphemes (combining marks)


_WIDE = Context(prec=400)  # every float's digits (1e308 has 309): quantize never runs out of precision


def rounded(value: float | int, digits: int = 0) -> Decimal:
    """`value` to `digits` decimals, half away from zero, as money is shown to people
    and as babel rounds it (ROUND_HALF_UP): ¥2.5 -> 3, -¥2.5 -> -3, 1.2345 KWD ->
    1.235, where Python's round() gives 2, -2 and 1.234 (half to even, and on the
    float 1.23449999…). A float is taken as its shortest repr ("1.2345"), the number
    the person typed or a sum shows. The one rounding of every figure shown
    (`format_number` and the filters built on it), so a total and an "X of Y" line
    agree."""
    exact = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(int(value))
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=_WIDE)


def format_number(value: float | int | None, digits: int = 0) -> str:
    """1234567.8 -> "1,234,568", rounded half away from zero (`rounded`: 2.5 -> "3");
    a whole number never shows ".0"."""
    if value is None:
        return "—"
    shown = rounded(value, 0 if float(value).is_integer() else digits)
    if shown == shown.to_integral_value():  # 3.0000001 -> "3", -0.00001 -> "0" (not "3.0", "-0.0")
        return f"{int(shown):,}"
    return f"{shown:,.{digits}f}"


def format_plain(value: float | int | None) -> str:
    """A number as an example to type back: no grouping, "." and at most two decimals
    (250000 -> "250000", 27.5 -> "27.5"), which `conversations.amounts` reads one way
    whatever the person's decimal mark ("1,500" or "12.125" would be asked about)."""
    if value is None:
        return "7"
    return f"{rounded(value, 2) + 0:.2f}".rstrip("0").rstrip(".") or "0"


def format_money(value: float | int | None, currency: str = "$") -> str:
    """A money estimate in whole units (the goal maths, salary figures): "$1,084,567",
    "-$5,000"; a currency without a symbol of its own after the number, as
    `format_amount` writes it everywhere else: "1,084,567 NOK" (not "NOK 1,084,567")."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""  # "-$5,000", not "$-5,000"
    code = currency.strip()
    if len(code) == 3 and code.isalpha() and code.isupper():
        return f"{sign}{format_number(abs(value))} {code}"
    return f"{sign}{currency}{format_number(abs(value))}"


def format_percent(value: float | None, digits: int = 0) -> str:
    """0.25 -> "25%"."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def format_amount(value: float | int | None, unit: str = "", digits: int = 1) -> str:
    """A value in its unit, as `conversations.amounts.parse_amount` stores it:
    (250000, "USD") -> "$250,000", (25, "%") -> "25%", (12, "logos") -> "12 logos",
    (1, "logos") -> "1 logo" (a count noun is singular after exactly 1: `_unit_after`).

    Money (`conversations.amounts.unit_kind`: any ISO code babel lists) shows its
    currency's minor unit in full, or none when the amount is whole, whatever
    `digits` says: "$250,000.50", "1,234.50 NOK", "¥1,235" (the yen has no minor
    unit), "$250,000". A currency without a symbol of its own reads "250,000 NOK".
    Units stored before currencies were kept as ISO codes ("$", "€", "£") still read
    as money.
    """
    from conversations.amounts import MONEY, unit_kind  # the parsers: loaded by what shows amounts only
    from conversations.currencies import SYMBOLS
    from conversations.unit_words import currency_digits

    if value is None:
        return "—"
    money = unit_kind(unit) == MONEY
    symbol = unit if unit in SYMBOLS.values() else SYMBOLS.get(unit)  # "USD" -> "$"; a bare "$" stored before ISO codes
    if money:
        digits = currency_digits(next((code for code, mark in SYMBOLS.items() if mark == unit), unit))
    else:
        digits = _enough_digits(float(value), digits)
    shown = format_number(value, digits)
    negative = rounded(value, digits) < 0
    sign, size = ("-", format_number(-value, digits)) if negative else ("", shown.removeprefix("-"))
    if money and symbol:  # the sign before the symbol: "-$5,000", not "$-5,000"
        return f"{sign}{symbol}{size}"
    if unit == "%":
        return f"{shown}%"
    return f"{shown} {unit if money else _unit_after(value, unit)}" if unit else shown


def _unit_after(value: float | int, unit: str) -> str:
    """The unit as it reads after `value`: singular after exactly 1 ("1 deal", "1
    hour", "1 discovery call"), as typed otherwise ("0 deals", "1.5 hours", "2 FTE").
    Money and "%" never reach here. `conversations.unit_words.one_of` has the rules."""
    return one_of(unit) if value == 1 else unit


def _enough_digits(value: float, digits: int) -> int:
    """`digits`, or more (up to 6) while rounding would show a value as another
    figure: 0.05% with one decimal read "0.1%" (the reviewer's WIG "from 5% to 0.1%"
    for a stored 0.05), and 0.052% with two read as its target 0.05%. A figure shown
    within 1 % of itself keeps `digits` ("33.3%" for 33.333)."""
    size = abs(value)
    while digits < 6 and size and abs(float(rounded(size, digits)) - size) > 0.01 * size:
        digits += 1
    return digits


def format_bare(value: float | int | None, unit: str = "") -> str:
    """The first figure of "1 of 8 logos", which names the unit once: as
    `format_amount` shows it, less a unit written after the number ("1,234.50 of
    5,000 NOK", "2.5 of 8 logos", "1 of 8 logos": the singular "logo" goes too); a
    symbol or "%" stays ("$600,000 of $750,000")."""
    shown = format_amount(value, unit)
    if not unit or value is None:
        return shown
    return shown.removesuffix(f" {unit}").removesuffix(f" {_unit_after(value, unit)}")


def format_day(value: date | datetime | str | None, locale: str | None = None) -> str:
    """A day the way people read one: "Wed 31 Dec 2027" (or `locale`'s medium form,
    "31 de dez. de 2027" for "pt_BR"), never ISO "2027-12-31". Takes a date, a
    datetime (its own calendar day) or an ISO string as flows store them; text that
    is not a day is shown as it is, None as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    from babel.dates import format_date  # babel's locale data: loaded by what shows days only

    day = value.date() if isinstance(value, datetime) else value
    if locale:
        return format_date(day, "medium", locale=locale.replace("-", "_"))
    return format_date(day, "EEE d MMM y", locale="en")
