"""The first steps of every CSV import (the team file, a badge scanner's leads): bytes
to text, and the separator a spreadsheet used.

A file may come from any spreadsheet: comma, semicolon (Excel in most European
locales) or tab separated (Excel's "Unicode Text"), with Excel's `sep=;` first line,
a byte-order mark, and quoted fields. Encodings: UTF-8 (with or without Excel's BOM)
and UTF-16 with its BOM. Anything else (Latin-1, Windows-1252 …) is refused with the
line of the first byte that is not UTF-8, never guessed: a guessed code page turns
"Jörg" into "JÃ¶rg" or worse, silently, in every row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence

DELIMITERS = ",;\t"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_SEP_LINE = re.compile(r'"?sep=(.)"?,*\r?')
# NUL and the other control characters (not tab): shown by code point, being invisible.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


class NotUTF8(ValueError):
    """The file is neither UTF-8 nor UTF-16 with a BOM; `line` (1-based) holds the
    first byte that is not UTF-8."""

    def __init__(self, line: int) -> None:
        super().__init__(f"not UTF-8 at line {line}")
        self.line = line


def decode(data: bytes) -> str:
    """A CSV file's bytes as text, without its byte-order mark. Raises NotUTF8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise NotUTF8(data[:error.start].count("\n".encode("utf-16-le")) + 1) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotUTF8(data[:error.start].count(b"\n") + 1) from None


def dialect(text: str, known: Callable[[str], bool]) -> tuple[str, int]:
    """(delimiter, lines to skip before the header) of a CSV text without its BOM.

    Excel writes `sep=;` as a first line when asked to; otherwise the header decides:
    the candidate (comma, semicolon, tab) that splits it into the most cells `known`
    accepts as a column name wins, then the one that splits it most. Quoted fields
    are read by `csv`.
    """
    first = text.partition("\n")[0]
    match = _SEP_LINE.fullmatch(first.strip("\r"))
    if match:
        return match.group(1), 1

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        return sum(known(c) for c in cells), len(cells)

    return max(DELIMITERS, key=score), 0


def reader(text: str, known: Callable[[str], bool]) -> tuple[Iterator[list[str]], str, int]:
    """(csv reader positioned on the header, delimiter, lines skipped). The reader's
    `line_num` plus the lines skipped is a row's line in the file (1-based)."""
    text = text.lstrip("\ufeff")
    delimiter, skip = dialect(text, known)
    lines = io.StringIO(text)
    for _ in range(skip):
        lines.readline()
    return csv.reader(lines, delimiter=delimiter), delimiter, skip


def shown_header(cells: Sequence[str]) -> str:
    """A header as read, for an error message: cells joined by " | ", invisible
    characters as <U+0000>; "(nothing)" for an empty one."""
    return " | ".join(_CONTROL.sub(lambda m: f"<U+{ord(m.group()):04X}>", c) for c in cells) or "(nothing)"
