"""Who is signed in: the session cookie, the database session of a UI request, the sign-in guard.

The cookie holds a random session id; the database keeps only its SHA-256 digest
(``store.accounts.WebSession``), so sessions can be listed and ended server-side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.services import users
from hookcast.store.accounts import User
from hookcast.web.deps import RuntimeDep

COOKIE = "hookcast_session"


async def db_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One database session per UI request; handlers commit what they change (and may roll back
    a failed change to show the form again), anything left is committed at the end."""
    async with runtime.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


DbDep = Annotated[AsyncSession, Depends(db_session)]


def sign_in_redirect(request: Request) -> HTTPException:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(
        status.HTTP_303_SEE_OTHER, headers={"Location": f"/ui/sign-in?next={quote(target, safe='')}"}
    )


async def current_user(request: Request, session: DbDep) -> User:
    user = await users.user_of_session(session, request.cookies.get(COOKIE, ""))
    if user is None:
        raise sign_in_redirect(request)
    request.state.user = users.view(user)  # a plain copy: templates never touch the ORM
    return user


UserDep = Annotated[User, Depends(current_user)]


def secure_cookies(request: Request) -> bool:
    """Cookies are sent over HTTPS only when this request came by HTTPS, or when the instance is
    published at an https:// URL (behind a proxy that ends TLS, the request itself looks like
    plain HTTP)."""
    public_url = request.app.state.runtime.settings.public_url or ""
    return request.url.scheme == "https" or public_url.lower().startswith("https://")


def set_cookie(request: Request, response: Response, session_id: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
