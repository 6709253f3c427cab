"""Cadences: local rules -> occurrences, in each person's own calendar.

`rules` and `calendar` are pure (no I/O, no clock) and make the package's public
names; `planner` writes occurrences, `dispatcher` claims and sends them, `timer` is
the APScheduler alarm clock that wakes the dispatcher and runs the features' jobs.
"""

from bot.cadence.calendar import (
    Calendar,
    add_working_hours,
    available_at,
    country_of_zone,
    holiday_name,
    localise,
    next_working_morning,
)
from bot.cadence.rules import (
    DEFAULT_ANCHOR,
    DEFAULTS,
    OKR_CHECKIN,
    ONE_ON_ONE,
    PROMPT_KINDS,
    WIG,
    CadenceError,
    Rule,
    Slot,
    check_rule,
    default_rule,
    nominal_days,
    occurrence_key,
    parse_local_time,
    place,
    plan,
    resolve_rules,
    weekly_rhythm,
)
from bot.core.clock import zone
from conversations.working_week import parse_working_days, week_start

__all__ = [
    "DEFAULTS", "DEFAULT_ANCHOR", "OKR_CHECKIN", "ONE_ON_ONE", "PROMPT_KINDS", "WIG", "CadenceError",
    "Calendar", "Rule", "Slot", "add_working_hours", "available_at", "check_rule", "country_of_zone",
    "default_rule", "holiday_name", "localise", "next_working_morning", "nominal_days", "occurrence_key",
    "parse_local_time", "parse_working_days", "place", "plan", "resolve_rules", "week_start", "weekly_rhythm", "zone",
]
