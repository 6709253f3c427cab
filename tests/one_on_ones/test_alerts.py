"""Alerts reach a manager batched: one message a day in their working hours, with
every missed or skipped prompt, absence and key result gone off track since the last."""

from __future__ import annotations

from datetime import date

from meeting_helpers import at, joined, utc

from bot.features.alerts import send_digests
from storage import schedule
from storage.models import CheckIn, CheckInAnswer, KeyResult, Objective, Occurrence


async def test_alerts_are_batched_once_a_day_in_the_managers_working_hours(coach, team, db, outbox) -> None:
    await joined(db, utc(2027, 1, 1))
    async with db.session() as s:
        s.add(Occurrence(key="okr_checkin:s:1", org_id=team["org"], person_id=team["sam"], kind="okr_checkin",
                         due_at=utc(2027, 3, 2, 17), local_date=date(2027, 3, 2), status="missed", reason="unanswered"))
        s.add(Occurrence(key="wig:r:1", org_id=team["org"], person_id=team["ravi"], kind="wig",
                         due_at=utc(2027, 3, 1, 3), local_date=date(2027, 3, 1), status="skipped",
                         reason="skipped by the person"))
        s.add(Occurrence(key="wig:r:0", org_id=team["org"], person_id=team["ravi"], kind="wig",
                         due_at=utc(2027, 2, 22, 3), local_date=date(2027, 2, 22), status="missed",
                         reason="superseded"))  # caught up after downtime: not the rep's doing
    with at(utc(2027, 3, 3, 12)):  # `/okr out` on Wednesday
        async with db.session() as s:
            await schedule.add_absence(s, team["ravi"], date(2027, 3, 10), date(2027, 3, 12), "out of office")

    def to_maria() -> list[str]:
        return [m.plain() for r, ms in outbox.sent if r.person_id == team["maria"] for m in ms]
    with at(utc(2027, 3, 4, 11)):  # 06:00 in New York: too early
        assert await send_digests(coach) == 0
    with at(utc(2027, 3, 4, 14)):  # 09:00 in New York
        assert await send_digests(coach) == 1
        assert await send_digests(coach) == 0
    text = to_maria()[0]
    assert "Sam Seller missed the OKR check-in of Tue 02 Mar" in text
    assert "Ravi Rep skipped the WIG session of Mon 01 Mar" in text
    assert "Ravi Rep is out of office 10 Mar – 12 Mar" in text and "22 Feb" not in text
    async with db.session() as s:
        objective = Objective(org_id=team["org"], owner_id=team["sam"], title="Grow", period="2027")
        s.add(objective)
        await s.flush()
        kr = KeyResult(objective_id=objective.id, title="New logos", target_value=10)
        check = CheckIn(org_id=team["org"], person_id=team["sam"], kind="okr_checkin")
        s.add_all([kr, check])
        await s.flush()
        s.add(CheckInAnswer(checkin_id=check.id, key_result_id=kr.id, question="key_result", value=1,
                            confidence="off_track", answered_at=utc(2027, 3, 4, 16)))
    with at(utc(2027, 3, 4, 20)):  # the same day: it waits
        assert await send_digests(coach) == 0
    with at(utc(2027, 3, 5, 14)):
        assert await send_digests(coach) == 1
    assert len(to_maria()) == 2
    assert 'Sam Seller moved "New logos" to off track' in to_maria()[1] and "missed" not in to_maria()[1]
