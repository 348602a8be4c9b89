"""People who sign in to the web UI: accounts (argon2 password hashes) and web sessions."""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import token_digest
from hookcast.services.errors import Conflict, Invalid, NotFound
from hookcast.services.passwords import PasswordHashing
from hookcast.settings import Settings
from hookcast.store.accounts import User, WebSession

MIN_PASSWORD_LENGTH = 8
SESSION_LIFETIME = timedelta(days=14)
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


class UserView(BaseModel):
    id: int
    username: str
    created_at: datetime
    last_sign_in_at: datetime | None


@dataclass(frozen=True, slots=True)
class StartedSession:
    session_id: str  # the cookie value; only its digest is stored
    expires_at: datetime


def view(user: User) -> UserView:
    return UserView(
        id=user.id, username=user.username, created_at=user.created_at, last_sign_in_at=user.last_sign_in_at
    )


def _check_username(username: str) -> str:
    username = username.strip()
    if not USERNAME.fullmatch(username):
        raise Invalid(
            "a username is 1-100 letters, digits or . _ @ - and starts with a letter or digit",
            field="username",
        )
    return username


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("a password has at least {n} characters", field="password", n=MIN_PASSWORD_LENGTH)


async def create(session: AsyncSession, username: str, password: str, hashing: PasswordHashing) -> User:
    username = _check_username(username)
    _check_password(password)
    user = User(username=username, password_hash=await hashing.hash(password), created_at=utcnow())
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("user {username!r} already exists", field="username", username=username) from exc
    return user


async def list_all(session: AsyncSession) -> Sequence[User]:
    return (await session.scalars(select(User).order_by(User.id))).all()


async def get_by_name(session: AsyncSession, username: str) -> User:
    user = await session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound("user {username!r} not found", username=username)
    return user


async def set_password(session: AsyncSession, username: str, password: str, hashing: PasswordHashing) -> User:
    _check_password(password)
    user = await get_by_name(session, username)
    user.password_hash = await hashing.hash(password)
    # A new password signs the user out everywhere.
    await session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    await session.flush()
    return user


async def remove(session: AsyncSession, username: str) -> None:
    user = await get_by_name(session, username)
    await session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    await session.delete(user)
    await session.flush()


async def authenticate(
    session: AsyncSession, username: str, password: str, hashing: PasswordHashing
) -> User | None:
    """The user if the password is right, else None (same work either way)."""
    user = await session.scalar(select(User).where(User.username == username.strip()))
    if not await hashing.verify(user.password_hash if user else None, password) or user is None:
        return None
    if hashing.needs_rehash(user.password_hash):
        user.password_hash = await hashing.hash(password)
    user.last_sign_in_at = utcnow()
    return user


async def start_session(session: AsyncSession, user: User) -> StartedSession:
    now = utcnow()
    session_id = secrets.token_urlsafe(32)
    expires_at = now + SESSION_LIFETIME
    session.add(
        WebSession(
            session_digest=token_digest(session_id), user_id=user.id, created_at=now, expires_at=expires_at
        )
    )
    await session.execute(delete(WebSession).where(WebSession.expires_at < now))
    await session.flush()
    return StartedSession(session_id, expires_at)


async def user_of_session(session: AsyncSession, session_id: str) -> User | None:
    if not session_id:
        return None
    row = await session.scalar(
        select(WebSession).where(WebSession.session_digest == token_digest(session_id))
    )
    if row is None or row.expires_at <= utcnow():
        return None
    return await session.get(User, row.user_id)


async def end_session(session: AsyncSession, session_id: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.session_digest == token_digest(session_id)))


async def ensure_admin_user(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, hashing: PasswordHashing
) -> bool:
    """With HOOKCAST_ADMIN_PASSWORD set and no user yet, create the first user. True if created."""
    if settings.admin_password is None:
        return False
    async with sessions.begin() as session:
        if await session.scalar(select(func.count()).select_from(User)):
            return False
        await create(session, settings.admin_user, settings.admin_password.get_secret_value(), hashing)
    print(f"hookcast: created the web UI user {settings.admin_user!r}", file=sys.stderr, flush=True)
    return True
