"""In-memory caches of the IM app clients: the access token, and user look-ups (including
"not found") for a while. Time comes from an injectable monotonic clock."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Clock = Callable[[], float]

FOUND_TTL = 24 * 3600.0
MISSING_TTL = 10 * 60.0
REFRESH_MARGIN = 300.0  # refresh a token this long before it expires ...
MIN_LIFETIME_SHARE = 0.5  # ... but never before half its lifetime


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    expires_in: float  # seconds from when it was issued


class AccessTokenCache:
    """One access token, fetched once for every concurrent caller and reused until shortly
    before its expiry (or until `invalidate`)."""

    def __init__(self, fetch: Callable[[], Awaitable[Token]], clock: Clock = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = asyncio.Lock()
        self._value: str | None = None
        self._refresh_at = 0.0
        self.fetches = 0
        self.issued: deque[str] = deque(maxlen=2)  # the latest tokens, to scrub from reasons

    async def get(self) -> str:
        if self._value is not None and self._clock() < self._refresh_at:
            return self._value
        async with self._lock:
            if self._value is not None and self._clock() < self._refresh_at:
                return self._value
            token = await self._fetch()
            self.fetches += 1
            margin = min(REFRESH_MARGIN, token.expires_in * MIN_LIFETIME_SHARE)
            self._value = token.value
            self.issued.append(token.value)
            self._refresh_at = self._clock() + max(token.expires_in - margin, 0.0)
            return token.value

    def invalidate(self, stale: str | None = None) -> None:
        """Forget the token (only if it is still ``stale``, when given: another caller may
        already have refreshed it)."""
        if stale is None or stale == self._value:
            self._value = None


class LookupCache:
    """``(kind, value) -> user id or None`` with separate lifetimes for found and not found."""

    def __init__(
        self, clock: Clock = time.monotonic, found_ttl: float = FOUND_TTL, missing_ttl: float = MISSING_TTL
    ) -> None:
        self._clock = clock
        self._found_ttl = found_ttl
        self._missing_ttl = missing_ttl
        self._entries: dict[tuple[str, str], tuple[str | None, float]] = {}

    def get(self, kind: str, value: str) -> tuple[bool, str | None]:
        """(known, user id): known is False when there is no fresh entry."""
        entry = self._entries.get((kind, value))
        if entry is None or entry[1] <= self._clock():
            return False, None
        return True, entry[0]

    def put(self, kind: str, value: str, user_id: str | None) -> None:
        ttl = self._found_ttl if user_id is not None else self._missing_ttl
        self._entries[(kind, value)] = (user_id, self._clock() + ttl)
