"""The activity handler through botbuilder's own TestAdapter: no HTTP, no connector,
the same CoachBot that the channel runs."""

from __future__ import annotations

import uuid

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount, Entity

from bot.channels.teams.activities import clean_text
from bot.channels.teams.handler import CoachBot
from bot.core.channel import Channels
from bot.core.coach import Coach
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import people
from storage.db import Database
from teams.teamskit import picker

BOT = ChannelAccount(id="28:coachbot-app-id", name="coachbot")


def adapter_for(aad: str, tenant: str = "tenant-1", kind: str = "personal") -> TestAdapter:
    """A TestAdapter whose every activity comes from one Teams user in one tenant."""
    template = Activity(
        channel_id="msteams",
        service_url="https://test.example/",
        from_property=ChannelAccount(id=f"29:{aad}", name=aad, aad_object_id=aad),
        recipient=BOT,
        # a fresh conversation each time: TestAdapter numbers activities from 0, and
        # the same id in the same conversation would (rightly) be dropped as a repeat
        conversation=ConversationAccount(id=f"a:{uuid.uuid4().hex}", conversation_type=kind,
                                         tenant_id=tenant),
    )
    return TestAdapter(template_or_conversation=template)


def coach_for(db: Database) -> Coach:
    return build_coach(db, Settings(database_url=db.url), Channels(), extra=[picker()])


def texts(adapter: TestAdapter) -> str:
    return str([(a.text, a.attachments and a.attachments[0].content) for a in adapter.activity_buffer])


async def say(adapter: TestAdapter, bot: CoachBot, text: str = "", **fields: object) -> None:
    activity = Activity(type=ActivityTypes.message, text=text, **fields)
    await adapter.process_activity(activity, bot.on_turn)


async def test_command_answer_is_an_adaptive_card(db: Database, team: dict[str, int]) -> None:
    adapter, bot = adapter_for("aad-ravi"), CoachBot(coach_for(db), tenant="tenant-1")
    await say(adapter, bot, "okr help")
    [reply] = adapter.activity_buffer
    [attachment] = reply.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    assert "okr status" in attachment.content["body"][0]["text"]


async def test_choice_round_trip_closes_the_card(db: Database, team: dict[str, int]) -> None:
    adapter, bot = adapter_for("aad-ravi"), CoachBot(coach_for(db), tenant="tenant-1")
    await say(adapter, bot, "ask me")
    card = adapter.activity_buffer[0].attachments[0].content
    data = card["actions"][0]["data"]
    await say(adapter, bot, value=data, reply_to_id="card-7")
    [update] = adapter.updated_activities
    assert update.id == "card-7"
    assert "actions" not in update.attachments[0].content
    assert "noted: confidence:on_track" in texts(adapter)


async def test_unknown_user_is_not_coached(db: Database, team: dict[str, int]) -> None:
    adapter, bot = adapter_for("aad-stranger"), CoachBot(coach_for(db), tenant="tenant-1")
    await say(adapter, bot, "okr help")
    [reply] = adapter.activity_buffer
    assert "team list" in reply.text


async def test_tenants_are_isolated(db: Database, team: dict[str, int]) -> None:
    """Another company on the same coachbot has its own tenant; the same AAD id
    there is not Ravi, and an unbound tenant reaches nobody."""
    async with db.session() as session:
        await people.bind_workspace(session, team["org"], "teams", "tenant-1")
        other = await people.ensure_org(session, "Other Co", "UTC")
        await people.upsert_team(session, other.id, [people.TeamRow(  # type: ignore[arg-type]
            "olga@other.example", "Olga Other", "rep", None, "UTC", teams_user_id="aad-ravi")])
    coach = coach_for(db)
    stranger_tenant = adapter_for("aad-ravi", tenant="tenant-2")
    await say(stranger_tenant, CoachBot(coach), "hello there")
    assert "team list" in texts(stranger_tenant)

    async with db.session() as session:
        await people.bind_workspace(session, other.id, "teams", "tenant-2")  # type: ignore[arg-type]
    other_tenant = adapter_for("aad-ravi", tenant="tenant-2")
    await say(other_tenant, CoachBot(coach), "hello there")
    assert "Olga" in texts(other_tenant) and "Ravi" not in texts(other_tenant)

    home = adapter_for("aad-ravi", tenant="tenant-1")
    await say(home, CoachBot(coach), "hello there")
    assert "Ravi" in texts(home)


async def test_group_chat_private_answer_is_withheld_without_a_personal_chat(
        db: Database, team: dict[str, int]) -> None:
    adapter, bot = adapter_for("aad-ravi", kind="groupChat"), CoachBot(coach_for(db), tenant="tenant-1")
    await say(adapter, bot, "okr help")
    shown = texts(adapter)
    assert "personal chat" in shown and "okr status" not in shown


def test_mentions_and_teams_html_are_removed() -> None:
    mention = Entity(type="mention")
    mention.additional_properties = {"mentioned": {"id": BOT.id, "name": "coachbot"},
                                     "text": "<at>coachbot</at>"}
    activity = Activity(type="message", text="<at>coachbot</at>&nbsp;okr  status <b>@ravi</b>",
                        recipient=BOT, entities=[mention])
    assert clean_text(activity) == "okr status @ravi"
    plain = Activity(type="message", text="  /okr status ", recipient=BOT)
    assert clean_text(plain) == "/okr status"
    renamed = Activity(type="message", text="<at>Sales Coach</at> okr help", recipient=BOT)
    assert clean_text(renamed) == "okr help"


def ravi_mentioned(name: str = "Ravi Rep", aad: str | None = "aad-ravi") -> Entity:
    mention = Entity(type="mention")
    mentioned = {"id": "29:someone", "name": name, **({"aadObjectId": aad} if aad else {})}
    mention.additional_properties = {"mentioned": mentioned, "text": f"<at>{name}</at>"}
    return mention


def test_other_mentions_become_the_neutral_at_form() -> None:
    """The core never sees `<at>`: a known person becomes @their-email, anyone else
    @their display name."""
    activity = Activity(type="message", text="okr status <at>Ravi Rep</at>", recipient=BOT,
                        entities=[ravi_mentioned()])
    assert clean_text(activity) == "okr status @Ravi Rep"
    assert clean_text(activity, {"aad-ravi": "ravi@example.com"}) == "okr status @ravi@example.com"


async def test_a_manager_mentions_a_rep_by_teams_mention(db: Database, team: dict[str, int]) -> None:
    bot = CoachBot(coach_for(db), tenant="tenant-1")
    for entity in (ravi_mentioned(), ravi_mentioned(name="Ravi", aad=None)):
        adapter = adapter_for("aad-maria")
        await say(adapter, bot, f"okr status {entity.additional_properties['text']}", entities=[entity])
        shown = texts(adapter)
        assert "Ravi Rep" in shown and "don't know" not in shown.lower(), shown


async def test_emulator_users_are_known_only_in_anonymous_mode(db: Database,
                                                               team: dict[str, int]) -> None:
    """The Bot Framework Emulator sends no tenant and no AAD id: in the explicit dev
    mode its user id is matched against `teams_user_id`; otherwise it reaches nobody."""
    def emulator() -> TestAdapter:
        template = Activity(channel_id="emulator", service_url="http://127.0.0.1:1/",
                            from_property=ChannelAccount(id="aad-ravi", name="User"),
                            recipient=BOT,
                            conversation=ConversationAccount(id=uuid.uuid4().hex))
        return TestAdapter(template_or_conversation=template)

    for anonymous, expected in ((True, "Ravi"), (False, "team list")):
        adapter = emulator()
        await say(adapter, CoachBot(build_coach(db), anonymous=anonymous), "hello there")
        assert expected in texts(adapter)


async def test_the_first_tenant_to_speak_binds_nothing(db: Database, team: dict[str, int]) -> None:
    """On a fresh database an activity from `evil-tenant` carrying a known person's
    AAD id is a stranger's: it is not answered as Ravi, leaves no row (no processed
    event, no conversation reference, no workspace), and the configured tenant is
    still admitted afterwards. The Emulator's made-up tenant is admitted only in
    development mode, and locks nobody out either."""
    from sqlmodel import func, select

    from storage.models import ChatIdentity, ProcessedEvent, TeamsConversationRef, Workspace

    evil = adapter_for("aad-ravi", tenant="evil-tenant")
    await say(evil, CoachBot(coach_for(db), tenant="tenant-1"), "okr status")
    assert "team list" in texts(evil) and "Ravi" not in texts(evil)
    async with db.session() as session:
        for table in (ProcessedEvent, TeamsConversationRef, Workspace):
            assert (await session.exec(select(func.count()).select_from(table))).one() == 0, table
        tenants = (await session.exec(select(ChatIdentity.tenant))).all()
        assert "evil-tenant" not in tenants

    template = Activity(channel_id="emulator", service_url="http://127.0.0.1:1/",
                        from_property=ChannelAccount(id="aad-ravi", name="User"),
                        recipient=BOT, conversation=ConversationAccount(id=uuid.uuid4().hex))
    emulator = TestAdapter(template_or_conversation=template)
    await say(emulator, CoachBot(build_coach(db), anonymous=True), "hello there")
    assert "Ravi" in texts(emulator)

    real = adapter_for("aad-ravi", tenant="tenant-1")
    await say(real, CoachBot(coach_for(db), tenant="tenant-1"), "hello there")
    assert "Ravi" in texts(real)
    stranger = adapter_for("aad-ravi", tenant="tenant-2")
    await say(stranger, CoachBot(coach_for(db), tenant="tenant-1"), "hello there")
    assert "team list" in texts(stranger)


async def test_an_unconfigured_tenant_is_admitted_only_once_an_admin_binds_it(
        db: Database, team: dict[str, int]) -> None:
    bot = CoachBot(coach_for(db))
    before = adapter_for("aad-ravi", tenant="tenant-9")
    await say(before, bot, "hello there")
    assert "team list" in texts(before)
    async with db.session() as session:  # what `coachbot teams bind tenant-9` does
        await people.bind_workspace(session, team["org"], "teams", "tenant-9")
    after = adapter_for("aad-ravi", tenant="tenant-9")
    await say(after, bot, "hello there")
    assert "Ravi" in texts(after)
