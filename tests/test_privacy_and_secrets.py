"""Secrets at rest (Slack tokens sealed with Fernet, keys rotated) and people's data
(`person forget`, retention pruning)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func
from sqlmodel import SQLModel, select

from bot.channels.slack.stores import DbInstallationStore
from bot.core.clock import now
from bot.core.settings import Settings, SettingsError
from bot.runtime import check_secrets
from storage import people, privacy
from storage import slack as slack_store
from storage.db import Database
from storage.models import (
    Account,
    ChatIdentity,
    CheckIn,
    CheckInAnswer,
    Commitment,
    Conversation,
    DiscoveryNote,
    KeyResult,
    Lead,
    Objective,
    Occurrence,
    Person,
    SlackInstallation,
)
from storage.secrets import SecretBox, SecretsLocked, new_key

OLD, NEW = new_key(), new_key()


def installation(team: str = "T1") -> Installation:
    return Installation(app_id="A1", team_id=team, user_id="U1", bot_token="xoxb-secret-token",
                        bot_id="B1", bot_user_id="UBOT", bot_scopes="chat:write", installed_at=1.0)


async def stored_rows(db: Database) -> list[dict]:
    async with db.session() as session:
        return [r.data for r in (await session.exec(select(SlackInstallation))).all()]


async def test_tokens_are_sealed_at_rest_and_round_trip(db: Database) -> None:
    store = DbInstallationStore(db, "111.222", SecretBox(OLD))
    await store.async_save(installation())
    [row] = await stored_rows(db)
    assert list(row) == ["fernet"] and "xoxb-secret-token" not in str(row)
    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-secret-token"
    found = await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="U1")
    assert found is not None and found.bot_token == "xoxb-secret-token"
    await store.async_delete_bot(enterprise_id=None, team_id="T1")  # revoked bot: sealed without it
    [row] = await stored_rows(db)
    assert "bot_token" not in SecretBox(OLD).open(row)


async def test_a_key_rotates_and_the_old_key_can_then_go(db: Database) -> None:
    await DbInstallationStore(db, "111.222", SecretBox(OLD)).async_save(installation())
    rotating = SecretBox(f"{NEW},{OLD}")
    async with db.session() as session:
        assert await slack_store.reseal_installations(session, rotating.rotate) == 1
    only_new = DbInstallationStore(db, "111.222", SecretBox(NEW))
    bot = await only_new.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-secret-token"
    with pytest.raises(SecretsLocked, match="none of the keys set opens"):
        await DbInstallationStore(db, "111.222", SecretBox(OLD)).async_find_bot(enterprise_id=None, team_id="T1")


async def test_rotation_seals_tokens_stored_before_a_key_was_set(db: Database) -> None:
    await DbInstallationStore(db, "111.222").async_save(installation())
    assert (await stored_rows(db))[0]["bot_token"] == "xoxb-secret-token"
    async with db.session() as session:
        await slack_store.reseal_installations(session, SecretBox(NEW).rotate)
    assert list((await stored_rows(db))[0]) == ["fernet"]


async def test_start_up_refuses_sealed_rows_without_the_key(db: Database) -> None:
    await DbInstallationStore(db, "111.222", SecretBox(OLD)).async_save(installation())
    with pytest.raises(SecretsLocked) as refused:
        await check_secrets(db, Settings(database_url=db.url))
    assert str(refused.value) == ("COACHBOT_SECRET_KEY: the database holds encrypted Slack tokens but no key is "
                                  "set; set the key they were encrypted with")
    with pytest.raises(SecretsLocked):
        await check_secrets(db, Settings(database_url=db.url, secret_key=NEW))
    await check_secrets(db, Settings(database_url=db.url, secret_key=f"{NEW},{OLD}"))


def test_a_malformed_key_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="COACHBOT_SECRET_KEY: each key must be a Fernet key or a random"):
        Settings.from_env({"COACHBOT_SECRET_KEY": "hunter2"})
    assert Settings.from_env({"COACHBOT_SECRET_KEY": f"{NEW}, {OLD}"}).secret_key
    heroku = "9f" * 32  # app.json's generator "secret": 64 hex digits
    box = SecretBox(heroku)
    assert box.open(box.seal({"bot_token": "xoxb-1"})) == {"bot_token": "xoxb-1"}


def test_every_column_pointing_at_a_person_has_a_forget_policy() -> None:
    assert sorted(privacy.POLICY) == privacy.person_columns()


async def count(db: Database, table: type[SQLModel], *where: object) -> int:
    async with db.session() as session:
        return (await session.exec(select(func.count()).select_from(table).where(*where))).one()  # type: ignore[arg-type]


async def test_forget_erases_a_person_and_keeps_anonymous_counts(db: Database, team: dict[str, int]) -> None:
    ravi, sam, org = team["ravi"], team["sam"], team["org"]
    async with db.session() as session:
        for who in (ravi, sam):
            checkin = CheckIn(org_id=org, person_id=who, kind="okr_checkin", blockers="my boss", change_next="x")
            session.add(checkin)
            objective = Objective(org_id=org, owner_id=who, title="Grow", period="2027")
            session.add(objective)
            await session.flush()
            kr = KeyResult(objective_id=objective.id, title="Logos", target_value=10)
            session.add(kr)
            await session.flush()
            session.add(CheckInAnswer(checkin_id=checkin.id, key_result_id=kr.id, question="q", text="secret"))
            session.add(Lead(org_id=org, owner_id=who, name="Jo", company="ACME"))
            session.add(Commitment(person_id=who, text="call 5", week_start=now().date()))
            session.add(Conversation(person_id=who, flow="goals", state={"said": "private"}))
        account = Account(org_id=org, key="acme", name="ACME", owner_id=ravi)
        session.add(account)
        await session.flush()
        session.add(DiscoveryNote(account_id=account.id, author_id=ravi, answers={"goal": "grow"}))
        session.add(Occurrence(key=f"okr_checkin:{ravi}:x", org_id=org, person_id=ravi, kind="okr_checkin",
                               due_at=now(), local_date=now().date(), status="answered",
                               payload={"note": "snoozed: dentist"}))
    async with db.session() as session:
        erased = await privacy.forget(session, ravi)
    assert erased["checkin"] == 1 and erased["checkinanswer"] == 1 and erased["lead"] == 1
    for table, column in ((CheckIn, CheckIn.person_id), (Lead, Lead.owner_id), (Commitment, Commitment.person_id),
                          (Conversation, Conversation.person_id), (Objective, Objective.owner_id),
                          (ChatIdentity, ChatIdentity.person_id), (DiscoveryNote, DiscoveryNote.author_id)):
        assert await count(db, table, column == ravi) == 0, table
        if table is not DiscoveryNote and table is not ChatIdentity:
            assert await count(db, table, column == sam) == 1, table  # nobody else's data
    assert await count(db, CheckInAnswer) == 1
    async with db.session() as session:
        person = await session.get(Person, ravi)
        occurrence = (await session.exec(select(Occurrence).where(Occurrence.person_id == ravi))).one()
        account = (await session.exec(select(Account))).one()
        assert await people.by_email(session, "ravi@example.com") is None
    assert (person.name, person.email, person.active) == ("Forgotten person", f"forgotten-{ravi}@invalid", False)
    assert (occurrence.status, occurrence.payload) == ("answered", {})  # still counted, nothing said
    assert account.owner_id is None


async def test_retention_prunes_raw_answers_older_than_the_limit(db: Database, team: dict[str, int]) -> None:
    old, recent = now() - timedelta(days=100), now() - timedelta(days=5)
    async with db.session() as session:
        for moment in (old, recent):
            checkin = CheckIn(org_id=team["org"], person_id=team["ravi"], kind="okr_checkin", blockers="b",
                              started_at=moment)
            session.add(checkin)
            await session.flush()
            session.add(CheckInAnswer(checkin_id=checkin.id, question="q", text="words", answered_at=moment))
            session.add(Commitment(person_id=team["ravi"], text="c", week_start=moment.date(), created_at=moment))
            session.add(Conversation(person_id=team["ravi"], flow="goals", status="done", updated_at=moment))
    async with db.session() as session:
        pruned = await privacy.prune_answers(session, now() - timedelta(days=30))
    assert dict(pruned) == {"checkinanswer": 1, "checkin": 1, "commitment": 1, "conversation": 1}
    assert await count(db, CheckIn) == 2  # the count stays
    assert await count(db, CheckIn, CheckIn.blockers.is_(None)) == 1  # type: ignore[union-attr]
    assert await count(db, CheckInAnswer) == 1 and await count(db, Commitment) == 1


async def test_the_retention_job_runs_only_when_configured(db: Database, team: dict[str, int]) -> None:
    from bot.features.retention import prune_old_answers
    from bot.runtime import build_coach

    async with db.session() as session:
        checkin = CheckIn(org_id=team["org"], person_id=team["ravi"], kind="okr_checkin",
                          started_at=now() - timedelta(days=40))
        session.add(checkin)
        await session.flush()
        session.add(CheckInAnswer(checkin_id=checkin.id, question="q", answered_at=now() - timedelta(days=40)))
    assert await prune_old_answers(build_coach(db, Settings(database_url=db.url))) == 0
    assert await prune_old_answers(build_coach(db, Settings(database_url=db.url, retention_days=30))) == 1
