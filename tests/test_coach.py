"""The neutral core: commands, honesty about unbuilt ones, roles, identity mapping."""

from __future__ import annotations

from conftest import say
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.commands import parse
from bot.core.feature import Feature
from bot.core.messages import Message, Progress, Sender
from bot.runtime import build_coach
from storage import people
from storage.models import ChatIdentity


def test_parse_accepts_slash_and_plain_forms() -> None:
    assert parse("/okr status @ravi") == ("status", "@ravi")
    assert parse("okr STATUS") == ("status", "")
    assert parse("/okr") == ("help", "")
    assert parse("/weather") == ("", "/weather")
    assert parse("okra is tasty") is None and parse("42") is None


def test_direction_marks_are_not_part_of_the_command_words() -> None:
    """A right-to-left client's invisible marks (U+200E, U+200F, U+061C) in "/okr" or
    the command's name; the arguments keep theirs (their readers drop them)."""
    assert parse("/okr\u200f out back") == ("out", "back")
    assert parse("/okr out\u200e back") == ("out", "back")
    assert parse("\u200f/okr \u061cstatus\u200f") == ("status", "")
    assert parse("/okr wig add \u200fNew ARR from 1 to 2") == ("wig", "add \u200fNew ARR from 1 to 2")
    assert parse("/okr\twig\n add x") == ("wig", "add x")


async def test_help_lists_every_command_a_manager_may_use(coach: Coach, team: dict[str, int]) -> None:
    text = await say(coach, team["maria"], "/okr help")
    for command in coach.features.commands:
        assert command.usage in text


def test_every_command_says_in_help_what_it_does() -> None:
    """Each registered command has its help line (prompts/help/<name>.j2): help includes
    it with `ignore missing`, so `/okr quiet` showed an empty description."""
    from pathlib import Path

    from bot.core.feature import Features
    from bot.runtime import FEATURES

    folder = Path(__file__).resolve().parents[1] / "prompts" / "help"
    missing = [c.name for c in Features(FEATURES).commands if not (folder / f"{c.name}.j2").is_file()]
    assert missing == []


async def test_help_hides_manager_commands_from_reps(coach: Coach, team: dict[str, int]) -> None:
    text = await say(coach, team["ravi"], "/okr help")
    assert "/okr salary-prep" not in text and "/okr status" in text


async def test_a_feature_may_announce_a_command_before_it_is_built(coach: Coach, team: dict[str, int]) -> None:
    planned = Feature("forecasting")
    planned.coming("forecast", "/okr forecast")
    with_plan = build_coach(coach.db, coach.settings, coach.channels, extra=[planned])
    assert "/okr forecast" in await say(with_plan, team["ravi"], "/okr help")
    assert "not ready in this version yet" in await say(with_plan, team["ravi"], "/okr forecast")


async def test_a_rep_may_not_use_manager_commands(coach: Coach, team: dict[str, int]) -> None:
    assert "for managers, about their own direct reports" in await say(coach, team["ravi"], "/okr salary-prep @sam")


async def test_unknown_command_and_chatter_get_pointed_to_help(coach: Coach, team: dict[str, int]) -> None:
    assert "I don't know the command `frobnicate`" in await say(coach, team["ravi"], "/okr frobnicate")
    assert "Type `/okr help`" in await say(coach, team["ravi"], "good morning")


async def bind(coach: Coach, team: dict[str, int], *workspaces: str) -> None:
    async with coach.db.session() as session:
        for workspace in workspaces:
            await people.bind_workspace(session, team["org"], "slack", workspace)


async def test_identify_by_stored_platform_id(coach: Coach, team: dict[str, int]) -> None:
    assert await coach.identify(Sender("slack", "T1", "U0RAVI")) is None  # T1 is not bound
    await bind(coach, team, "T1")
    person = await coach.identify(Sender("slack", "T1", "U0RAVI"))
    assert person is not None and person.id == team["ravi"]


async def test_identify_by_email_remembers_the_platform_id(coach: Coach, team: dict[str, int]) -> None:
    await bind(coach, team, "T1")
    person = await coach.identify(Sender("slack", "T1", "U0SAM", email="Sam@Example.com"))
    assert person is not None and person.id == team["sam"]
    again = await coach.identify(Sender("slack", "T1", "U0SAM"))
    assert again is not None and again.id == team["sam"]


async def test_an_identity_is_matched_in_its_own_workspace_and_never_taken_over(
        coach: Coach, team: dict[str, int]) -> None:
    """Sam was seen as U0SAM in T1. In T2 (bound to the same company), the same id is
    someone else, and a user whose profile e-mail is Sam's does not become Sam."""
    await bind(coach, team, "T1", "T2")
    assert await coach.identify(Sender("slack", "T1", "U0SAM", email="sam@example.com")) is not None
    assert await coach.identify(Sender("slack", "T2", "U0SAM")) is None
    assert await coach.identify(Sender("slack", "T2", "U0IMPOSTOR", email="sam@example.com")) is None
    async with coach.db.session() as session:
        [(user, tenant)] = (await session.exec(select(ChatIdentity.user_id, ChatIdentity.tenant).where(
            ChatIdentity.person_id == team["sam"], ChatIdentity.platform == "slack"))).all()
    assert (user, tenant) == ("U0SAM", "T1")


async def test_an_unknown_user_is_not_stored(coach: Coach, team: dict[str, int]) -> None:
    assert await coach.identify(Sender("slack", "T1", "U0STRANGER", email="who@else.com")) is None
    async with coach.db.session() as session:
        ids = (await session.exec(select(ChatIdentity.user_id))).all()
    assert "U0STRANGER" not in ids


async def test_deliver_reaches_a_person_through_a_running_channel(coach: Coach, team: dict[str, int],
                                                                  outbox) -> None:  # type: ignore[no-untyped-def]
    message_id = await coach.deliver(team["maria"], [Message("Your 1:1 is in an hour.")])
    assert message_id == "test-1"
    assert outbox.texts_for(team["maria"]) == ["Your 1:1 is in an hour."]


def test_plain_rendering_draws_progress_bars() -> None:
    text = Message("Q1", progress=[Progress("Revenue", 0.5, "on track")]).plain()
    assert "██████████░░░░░░░░░░ 50% on track" in text


async def test_an_identity_remembers_its_workspace(coach: Coach, team: dict[str, int]) -> None:
    """With several workspaces per company, a DM must go out through the one the person
    was seen in."""
    from storage import people as store

    async with coach.db.session() as session:
        await store.bind_workspace(session, team["org"], "slack", "T-EMEA")
        await store.bind_workspace(session, team["org"], "slack", "T-US")
    person = await coach.identify(Sender("slack", "T-US", "U0SAM-US", email="sam@example.com"))
    assert person is not None
    coach.channels.add(type("Slack", (), {"platform": "slack"})())  # type: ignore[arg-type]
    sam = await coach.recipient(team["sam"])
    assert (sam.platform, sam.user_id, sam.tenant) == ("slack", "U0SAM-US", "T-US")
    ravi = await coach.recipient(team["ravi"])  # id from the team file only: the first workspace
    assert (ravi.user_id, ravi.tenant) == ("U0RAVI", "T-EMEA")
