"""Storage is the only room with SQL: nothing in bot/ or conversations/ opens queries
or talks to a session directly; it calls storage's named functions."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = re.compile(r"\bsession\.(?:get|exec|execute|add|delete|scalar|scalars)\("
                 r"|^\s*(?:from|import)\s+(?:sqlmodel|sqlalchemy)\b", re.MULTILINE)


def test_no_queries_outside_storage() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}"
        for folder in ("bot", "conversations")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for text in [path.read_text(encoding="utf-8")]
        for match in SQL.finditer(text)
    ]
    assert offenders == []
