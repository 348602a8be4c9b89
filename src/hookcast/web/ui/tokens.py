"""API tokens for automation: create (shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.services import api_tokens
from hookcast.services.errors import ServiceError
from hookcast.web.deps import RowId
from hookcast.web.ui import csrf
from hookcast.web.ui.common import errors_of, redirect, text
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import page

router = APIRouter()
CsrfDep = Depends(csrf.verify)


async def _tokens_page(request: Request, session: DbDep, status_code: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {"tokens": await api_tokens.list_all(session), "errors": {}, "new_token": None}
    context.update(extra)
    return page(request, "tokens.html", context, status_code=status_code)


@router.get("/ui/tokens", response_class=HTMLResponse)
async def token_list(request: Request, session: DbDep, _user: UserDep) -> Response:
    return await _tokens_page(request, session)


@router.post("/ui/tokens", dependencies=[CsrfDep])
async def token_create(request: Request, session: DbDep, _user: UserDep) -> Response:
    form = await request.form()
    try:
        created = await api_tokens.create(session, text(form, "name"))
        await session.commit()
    except ServiceError as exc:
        await session.rollback()
        return await _tokens_page(request, session, 422, errors=errors_of(exc))
    return await _tokens_page(request, session, new_token=created.token, new_name=created.row.name)


@router.post("/ui/tokens/{token_id}/revoke", dependencies=[CsrfDep])
async def token_revoke(token_id: RowId, session: DbDep, _user: UserDep) -> Response:
    await api_tokens.revoke(session, token_id)
    await session.commit()
    return redirect("/ui/tokens")
