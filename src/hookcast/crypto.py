"""Secrets at rest (Fernet, with key rotation) and inbound/API tokens (random, stored as SHA-256
digests)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    """Encrypts and decrypts the secrets hookcast keeps (webhook URLs, signing secrets, app keys).

    It holds the instance's keys, newest first: the newest seals, every one of them opens, so
    values sealed before a rotation stay readable until ``hookcast keys rotate`` has re-sealed
    them. ``reload`` (the key file, when the keys come from one) is read again when a value opens
    with none of the keys held: a process started before a rotation then reads what the rotation
    re-sealed, without a restart (it seals with the new key from then on too).
    """

    def __init__(self, keys: Sequence[bytes], *, reload: Callable[[], Sequence[bytes]] | None = None) -> None:
        self._use(keys)
        self._reload = reload

    def _use(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a secret box needs at least one key")
        self._keys = tuple(keys)
        self._newest = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])

    @property
    def key_count(self) -> int:
        return len(self._keys)

    def derived_key(self, purpose: str) -> bytes:
        """A key for ``purpose`` (an HMAC key, say), derived from the newest instance key: one
        secret to keep, and a key used for one thing can never be replayed as another's. After a
        rotation it changes (forms issued before it are issued again)."""
        return hmac.new(self._keys[0], purpose.encode(), hashlib.sha256).digest()

    def seal(self, plaintext: str) -> str:
        return self._newest.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._all.decrypt(token.encode()).decode()
        except InvalidToken:
            if self._reload is not None and self._reloaded():
                with contextlib.suppress(InvalidToken):
                    return self._all.decrypt(token.encode()).decode()
        raise ValueError("a stored secret cannot be decrypted with HOOKCAST_SECRET_KEY")

    def _reloaded(self) -> bool:
        """Read the keys again; True when they changed (so opening is worth another try)."""
        assert self._reload is not None
        try:
            keys = tuple(self._reload())
        except (OSError, ValueError):  # the file is gone or damaged: keep the keys held
            return False
        if keys == self._keys:
            return False
        self._use(keys)
        return True

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
