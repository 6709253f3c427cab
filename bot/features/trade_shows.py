"""Trade shows and conferences (seed 003): registering an event, capturing leads and
chasing their follow-up. Announced in help, not built yet: both commands say so
honestly until this feature lands."""

from __future__ import annotations

from bot.core.feature import Feature

feature = Feature("trade shows")
feature.coming("event", "/okr event NAME FROM TO")
feature.coming("lead", "/okr lead NAME, COMPANY")
