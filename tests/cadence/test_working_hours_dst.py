"""24 working hours are counted on the wall clock (F8a): a nudge lands at the same
local time the next working day whether daylight saving time starts or ends between."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cadence import Calendar, add_working_hours, parse_working_days

SUN_THU = parse_working_days("7,1,2,3,4")
EVERY_DAY = parse_working_days("1,2,3,4,5,6,7")
JERUSALEM, NEW_YORK = ZoneInfo("Asia/Jerusalem"), ZoneInfo("America/New_York")


def _local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


def test_24_working_hours_over_the_night_the_clocks_go_back_keep_the_wall_time() -> None:
    israel = Calendar(1, "Asia/Jerusalem", SUN_THU, "IL")  # DST ends Sun 31 Oct 2027 02:00
    due = add_working_hours(israel, _local(JERUSALEM, 2027, 10, 28, 9, 30), 24)
    assert due.astimezone(JERUSALEM).replace(tzinfo=None) == datetime(2027, 10, 31, 9, 30)
    new_york = Calendar(1, "America/New_York", EVERY_DAY)  # DST ends Sun 7 Nov 2027
    due = add_working_hours(new_york, _local(NEW_YORK, 2027, 11, 6, 9, 30), 24)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2027, 11, 7, 9, 30)


def test_24_working_hours_over_the_night_the_clocks_go_forward_keep_the_wall_time() -> None:
    israel = Calendar(1, "Asia/Jerusalem", SUN_THU, "IL")  # DST starts Fri 26 Mar 2027
    due = add_working_hours(israel, _local(JERUSALEM, 2027, 3, 25, 9, 30), 24)
    assert due.astimezone(JERUSALEM).replace(tzinfo=None) == datetime(2027, 3, 28, 9, 30)
    new_york = Calendar(1, "America/New_York", EVERY_DAY)  # DST starts Sun 14 Mar 2027
    due = add_working_hours(new_york, _local(NEW_YORK, 2027, 3, 13, 9, 30), 24)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2027, 3, 14, 9, 30)
    # a wall time the switch skips moves forward by the gap, as a planned slot does
    due = add_working_hours(new_york, _local(NEW_YORK, 2027, 3, 13, 2, 30), 24)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2027, 3, 14, 3, 30)
