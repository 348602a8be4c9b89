"""Sign in and sign out.

A sign-in is throttled before any password is hashed (per client address and per username, see
`services.sign_in_throttle`), and the hash itself runs off the event loop behind a bound
(`services.passwords`): guessing passwords costs the guesser time, not the service.
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.services import users
from hookcast.services.errors import Busy
from hookcast.services.users import SESSION_LIFETIME
from hookcast.web.deps import RuntimeDep
from hookcast.web.ui import csrf, sessions
from hookcast.web.ui.common import redirect, safe_next, text
from hookcast.web.ui.sessions import DbDep
from hookcast.web.ui.templating import page

log = structlog.get_logger("hookcast.ui")

router = APIRouter()


@router.get("/ui/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, session: DbDep, next: str = "") -> Response:
    if await users.user_of_session(session, request.cookies.get(sessions.COOKIE, "")):
        return redirect(safe_next(next))
    return page(request, "sign_in.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/ui/sign-in", dependencies=[Depends(csrf.verify)])
async def sign_in(request: Request, session: DbDep, runtime: RuntimeDep) -> Response:
    form = await request.form()
    username, password = text(form, "username"), form.get("password")
    address = request.client.host if request.client else "unknown"
    context = {"next": safe_next(text(form, "next")), "username": username, "retry_after": 0}
    wait = runtime.sign_ins.wait(address, username)
    if wait:
        log.warning("sign-in refused: too many failures", address=address, username=username[:100])
        return _refused(request, context | {"error": "throttled", "retry_after": wait}, wait)
    try:
        user = await users.authenticate(
            session, username, password if isinstance(password, str) else "", runtime.passwords
        )
    except Busy as exc:
        log.warning("sign-in refused: too many at once", address=address)
        return _refused(request, context | {"error": "busy", "retry_after": exc.retry_after}, exc.retry_after)
    if user is None:
        runtime.sign_ins.failed(address, username)
        log.info("sign-in failed", address=address, username=username[:100])
        return page(request, "sign_in.html", context | {"error": "wrong"}, status_code=401)
    runtime.sign_ins.succeeded(username)
    started = await users.start_session(session, user)
    await session.commit()
    response = redirect(safe_next(text(form, "next")))
    sessions.set_cookie(request, response, started.session_id, int(SESSION_LIFETIME.total_seconds()))
    return response


def _refused(request: Request, context: dict[str, object], retry_after: int) -> Response:
    response = page(request, "sign_in.html", context, status_code=429)
    response.headers["Retry-After"] = str(retry_after)
    return response


@router.post("/ui/sign-out", dependencies=[Depends(csrf.verify)])
async def sign_out(request: Request, session: DbDep) -> Response:
    await users.end_session(session, request.cookies.get(sessions.COOKIE, ""))
    await session.commit()
    response = redirect("/ui/sign-in")
    sessions.clear_cookie(response)
    return response
