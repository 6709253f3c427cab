"""coachbot: the running application (CLI, coach, commands, cadences, channels)."""

__version__ = "0.1.0"
