"""Attacker F2 on Teams: a roster e-mail holding a character that prints nothing is not
the address it reads as, so it matches nobody (not even a ghost row an older import
stored with the same invisible character)."""

from __future__ import annotations

from storage import people
from storage.people import TeamRow
from teams.teamskit import TeamsKit


async def test_a_roster_e_mail_with_a_hidden_character_matches_nobody(teams: TeamsKit,
                                                                       team: dict[str, int]) -> None:
    await teams.activity("message_personal", text="okr help", id="bind-1")  # binds the tenant
    async with teams.coach.db.session() as session:
        await people.upsert_team(session, team["org"], [
            TeamRow("ghost@example.com\u200b", "Ghost", "rep", "maria@example.com", "UTC")])
    ghost = {"id": "29:ghost", "name": "Ghost", "aadObjectId": "aad-ghost"}
    teams.connector.members["29:ghost"] = {**ghost, "email": "ghost@example.com\u200b",
                                           "userPrincipalName": "ghost@example.com\u200b"}
    teams.connector.calls.clear()
    await teams.activity("message_personal", **{"from": ghost}, text="okr help", id="ghost-1")
    shown = teams.connector.texts()
    assert "team list" in shown and "okr status" not in shown
