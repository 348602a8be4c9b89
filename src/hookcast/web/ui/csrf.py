"""CSRF protection for every form of the UI: a token bound to the browser and its session.

Each browser gets a random nonce in an HttpOnly, SameSite=Strict cookie. The token a form carries
(hidden ``csrf_token`` field) is an HMAC, under a key derived from the instance's secret key, of
that nonce and of the browser's session cookie (none before sign-in). An unsafe request must
present a token that is the HMAC of the cookies it came with. Another site can make a browser send
the cookies, but can read neither; and a cookie it managed to plant (a sibling subdomain can set
cookies) is useless without the server's key, which is what a plain double-submit token lacked. A
token stops working when its session ends. The session cookie itself is SameSite=Lax as a second
fence.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, Response

from hookcast.web.ui.sessions import COOKIE as SESSION_COOKIE
from hookcast.web.ui.sessions import secure_cookies

COOKIE = "hookcast_csrf"
FIELD = "csrf_token"
KEY_PURPOSE = "hookcast web form tokens"


def _nonce(request: Request) -> str:
    existing: str | None = getattr(request.state, "csrf_nonce", None)
    if existing:
        return existing
    nonce = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf_nonce = nonce
    return nonce


def _sign(request: Request, nonce: str, session_id: str) -> str:
    key = request.app.state.runtime.box.derived_key(KEY_PURPOSE)
    mac = hmac.new(key, f"{nonce}\x00{session_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_for(request: Request, session_id: str | None = None) -> str:
    """The form token of this browser and session (``session_id``: a session started by this
    request, whose cookie the browser does not have yet)."""
    session = session_id if session_id is not None else request.cookies.get(SESSION_COOKIE, "")
    return _sign(request, _nonce(request), session)


def remember(request: Request, response: Response) -> None:
    nonce = _nonce(request)
    if request.cookies.get(COOKIE) != nonce:
        response.set_cookie(COOKIE, nonce, httponly=True, samesite="strict", secure=secure_cookies(request))


async def verify(request: Request) -> None:
    """A dependency of every unsafe UI route: 403 unless the form's token is this browser's."""
    nonce = request.cookies.get(COOKIE, "")
    form = await request.form()
    sent = form.get(FIELD)
    if not nonce or not isinstance(sent, str) or not sent.isascii():
        raise HTTPException(403, "CSRF check failed: reload the page and try again")
    expected = _sign(request, nonce, request.cookies.get(SESSION_COOKIE, ""))
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")
