"""A lead typed twice with different punctuation, spacing, case, accents or a
company's legal form is one lead (review finding L1): "Jane Roe, Acme Corp" and
"Jane Roe, Acme Corp." merge; a different company does not; what was typed first
is what is shown."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from storage import event_names
from storage.db import Database
from storage.lead_matching import match_key
from storage.models import Event, Lead


@pytest.mark.parametrize(("typed", "key"), [
    ("Acme Corp", "acme"), ("Acme Corp.", "acme"), ("ACME  corp", "acme"), ("Acme, Inc.", "acme"),
    ("Acme GmbH", "acme"), ("Acme Co., Ltd.", "acme"), ("Société Générale S.A.", "societe generale"),
    ("Corp", "corp"), ("Acme Bank", "acme bank"),
])
def test_a_company_is_compared_without_case_punctuation_accents_or_legal_form(typed: str, key: str) -> None:
    assert match_key(typed, company=True) == key


async def _leads(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())  # type: ignore[arg-type]


async def test_the_same_person_typed_differently_is_merged_a_different_one_is_not(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    async with db.session() as session:
        await event_names.add_event(session, Event(
            org_id=team["org"], name="NRF 2027", starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 15),
            location="New York", timezone="America/New_York", created_by=team["maria"]), [team["ravi"], team["sam"]])
    ravi, sam = team["ravi"], team["sam"]
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        first = await say(coach, ravi, "/okr lead Jane Roe, Acme Corp, warm, first chat")
        assert "saved for NRF 2027" in first
        for line in ("/okr lead Jane Roe, Acme Corp., hot, dot after Corp",
                     "/okr lead jane  roe , ACME corp, hot, case and spacing",
                     "lead: Jane Roe., Acme, Inc., warm, legal form and a stray dot",
                     "/okr lead JANE ROE, acme gmbh, hot, GmbH"):
            assert "Merged into lead #" in await say(coach, sam, line), line
        assert "saved for NRF 2027" in await say(coach, ravi, "/okr lead José Núñez, Société Générale, hot")
        assert "Merged into lead #" in await say(coach, sam, "/okr lead Jose Nunez, Societe Generale S.A., warm")
        assert "saved for NRF 2027" in await say(coach, ravi, "/okr lead Jane Roe, Acme Bank, cold")
        assert "saved for NRF 2027" in await say(coach, ravi, "/okr lead Jane Rowe, Acme Corp, cold")
    jane, jose, bank, rowe = await _leads(db)
    assert (jane.name, jane.company) == ("Jane Roe", "Acme Corp")  # as typed the first time
    assert jane.notes is not None and jane.notes.count("\n") == 4 and "GmbH" in jane.notes
    assert (jose.name, jose.company) == ("José Núñez", "Société Générale")
    assert (bank.company, rowe.name) == ("Acme Bank", "Jane Rowe")
