"""CSRF protection for every form of the UI: a double-submit token.

Each browser gets a random token in an HttpOnly, SameSite=Strict cookie; every form carries the
same value in a hidden ``csrf_token`` field, and every unsafe request must present both, equal.
Another site can make a browser send the cookie (at most), but can neither read it nor guess the
field. The session cookie itself is SameSite=Lax as a second fence.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request, Response

COOKIE = "hookcast_csrf"
FIELD = "csrf_token"


def token_for(request: Request) -> str:
    """This browser's token (a new one if it has none yet)."""
    existing: str | None = getattr(request.state, "csrf_token", None)
    if existing:
        return existing
    token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf_token = token
    return token


def remember(request: Request, response: Response, token: str) -> None:
    if request.cookies.get(COOKIE) != token:
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
        )


async def verify(request: Request) -> None:
    """A dependency of every unsafe UI route: 403 unless the form's token matches the cookie."""
    cookie = request.cookies.get(COOKIE, "")
    form = await request.form()
    sent = form.get(FIELD)
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")
