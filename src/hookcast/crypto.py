"""Secrets at rest (Fernet, with key rotation) and inbound/API tokens (random, stored as SHA-256
digests)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KeyWatch = Callable[[], Sequence[bytes] | None]  # the keys again when they changed, else None


class SecretBox:
    """Encrypts and decrypts the secrets hookcast keeps (webhook URLs, signing secrets, app keys).

    It holds the instance's keys, newest first: the newest seals, every one of them opens, so
    values sealed before a rotation stay readable until ``hookcast keys rotate`` has re-sealed
    them. ``watch`` (given when the keys come from the key file) answers the keys again when the
    file has changed since: the box asks before it seals or derives a key, and when a value opens
    with none of its keys, so a process started before a rotation reads what the rotation
    re-sealed and seals with the new key, without a restart.
    """

    def __init__(
        self, keys: Sequence[bytes], *, watch: Callable[[], Sequence[bytes] | None] | None = None
    ) -> None:
        self._use(keys)
        self._watch = watch

    def _use(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a secret box needs at least one key")
        self._keys = tuple(keys)
        self._newest = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])

    def _refreshed(self) -> bool:
        """Take the keys again if their file changed; True when they did."""
        keys = self._watch() if self._watch is not None else None
        if keys is None or tuple(keys) == self._keys:
            return False
        self._use(keys)
        return True

    def derived_key(self, purpose: str) -> bytes:
        """A key for ``purpose`` (an HMAC key, say), derived from the newest instance key: one
        secret to keep, and a key used for one thing can never be replayed as another's. After a
        rotation it changes (a form issued before it is refused once)."""
        self._refreshed()
        return hmac.new(self._keys[0], purpose.encode(), hashlib.sha256).digest()

    def seal(self, plaintext: str) -> str:
        self._refreshed()
        return self._newest.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._all.decrypt(token.encode()).decode()
        except InvalidToken:
            if self._refreshed():
                with contextlib.suppress(InvalidToken):
                    return self._all.decrypt(token.encode()).decode()
        raise ValueError("a stored secret cannot be decrypted with HOOKCAST_SECRET_KEY")

    def is_current(self, token: str) -> bool:
        """Whether ``token`` opens with the newest key alone (what a rotation leaves behind)."""
        try:
            self._newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(24)}"


def token_digest(token: str) -> str:
    """Tokens are 192-bit random strings, so a plain SHA-256 is a safe verifier to store."""
    return hashlib.sha256(token.encode()).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
