"""A command typed with an IME in Japanese or Chinese input: the full-width slash
"／" (U+FF0F), full-width letters "ｏｋｒ" and the ideographic space are read as
"/okr", while what follows the command's name is kept exactly as typed."""

from __future__ import annotations

from conftest import say

from bot.core.commands import parse


def test_the_prefix_and_name_are_folded_and_the_arguments_kept() -> None:
    assert parse("／okr status") == ("status", "")
    assert parse("／ｏｋｒ　ｓｔａｔｕｓ　＠ｒａｖｉ　ｎｅｘｔ") == ("status", "＠ｒａｖｉ　ｎｅｘｔ")
    assert parse("ＯＫＲ Ｓｔａｔｕｓ ＠ann") == ("status", "＠ann")
    assert parse("／ｆｏｏ bar") == ("", "／ｆｏｏ bar")  # an unknown command, not a conversation answer
    assert parse("\u200f／okr help") == ("help", "")
    assert parse("おはよう") is None


async def test_the_coach_answers_a_full_width_command_like_the_ascii_one(coach, team) -> None:
    ascii_help = await say(coach, team["ravi"], "/okr help")
    assert "/okr status" in ascii_help
    assert await say(coach, team["ravi"], "／okr help") == ascii_help
    assert await say(coach, team["ravi"], "／ｏｋｒ　ｈｅｌｐ") == ascii_help
    status = await say(coach, team["ravi"], "／ｏｋｒ ｓｔａｔｕｓ")
    assert "didn't catch" not in status and status == await say(coach, team["ravi"], "/okr status")
    unknown = await say(coach, team["ravi"], "／ｆｒｏｂｎｉｃａｔｅ")
    assert "I don't know the command" in unknown and "didn't catch" not in unknown
