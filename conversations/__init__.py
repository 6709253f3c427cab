"""Scripted dialog flows as data, and the pure engine that plays them."""
