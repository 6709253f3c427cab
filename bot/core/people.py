"""Small facts about people that every feature words the same way."""

from __future__ import annotations


def first_name(name: str) -> str:
    """"Ravi Rep" -> "Ravi"; a blank name stays as it is."""
    return name.split()[0] if name.strip() else name
