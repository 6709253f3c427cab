"""The one place the application asks for the time, so tests travel with freezegun.

It is storage's `utcnow` (storage stamps rows with the same clock, and may not import
upward); the name here is what the rest of `bot/` reads.
"""

from storage.db import utcnow as now

__all__ = ["now"]
