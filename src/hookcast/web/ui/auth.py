"""Sign in and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.services import users
from hookcast.services.users import SESSION_LIFETIME
from hookcast.web.ui import csrf, sessions
from hookcast.web.ui.common import redirect, safe_next, text
from hookcast.web.ui.sessions import DbDep
from hookcast.web.ui.templating import page

router = APIRouter()


@router.get("/ui/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, session: DbDep, next: str = "") -> Response:
    if await users.user_of_session(session, request.cookies.get(sessions.COOKIE, "")):
        return redirect(safe_next(next))
    return page(request, "sign_in.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/ui/sign-in", dependencies=[Depends(csrf.verify)])
async def sign_in(request: Request, session: DbDep) -> Response:
    form = await request.form()
    username, password = text(form, "username"), form.get("password")
    user = await users.authenticate(session, username, password if isinstance(password, str) else "")
    if user is None:
        context = {"next": safe_next(text(form, "next")), "error": "wrong", "username": username}
        return page(request, "sign_in.html", context, status_code=401)
    started = await users.start_session(session, user)
    await session.commit()
    response = redirect(safe_next(text(form, "next")))
    sessions.set_cookie(request, response, started.session_id, int(SESSION_LIFETIME.total_seconds()))
    return response


@router.post("/ui/sign-out", dependencies=[Depends(csrf.verify)])
async def sign_out(request: Request, session: DbDep) -> Response:
    await users.end_session(session, request.cookies.get(sessions.COOKIE, ""))
    await session.commit()
    response = redirect("/ui/sign-in")
    sessions.clear_cookie(response)
    return response
