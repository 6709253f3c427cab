"""Replies that quote what a person typed quote at most `prompts.CLIP_CHARACTERS`
user-perceived characters, then "…": a 40,000-character command no longer gets a
40,000-character reply. The cut never splits an emoji, a flag or a letter from its
accents (grapheme clusters). Through the real coach, on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import say

import prompts
from bot.core.coach import Coach
from storage.db import Database

TYPED = "Zq" * 20_000  # 40,000 characters


@pytest.mark.parametrize(("who", "command"), [
    ("ravi", "/okr {}"),                      # unknown command
    ("maria", "/okr status {}"),              # a name nobody has
    ("maria", "/okr export {}"),
    ("maria", "/okr brief {}"),
    ("ravi", "/okr actions {}"),
    ("ravi", "/okr event {}"),
    ("maria", "/okr wig update 1 {}"),        # "I couldn't read …" (WIG 1 set up first)
    ("maria", "/okr wig target {}"),
    ("maria", "/okr scorecard at {}"),
])
async def test_a_40000_character_input_gets_a_short_reply_quoting_its_start(
        db: Database, team: dict[str, int], coach: Coach, who: str, command: str) -> None:
    if command.startswith("/okr wig update"):
        await say(coach, team["maria"], "/okr wig add New ARR from 1.2M to 1.5M by June 30")
    reply = await say(coach, team[who], command.format(TYPED))
    assert len(reply) < 1_000, reply[:300]
    assert "…" in reply
    quoted = max((part for part in reply.replace("`", '"').split('"') if "zq" in part.lower()), key=len)
    assert 150 <= len(quoted.rstrip("…")) <= prompts.CLIP_CHARACTERS + 2  # the start of it, still recognisable


@pytest.mark.parametrize("unit", [
    "👍🏽",                    # emoji with a skin tone: two code points
    "👩‍👩‍👧",                  # a ZWJ family: five code points
    "🇳🇴",                    # a flag: two regional indicators
    "e\u0301\u0323",          # a letter with two combining accents
    "a",
])
@pytest.mark.parametrize("offset", [0, 1])
def test_the_cut_keeps_whole_characters(unit: str, offset: int) -> None:
    typed = "x" * offset + unit * 300
    clipped = prompts.clip(typed)
    assert clipped.endswith("…")
    body = clipped[:-1]
    assert typed.startswith(body) and body[offset:] == unit * ((len(body) - offset) // len(unit))
    assert not unicodedata.combining(typed[len(body)]) and typed[len(body):].startswith(unit)


def test_short_text_and_non_text_pass_as_they_are() -> None:
    assert prompts.clip("hello") == "hello"
    assert prompts.clip("x" * prompts.CLIP_CHARACTERS) == "x" * prompts.CLIP_CHARACTERS
    assert prompts.clip(None) is None and prompts.clip(7) == 7
    zalgo = "a" + "\u0301" * 40_000  # one "character" piled with marks: still bounded
    assert len(prompts.clip(zalgo)) <= 4 * prompts.CLIP_CHARACTERS + 1


def test_the_filter_is_used_where_typed_text_is_quoted() -> None:
    long = "w" * 5_000
    assert len(prompts.render("core/unknown_command", name=long)) < 400
    assert len(prompts.render("status/unknown", given=long)) < 500
