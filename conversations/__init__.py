"""Scripted dialog flows as data, and the pure engine that plays them."""

from conversations import action_items as _action_items  # noqa: E402,F401  (registers its validator)
from conversations import goal_numbers as _goal_numbers  # noqa: E402,F401  (registers its validator)
