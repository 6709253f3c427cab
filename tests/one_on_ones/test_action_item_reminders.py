"""The action-item reminder (`remind_items`): each open item once, on its owner's local
due day, in their working hours, in every organisation of the install."""

from __future__ import annotations

from datetime import date

from meeting_helpers import at, items, utc

from bot.features.action_items import remind_items
from storage import people
from storage.models import ActionItem
from storage.people import TeamRow


async def _second_company(db) -> dict[str, int]:
    async with db.session() as session:
        other = await people.ensure_org(session, "Other Co", "Europe/Oslo", "NO")
        await people.upsert_team(session, other.id, [
            TeamRow("mona@other.example", "Mona Two", "manager", None, "America/New_York"),
            TeamRow("rita@other.example", "Rita Two", "rep", "mona@other.example", "America/New_York")])
        found = {p.email: p.id for p in await people.team(session, other.id)}
        return {"org": other.id, "mona": found["mona@other.example"], "rita": found["rita@other.example"]}


async def test_every_company_s_items_are_reminded_not_only_the_first_company_s(coach, team, db, outbox) -> None:
    other = await _second_company(db)
    async with db.session() as session:  # the first company's item has the lower id
        session.add(ActionItem(org_id=team["org"], manager_id=team["maria"], rep_id=team["sam"],
                               owner_id=team["sam"], text="send the deck", due_on=date(2026, 12, 1)))
        session.add(ActionItem(org_id=other["org"], manager_id=other["mona"], rep_id=other["rita"],
                               owner_id=other["rita"], text="call Acme back", due_on=date(2026, 12, 1)))
    # Tue 1 Dec 2026 18:00 UTC: 13:00 in New York, 10:00 in Los Angeles, both at work
    with at(utc(2026, 12, 1, 18, 0)):
        assert await remind_items(coach) == 2
        assert await remind_items(coach) == 0  # once each
    texts = {recipient.person_id: " ".join(m.plain() for m in sent) for recipient, sent in outbox.sent}
    assert "send the deck" in texts[team["sam"]] and "call Acme back" in texts[other["rita"]]
    assert all(item.reminded_at is not None for item in await items(db))
