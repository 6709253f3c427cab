"""A command typed with an IME in Japanese or Chinese input: the full-width slash
"／" (U+FF0F), full-width letters "ｏｋｒ" and the ideographic space are read as
"/okr", and what follows the command's name has its full-width ASCII read as ASCII
("２ｈ" is "2h"); other characters stay as typed. Without the slash, "okr" starts a
command only before a command's name: "OKR reviews eat my Fridays" is an answer."""

from __future__ import annotations

from conftest import say

from bot.core.commands import parse


def test_the_prefix_and_name_are_folded_and_the_arguments_kept() -> None:
    assert parse("／okr status") == ("status", "")
    assert parse("／ｏｋｒ　ｓｔａｔｕｓ　＠ｒａｖｉ　ｎｅｘｔ") == ("status", "@ravi next")
    assert parse("ＯＫＲ Ｓｔａｔｕｓ ＠ann") == ("status", "@ann")
    assert parse("/okr goals ﬁnd ① ²") == ("goals", "ﬁnd ① ²")  # no NFKC in the arguments
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


def test_okr_without_a_slash_is_a_command_only_before_a_command_name() -> None:
    def known(name: str) -> bool:
        return name in {"status", "help", "snooze"}

    assert parse("OKR reviews eat my Fridays", known) is None
    assert parse("okr status", known) == ("status", "")
    assert parse("okr", known) == ("help", "")
    assert parse("/okr reviews", known) == ("reviews", "")  # with the slash: an unknown command, answered


async def test_an_answer_starting_with_okr_is_an_answer(coach, team) -> None:
    """The reviewer's case: a check-in's blocker answered "OKR reviews eat my Fridays"
    got "I don't know the command `reviews`" and was not stored. Here inside the
    discovery conversation, whose questions take free text."""
    ravi = team["ravi"]
    first = await say(coach, ravi, "/okr discover ACME")
    answered = await say(coach, ravi, "OKR reviews eat my Fridays")
    assert "I don't know the command" not in answered and answered != first
    assert "I don't know the command" not in await say(coach, ravi, "ＯＫＲ reviews take hours")


async def test_full_width_arguments_are_read(coach, team) -> None:
    ravi = team["ravi"]
    typed = await say(coach, ravi, "／ｏｋｒ　ｏｕｔ　ｆｏｒ　２　ｄａｙｓ")
    assert typed == await say(coach, ravi, "/okr out for 2 days")
    assert "needs a unit" not in await say(coach, ravi, "／ｏｋｒ　ｓｎｏｏｚｅ　２ｈ")
