"""Rules -> occurrences, without a database: DST in the US and Europe, a Sunday–Thursday
week east of UTC, Pacific/Auckland, ISO week 53, holidays, vacations, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot import cadence
from bot.cadence import OKR_CHECKIN, WIG, Calendar, Rule, default_rule, parse_working_days, plan

MON_FRI = parse_working_days("1,2,3,4,5")
SUN_THU = parse_working_days("7,1,2,3,4")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slots(cal: Calendar, rule: Rule, start: datetime, end: datetime) -> list[cadence.Slot]:
    return plan(cal, rule, start, end)


def test_default_rules_follow_the_persons_week() -> None:
    assert default_rule(WIG, MON_FRI).rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert default_rule(OKR_CHECKIN, MON_FRI).rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert default_rule(WIG, SUN_THU).rrule == "FREQ=WEEKLY;BYDAY=SU"
    assert default_rule(OKR_CHECKIN, SUN_THU).rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    assert cadence.week_start(parse_working_days("1,2,3,4,5,6,7")) == 1


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        # US: second Sunday of March / first Sunday of November 2027
        ("America/New_York", (2027, 3, 8), (2027, 3, 15)),
        ("America/New_York", (2027, 11, 1), (2027, 11, 8)),
        # Europe: last Sunday of March / of October 2027
        ("Europe/Oslo", (2027, 3, 22), (2027, 3, 29)),
        ("Europe/Oslo", (2027, 10, 25), (2027, 11, 1)),
    ],
)
def test_weekly_prompt_keeps_local_time_across_dst(tz: str, before: tuple[int, int, int],
                                                    after: tuple[int, int, int]) -> None:
    cal = Calendar(1, tz, MON_FRI)
    found = slots(cal, default_rule(WIG, MON_FRI), utc(*before), utc(*after) + timedelta(days=1))
    assert [s.local.date() for s in found] == [date(*before), date(*after)]  # type: ignore[union-attr]
    assert {s.local.time() for s in found} == {time(9, 0)}  # type: ignore[union-attr]
    offsets = [s.due_at - s.local.replace(tzinfo=None).replace(tzinfo=UTC) for s in found]  # type: ignore[union-attr,operator]
    assert offsets[0] != offsets[1], "the UTC instant moves by an hour, the local time does not"
    assert abs(found[1].due_at - found[0].due_at - timedelta(days=7)) == timedelta(hours=1)  # type: ignore[operator]


def test_biweekly_is_fourteen_local_days_across_dst_not_336_hours() -> None:
    cal = Calendar(1, "America/Los_Angeles", MON_FRI)
    found = slots(cal, default_rule(OKR_CHECKIN, MON_FRI), utc(2027, 3, 1), utc(2027, 4, 1))
    assert [s.local.time() for s in found] == [time(9, 30)] * len(found)  # type: ignore[union-attr]
    gaps = {(b.local.date() - a.local.date()).days for a, b in zip(found, found[1:], strict=False)}  # type: ignore[union-attr]
    assert gaps == {14}


def test_iso_week_53_does_not_break_the_biweekly_rhythm() -> None:
    """2026 has an ISO week 53 (Mon 28 Dec). Counting "even weeks" would give 52 -> 53
    -> 2 (one and two weeks); WEEKLY;INTERVAL=2 keeps exactly two weeks."""
    assert date(2026, 12, 28).isocalendar().week == 53
    cal = Calendar(1, "Europe/Oslo", MON_FRI)
    rule = Rule(OKR_CHECKIN, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", time(9, 30), anchor_on=date(2026, 12, 14))
    found = slots(cal, rule, utc(2026, 12, 1), utc(2027, 2, 1))
    nominal = [s.nominal.date() for s in found]
    assert nominal == [date(2026, 12, 14), date(2026, 12, 28), date(2027, 1, 11), date(2027, 1, 25)]
    weeks = [d.isocalendar().week for d in nominal]
    assert weeks == [51, 53, 2, 4]


def test_sunday_to_thursday_week_east_of_utc() -> None:
    """Riyadh (UTC+3) works Sunday to Thursday: the WIG prompt is on Sunday 09:00
    local, which is Sunday 06:00 UTC; Friday and Saturday are never used."""
    cal = Calendar(1, "Asia/Riyadh", SUN_THU)
    found = slots(cal, default_rule(WIG, SUN_THU), utc(2027, 1, 1), utc(2027, 1, 31))
    assert [s.local.date().isoweekday() for s in found] == [7, 7, 7, 7]  # type: ignore[union-attr]
    assert found[0].due_at == utc(2027, 1, 3, 6, 0)
    # an organisation rule for Friday moves to Sunday (next working day), same time
    friday = Rule(WIG, "FREQ=WEEKLY;BYDAY=FR", time(9, 0), source="org")
    moved = slots(cal, friday, utc(2027, 1, 1), utc(2027, 1, 10))
    assert [(s.status, s.local.date(), s.reason) for s in moved] == [  # type: ignore[union-attr]
        ("moved", date(2027, 1, 3), "day_off:5")]


def test_pacific_auckland_is_a_day_ahead_of_utc() -> None:
    """Monday 09:00 in Auckland (NZDT, UTC+13) is Sunday 20:00 UTC."""
    cal = Calendar(1, "Pacific/Auckland", MON_FRI)
    found = slots(cal, default_rule(WIG, MON_FRI), utc(2027, 1, 3), utc(2027, 1, 5))
    assert len(found) == 1
    assert found[0].local.date() == date(2027, 1, 4)  # type: ignore[union-attr]
    assert found[0].due_at == utc(2027, 1, 3, 20, 0)
    # and in April NZ leaves daylight time (first Sunday of April): UTC+12
    april = slots(cal, default_rule(WIG, MON_FRI), utc(2027, 4, 4), utc(2027, 4, 6))
    assert april[0].due_at == utc(2027, 4, 4, 21, 0)


def test_public_holiday_moves_the_prompt_to_the_next_working_day() -> None:
    """Norway, Easter Monday 2027-03-29: the WIG prompt goes out on Tuesday instead."""
    cal = Calendar(1, "Europe/Oslo", MON_FRI, country="NO")
    found = slots(cal, default_rule(WIG, MON_FRI), utc(2027, 3, 28), utc(2027, 4, 1))
    assert len(found) == 1
    slot = found[0]
    assert slot.status == "moved"
    assert slot.reason == "holiday:Easter Monday"
    assert slot.local == datetime(2027, 3, 30, 9, 0, tzinfo=cal.zone)
    assert slot.key == "wig:1:2027-03-29", "the key keeps the nominal day"


def test_holiday_week_skips_when_no_slot_before_next_regular_one() -> None:
    """A Californian who works Thursday and Friday only, with a Thursday rule:
    Thanksgiving and the day after are both holidays, and the next working day is the
    next regular Thursday, so this week's prompt is skipped (with the reason)."""
    cal = Calendar(1, "America/New_York", parse_working_days("4,5"), country="US-CA")
    rule = Rule(WIG, "FREQ=WEEKLY;BYDAY=TH", time(9, 0), source="org")
    found = slots(cal, rule, utc(2027, 11, 24), utc(2027, 11, 30))
    assert [(s.status, s.reason) for s in found] == [
        ("skipped", "holiday:Thanksgiving Day; holiday:Day After Thanksgiving")]  # each day passed over, in order
    assert found[0].due_at is None


def test_vacation_moves_within_the_week_and_skips_a_whole_week() -> None:
    vacation = ((date(2027, 3, 1), date(2027, 3, 3)), (date(2027, 3, 8), date(2027, 3, 12)))
    cal = Calendar(1, "Europe/Oslo", MON_FRI, absences=vacation)
    found = slots(cal, default_rule(WIG, MON_FRI), utc(2027, 2, 28), utc(2027, 3, 16))
    assert [(s.key, s.status, s.reason) for s in found] == [
        ("wig:1:2027-03-01", "moved", "absence:2027-03-03"),
        ("wig:1:2027-03-08", "skipped", "absence:2027-03-12"),
        ("wig:1:2027-03-15", "due", None),
    ]
    assert found[0].local.date() == date(2027, 3, 4)  # type: ignore[union-attr]


def test_quiet_hours_push_the_prompt_to_their_end() -> None:
    cal = Calendar(1, "Asia/Kolkata", MON_FRI, quiet_start=time(20, 0), quiet_end=time(10, 0))
    found = slots(cal, default_rule(WIG, MON_FRI), utc(2027, 1, 3), utc(2027, 1, 5))
    assert found[0].status == "moved"
    assert found[0].local.time() == time(10, 0)  # type: ignore[union-attr]
    assert found[0].reason == "quiet_hours:10:00"


def test_person_rule_beats_team_beats_org_beats_default() -> None:
    org = Rule(WIG, "FREQ=WEEKLY;BYDAY=WE", time(8, 0), source="org")
    team = Rule(WIG, "FREQ=WEEKLY;BYDAY=TH", time(8, 0), source="team")
    person = Rule(WIG, "FREQ=WEEKLY;BYDAY=FR", time(8, 0), source="person")
    assert cadence.resolve_rules(WIG, [org, team, person], MON_FRI) is person
    assert cadence.resolve_rules(WIG, [org, team], MON_FRI) is team
    assert cadence.resolve_rules(WIG, [org], MON_FRI) is org
    assert cadence.resolve_rules(WIG, [], MON_FRI).source == "default"  # type: ignore[union-attr]
    off = Rule(WIG, "", time(8, 0), source="person")
    assert cadence.resolve_rules(WIG, [org, off], MON_FRI) is None


def test_working_hours_skip_weekends_and_holidays() -> None:
    cal = Calendar(1, "Europe/Oslo", MON_FRI, country="NO")
    friday = datetime(2027, 3, 19, 9, 30, tzinfo=cal.zone)
    assert cadence.add_working_hours(cal, friday, 24) == datetime(2027, 3, 22, 9, 30, tzinfo=cal.zone)
    # Maundy Thursday and Good Friday 2027 are holidays in Norway, Easter Monday too
    wednesday = datetime(2027, 3, 24, 9, 0, tzinfo=cal.zone)
    assert cadence.add_working_hours(cal, wednesday, 24) == datetime(2027, 3, 30, 9, 0, tzinfo=cal.zone)


def test_spring_forward_gap_moves_a_nonexistent_time_forward() -> None:
    cal = Calendar(1, "Europe/Oslo", parse_working_days("1,2,3,4,5,6,7"))
    rule = Rule(WIG, "FREQ=DAILY", time(2, 30), source="org")
    found = slots(cal, rule, utc(2027, 3, 27, 12), utc(2027, 3, 28, 12))
    assert len(found) == 1
    assert found[0].local.strftime("%H:%M") == "03:30"  # type: ignore[union-attr]
    assert found[0].due_at == utc(2027, 3, 28, 1, 30)


def test_people_are_not_owed_prompts_from_before_they_joined() -> None:
    cal = Calendar(1, "Europe/Oslo", MON_FRI, not_before=utc(2027, 1, 6))
    found = slots(cal, default_rule(WIG, MON_FRI), utc(2027, 1, 1), utc(2027, 1, 20))
    assert [s.local.date() for s in found] == [date(2027, 1, 11), date(2027, 1, 18)]  # type: ignore[union-attr]


def test_bad_rule_is_reported_clearly() -> None:
    with pytest.raises(cadence.CadenceError):
        cadence.check_rule("EVERY OTHER TUESDAY")
    with pytest.raises(cadence.CadenceError):
        cadence.check_rule("FREQ=WEEKLY", "9h30")
    with pytest.raises(cadence.CadenceError):
        cadence.check_rule("FREQ=WEEKLY", "09:30", "Mars/Olympus")


def test_fall_back_repeated_time_takes_the_first_pass() -> None:
    """01:30 happens twice in New York on 7 November 2027: the prompt goes at the first
    one (EDT, 05:30 UTC), once."""
    cal = Calendar(1, "America/New_York", parse_working_days("1,2,3,4,5,6,7"))
    rule = Rule(WIG, "FREQ=DAILY", time(1, 30), source="org")
    found = slots(cal, rule, utc(2027, 11, 7, 0), utc(2027, 11, 8, 0))
    assert [s.due_at for s in found] == [utc(2027, 11, 7, 5, 30)]
