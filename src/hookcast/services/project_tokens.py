"""A project's inbound credentials: its token (stored as a digest) and, for sources that sign
their bodies, its signing secret (sealed, since verifying an HMAC needs the secret itself).

Token -> project is cached so that a busy hook endpoint does not ask the database for every
request. Rotating or deleting a project clears this process's cache at once; other processes see
the change (and a renamed project its new name, a new or removed signing secret) within ``ttl``
seconds: at most every ``ttl`` seconds one query reads the projects' stamp (`projects.stamp`), and
the cache is emptied when it moved. Entries do not expire on their own, so a thousand projects
each posting now and then cost no look-up each (the look-up was a good part of a request).

The cache says only whether a project has a signing secret; the secret
itself is read per signed request, so an unsealed secret never lingers in memory."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox, token_digest
from hookcast.services.projects import find_by_token, get, stamp
from hookcast.store.tables import Project

WHSEC_PREFIX = "whsec_"
SIGNING_KEY_BYTES = 32
DEFAULT_TTL = 5.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """``signed``: the project has a signing secret, so a source that then requires a body
    signature (GitLab's, `HeaderToken.signed_when_set`) asks for it."""

    project_id: int
    gitlab_path: str | None
    name: str = ""
    signed: bool = False


class ProjectTokenCache:
    """Inbound project token -> its project (not to be confused with the IM apps' access-token
    cache, `hookcast.directmessages.cache.TokenCache`)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl: float = DEFAULT_TTL) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._entries: dict[str, TokenOwner] = {}
        self._stamp: object = None  # the projects' stamp the entries were read under
        self._checked_until = 0.0  # monotonic time of the next look at the stamp
        self._generation = 0  # moves on each emptying: a look-up begun before it is not kept

    async def owner(self, token: str | None) -> TokenOwner | None:
        if not token:
            return None
        if time.monotonic() >= self._checked_until:
            await self._check_stamp()
        digest = token_digest(token)
        cached = self._entries.get(digest)
        if cached is not None:
            return cached
        generation = self._generation
        async with self._sessions() as session:
            project = await find_by_token(session, token)
        if project is None:
            return None
        owner = TokenOwner(
            project.id, project.gitlab_path, project.name, project.signing_secret_sealed is not None
        )
        if generation == self._generation:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = owner
        return owner

    async def _check_stamp(self) -> None:
        """Empty the cache when a project changed since its entries were read. An entry read
        before a change is either emptied with the others at the next look at the stamp, or,
        when that look came while it was being read, never kept."""
        self._checked_until = time.monotonic() + self._ttl
        async with self._sessions() as session:
            now_stamp = await stamp(session)
        if now_stamp != self._stamp:
            self.clear()
            self._stamp = now_stamp

    def clear(self) -> None:
        self._entries.clear()
        self._generation += 1


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A project and the secret its signed sources' bodies are checked with."""

    project_id: int
    name: str
    secret: str = field(repr=False)


async def signing_key(
    sessions: async_sessionmaker[AsyncSession], box: SecretBox, project_id: int
) -> SigningKey | None:
    """The project's signing secret, unsealed; None when the project or its secret is missing."""
    async with sessions() as session:
        project = await session.get(Project, project_id)
    if project is None or project.signing_secret_sealed is None:
        return None
    return SigningKey(project.id, project.name, box.open(project.signing_secret_sealed))


async def set_signing_secret(
    session: AsyncSession, box: SecretBox, project_id: int, secret: str | None
) -> None:
    """Seal ``secret`` as the project's signing secret (None removes it). Callers clear their
    process's `ProjectTokenCache` afterwards (GitLab's route asks for signatures from then on)."""
    sealed = box.seal(secret) if secret else None
    await session.execute(
        update(Project)
        .where(Project.id == project_id)
        .values(signing_secret_sealed=sealed, updated_at=utcnow())
    )


def new_signing_secret() -> str:
    """``whsec_`` and 32 random bytes in base64: the form GitLab's webhook signing token must
    have (Standard Webhooks), and, as any text is, a valid GitHub webhook secret, so one secret
    serves both senders."""
    return WHSEC_PREFIX + base64.b64encode(secrets.token_bytes(SIGNING_KEY_BYTES)).decode()


async def rotate_signing_secret(session: AsyncSession, box: SecretBox, project_id: int) -> str:
    """Give the project a new signing secret (the old one stops working) and return it, to be
    shown once. `NotFound` for a missing project."""
    await get(session, project_id)
    secret = new_signing_secret()
    await set_signing_secret(session, box, project_id, secret)
    return secret


async def remove_signing_secret(session: AsyncSession, box: SecretBox, project_id: int) -> None:
    """The project has no signing secret any more: GitHub's route refuses its requests, GitLab's
    takes the token alone again. `NotFound` for a missing project."""
    await get(session, project_id)
    await set_signing_secret(session, box, project_id, None)
