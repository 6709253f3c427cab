"""Channels: the edge where platform payloads become neutral events and back."""
