"""Review low faults: a reply's example says the command word the person typed.
`/okr wig value` and `/okr wig now-at` re-asks name `value` / `now-at` (not
`update`) and keep `confirm`, also when the line ends in a full stop or the value is
in the wrong unit; an unknown `/okr` command is quoted as typed ("㏒", "ＬＯＧ"),
not as its NFKC folding ("log")."""

from __future__ import annotations

import pytest
from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach
from storage.db import Database

NOV30 = "2026-11-30 15:00:00"


async def _two_wigs(coach: Coach, maria: int) -> None:
    assert "is set" in await say(coach, maria, "/okr wig add Deals from 10 to 20 deals by June 30")
    assert "is set" in await say(coach, maria, "/okr wig add ARR from $1M to $2M by June 30")


@pytest.mark.parametrize(("typed", "examples"), [
    ("value 2 1,5.", ["`/okr wig value 2 1.5`", "`/okr wig value 2 15`"]),   # a full stop after the number
    ("now-at 2 1,5 confirm.", ["`/okr wig now-at 2 1.5 confirm`", "`/okr wig now-at 2 15 confirm`"]),
    ("value 2 1,5M confirm", ["`/okr wig value 2 1.5M confirm`", "`/okr wig value 2 15M confirm`"]),
    ("now-at 1 1,5 confirm", ["`/okr wig now-at 1 15 confirm`"]),            # a count: its whole reading only
])
async def test_the_1_5_example_echoes_the_alias_and_confirm(coach: Coach, db: Database, team: dict[str, int],
                                                            typed: str, examples: list[str]) -> None:
    with freeze_time(NOV30):
        await _two_wigs(coach, team["maria"])
        reply = await say(coach, team["maria"], f"/okr wig {typed}")
        assert "reads two ways" in reply or "isn't a whole number" in reply, reply
        assert all(e in reply for e in examples) and "/okr wig update" not in reply, reply


@pytest.mark.parametrize(("typed", "example"), [
    ("now-at 2 5 weeks", "`/okr wig now-at 2 2000000`"),     # not in the WIG's unit
    ("value 1 1.5", "`/okr wig value 1 20`"),                 # a count is whole
    ("now-at 1 -5 confirm", "`/okr wig now-at 1 5`"),         # a count is never below zero
    ("value 2 -5", "`/okr wig value 2 -5 confirm`"),          # money below zero: read back until confirm
    ("value 2 +5", "`/okr wig value 2 5`"),                   # a change, not a value
    ("now-at x 5", "`/okr wig now-at 1 1.35M`"),              # no WIG number
])
async def test_every_update_reask_names_the_alias_typed(coach: Coach, db: Database, team: dict[str, int],
                                                        typed: str, example: str) -> None:
    with freeze_time(NOV30):
        await _two_wigs(coach, team["maria"])
        reply = await say(coach, team["maria"], f"/okr wig {typed}")
        assert example in reply and "/okr wig update" not in reply, reply


@pytest.mark.parametrize(("typed", "shown"), [("㏒", "㏒"), ("ＬＯＧ", "ＬＯＧ"), ("ﬁx", "ﬁx"), ("Blah", "Blah")])
async def test_an_unknown_command_is_quoted_as_typed(coach: Coach, team: dict[str, int], typed: str,
                                                     shown: str) -> None:
    reply = await say(coach, team["ravi"], f"/okr {typed}")
    assert f"I don't know the command `{shown}`" in reply, reply


async def test_a_known_command_typed_full_width_still_runs(coach: Coach, team: dict[str, int]) -> None:
    assert "I don't know the command" not in await say(coach, team["ravi"], "/okr ＨＥＬＰ")
