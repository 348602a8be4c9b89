"""Inbound token -> project, cached briefly so that a busy hook endpoint does not ask the
database for every request. Rotating or deleting a project clears this process's cache at once;
other processes see the change within ``ttl`` seconds."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.crypto import token_digest
from hookcast.services.projects import find_by_token

DEFAULT_TTL = 5.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class TokenOwner:
    project_id: int
    gitlab_path: str | None


class TokenCache:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl: float = DEFAULT_TTL) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._entries: dict[str, tuple[float, TokenOwner]] = {}

    async def owner(self, token: str | None) -> TokenOwner | None:
        if not token:
            return None
        digest = token_digest(token)
        cached = self._entries.get(digest)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self._sessions() as session:
            project = await find_by_token(session, token)
        if project is None:
            self._entries.pop(digest, None)
            return None
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        owner = TokenOwner(project.id, project.gitlab_path)
        self._entries[digest] = (now + self._ttl, owner)
        return owner

    def clear(self) -> None:
        self._entries.clear()
