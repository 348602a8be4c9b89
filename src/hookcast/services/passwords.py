"""Password hashing (argon2) off the event loop, behind a small bound.

An argon2 hash costs tens of milliseconds of CPU by design. Run on the event loop, a few clients
posting wrong passwords stall every hook, API call and delivery of the process; run in threads
without a bound, they take every core. So at most ``parallel`` hashes run at once, in threads, and
when ``waiting`` more are already queued a new request is refused at once (`Busy`) instead of
piling up.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hookcast.services.errors import Busy
from hookcast.settings import DEFAULT_PASSWORD_HASH_MEMORY_KIB

P = ParamSpec("P")
T = TypeVar("T")


class PasswordHashing:
    def __init__(
        self, *, memory_kib: int = DEFAULT_PASSWORD_HASH_MEMORY_KIB, parallel: int = 2, waiting: int = 8
    ) -> None:
        """``memory_kib`` (``HOOKCAST_PASSWORD_HASH_MEMORY_KIB``): argon2id's memory cost; its
        passes and lanes are argon2-cffi's defaults (RFC 9106's low-memory setting)."""
        self._hasher = PasswordHasher(memory_cost=memory_kib)
        self._slots = asyncio.Semaphore(parallel)
        self._queued = 0
        self._max_queued = parallel + waiting
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """True if ``password`` matches ``stored``. With no stored hash (no such user), the same
        work is done against a dummy hash, so the answer takes as long either way."""
        if self._dummy is None:
            # Made on first use, not at start: a hash costs tens of ms on every CLI start.
            self._dummy = await self.hash(secrets.token_hex(16))
        return await self._run(self._matches, stored or self._dummy, password) and stored is not None

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)

    def _matches(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._queued >= self._max_queued:
            raise Busy("too many sign-ins at once; try again in a few seconds", retry_after=2)
        self._queued += 1
        try:
            async with self._slots:
                return await asyncio.to_thread(work, *args, **kwargs)
        finally:
            self._queued -= 1
