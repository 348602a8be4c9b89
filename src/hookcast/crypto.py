"""Secrets at rest (Fernet) and inbound/API tokens (random, stored as SHA-256 digests)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEY_FILE_NAME = "hookcast.key"


class SecretBox:
    """Encrypts and decrypts the secrets hookcast keeps (webhook URLs, signing secrets, app keys)."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._key = key

    def derived_key(self, purpose: str) -> bytes:
        """A key for ``purpose`` (an HMAC key, say), derived from the instance key: one secret
        to keep, and a key used for one thing can never be replayed as another's."""
        return hmac.new(self._key, purpose.encode(), hashlib.sha256).digest()

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("a stored secret cannot be decrypted with HOOKCAST_SECRET_KEY") from exc


def load_or_create_key(configured: str | None, data_dir: Path) -> bytes:
    """The configured key, or the one kept in ``data_dir``, created there (mode 0600) on first use."""
    if configured:
        return configured.encode()
    path = data_dir / KEY_FILE_NAME
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(24)}"


def token_digest(token: str) -> str:
    """Tokens are 192-bit random strings, so a plain SHA-256 is a safe verifier to store."""
    return hashlib.sha256(token.encode()).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
