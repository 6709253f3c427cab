"""Trade shows and conferences (seed 003, issue #14): register an event and its team,
prepare the team in the days before, capture leads in one line during it, give
every lead an owner and a deadline after it, chase the follow-up until it happens,
and report the event's result. The parts register on one `Feature`."""

from __future__ import annotations

from bot.features.trade_shows import events, lead_form, leads, schedule  # noqa: F401  (they register)
from bot.features.trade_shows.base import feature
from bot.features.trade_shows.leads import overdue_leads

__all__ = ["feature", "overdue_leads"]
