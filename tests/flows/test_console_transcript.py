"""The flows through the terminal channel itself: numbered choices, typed answers,
the manager's copy printed with a label."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

from freezegun import freeze_time

from bot.channels.console import ConsoleChannel
from bot.core.channel import Channels
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage.db import Database


async def lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item + "\n"


@freeze_time("2027-01-12 10:00:00", real_asyncio=True)
async def test_discovery_in_the_terminal(db: Database, team: dict[str, int]) -> None:
    out = io.StringIO()
    console = ConsoleChannel(out)
    coach = build_coach(db, Settings(database_url=db.url), Channels(console))
    await console.converse(coach, team["ravi"], lines(
        "/okr discover ACME", "1", "Grow 20% in the Nordics", "skip", "skip", "skip", "skip",
        "Flat budget", "skip"))
    text = out.getvalue()
    assert "  1. Log the answers now\n  2. Later, after the meeting" in text
    assert "What has their organisation set out to achieve this year?" in text
    assert "Saved on ACME, dated 2027-01-12" in text


@freeze_time("2027-01-06 09:00:00", real_asyncio=True)
async def test_goal_setting_in_the_terminal_prints_the_managers_copy(db: Database,
                                                                      team: dict[str, int]) -> None:
    out = io.StringIO()
    console = ConsoleChannel(out)
    coach = build_coach(db, Settings(database_url=db.url), Channels(console))
    await console.converse(coach, team["ravi"], lines(
        "/okr goals", *["skip"] * 5, "Win mid-market", "done", "skip", "Close 12 new logos by end of Q2",
        "1", "2", *["skip"] * 4, "$1.2M", "skip", "skip", "25%", "$40k", "63", "skip", "1",
        *["skip"] * 3, "2", "1"))
    text = out.getvalue()
    assert "New opportunities every week: 2.9" in text
    assert "  1. Add as its own objective\n  2. Under my first objective\n  3. Leave them out" in text
    assert "  1. Every week\n  2. Every two weeks\n  3. Every month" in text
    assert "[to Maria Manager]" in text and "Ravi Rep has finished their goal setting" in text
    assert "Saved!" in text


async def test_quit_ends_the_terminal_chat_and_nothing_after_it_is_read(db: Database,
                                                                       team: dict[str, int]) -> None:
    out = io.StringIO()
    console = ConsoleChannel(out)
    coach = build_coach(db, Settings(database_url=db.url), Channels(console))
    await console.converse(coach, team["ravi"], lines("help", " QUIT ", "/okr status"))
    text = out.getvalue()
    assert "/okr" in text                      # help was answered
    assert "didn't catch" not in text          # quit was not sent to the coach
    before = len(text)
    await console.converse(coach, team["ravi"], lines("/exit", "help"))
    assert len(out.getvalue()) == before       # nothing after /exit was handled


@freeze_time("2027-01-06 09:00:00", real_asyncio=True)
async def test_an_empty_line_gets_the_prompt_again_and_is_sent_to_no_one(db: Database,
                                                                         team: dict[str, int]) -> None:
    """Enter pressed on its own at a question: the `> ` again, the question still
    waiting with nothing counted against it (a miss would offer `skip` sooner)."""
    from sqlmodel import select

    from storage.models import Conversation

    out = io.StringIO()
    console = ConsoleChannel(out)
    coach = build_coach(db, Settings(database_url=db.url), Channels(console))
    await console.converse(coach, team["ravi"], lines("/okr goals"), prompt="> ")
    async with db.session() as session:
        before = (await session.exec(select(Conversation))).one().state
    shown = len(out.getvalue())
    await console.converse(coach, team["ravi"], lines("", "   "), prompt="> ")
    assert out.getvalue()[shown:] == "> " * 3  # on starting, then after each empty line: nothing else said
    async with db.session() as session:
        assert (await session.exec(select(Conversation))).one().state == before


async def test_a_message_arriving_at_the_prompt_is_followed_by_the_prompt(db: Database,
                                                                          team: dict[str, int]) -> None:
    """A check-in card the timer delivers while the person sits at `> ` prints on a
    line of its own and ends with the prompt again: the cue that it is their turn."""
    import asyncio

    from bot.core.channel import Recipient
    from bot.core.messages import Message

    out = io.StringIO()
    console = ConsoleChannel(out, person_id=team["ravi"])
    coach = build_coach(db, Settings(database_url=db.url), Channels(console))
    arrived = asyncio.Event()

    async def typed() -> AsyncIterator[str]:
        await arrived.wait()
        yield "/quit\n"

    talk = asyncio.create_task(console.converse(coach, team["ravi"], typed(), prompt="> "))
    await asyncio.sleep(0)
    await console.deliver(Recipient(team["ravi"], team["org"], "ravi@example.com", "Ravi Rep", "console"),
                          [Message("It's check-in time.")])
    arrived.set()
    await talk
    assert out.getvalue() == "> \nIt's check-in time.\n> ", out.getvalue()
