"""Secrets at rest: Slack installation rows (bot and user tokens) are sealed with
Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) before they reach the
database.

The key comes from COACHBOT_SECRET_KEY: one or more Fernet keys, comma-separated,
newest first (`MultiFernet`): new rows are sealed with the first, old rows open with
any. To rotate, put a new key in front, run `coachbot secrets rotate` (every row
re-sealed with it), then drop the old key. A sealed row is stored as
{"fernet": "<token>"}; without a key rows are kept as they come (and start-up warns),
and a sealed row without its key stops start-up with one line (`SecretsLocked`).
Teams credentials are never stored: MICROSOFT_APP_PASSWORD stays in the environment.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SEALED = "fernet"


class InvalidKey(ValueError):
    """COACHBOT_SECRET_KEY is not a list of Fernet keys; `str()` says how to make one."""


class SecretsLocked(RuntimeError):
    """Sealed rows cannot be opened (no key, or not the key that sealed them)."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def keyring(keys: str) -> MultiFernet:
    """A MultiFernet from "key1,key2" (newest first). Each key is a Fernet key, or a
    random secret of at least 32 characters (such as Heroku's generated 64 hex
    digits), from which a Fernet key is derived with SHA-256."""
    try:
        return MultiFernet([_fernet(k.strip()) for k in keys.split(",") if k.strip()])
    except (ValueError, TypeError):
        raise InvalidKey("each key must be a Fernet key or a random secret of 32 characters or more; make "
                         "one with `coachbot secrets new-key`") from None


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        if len(key) < 32:
            raise
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


class SecretBox:
    """Seals and opens stored dicts; without keys it passes them through."""

    def __init__(self, keys: str | None) -> None:
        self.fernet = keyring(keys) if keys else None

    @property
    def enabled(self) -> bool:
        return self.fernet is not None

    def seal(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.fernet is None:
            return data
        return {SEALED: self.fernet.encrypt(json.dumps(data).encode()).decode()}

    def open(self, stored: dict[str, Any]) -> dict[str, Any]:
        if not is_sealed(stored):
            return stored
        if self.fernet is None:
            raise SecretsLocked("COACHBOT_SECRET_KEY: the database holds encrypted Slack tokens but no key is set; "
                                "set the key they were encrypted with")
        try:
            return dict(json.loads(self.fernet.decrypt(stored[SEALED].encode())))
        except InvalidToken:
            raise SecretsLocked("COACHBOT_SECRET_KEY: none of the keys set opens the encrypted Slack tokens; "
                                "put the key they were encrypted with in the list") from None

    def rotate(self, stored: dict[str, Any]) -> dict[str, Any]:
        """Re-seal with the newest key (plain rows get sealed)."""
        if self.fernet is None:
            raise SecretsLocked("COACHBOT_SECRET_KEY: set a key to encrypt with")
        if not is_sealed(stored):
            return self.seal(stored)
        try:
            return {SEALED: self.fernet.rotate(stored[SEALED].encode()).decode()}
        except InvalidToken:
            raise SecretsLocked("COACHBOT_SECRET_KEY: none of the keys set opens the encrypted Slack tokens; "
                                "keep the old key in the list while rotating") from None


def is_sealed(stored: dict[str, Any]) -> bool:
    return set(stored) == {SEALED}
