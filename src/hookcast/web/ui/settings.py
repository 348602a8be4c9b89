"""Instance settings: delivery history retention and the public URL (IM apps have their own page,
``/ui/settings/im-apps``, served by ``web/ui/im_apps.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.services.errors import ServiceError
from hookcast.web.deps import RuntimeDep
from hookcast.web.ui import csrf, instance
from hookcast.web.ui.common import errors_of, redirect, text
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import page

router = APIRouter()


@router.get("/ui/settings", response_class=HTMLResponse)
async def settings_show(request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep) -> Response:
    values = await instance.load(session)
    context = {
        "values": {"retention_days": str(values.retention_days), "public_url": values.public_url},
        "env_public_url": runtime.settings.public_url or "",
        "errors": {},
        "saved": bool(request.query_params.get("saved")),
    }
    return page(request, "settings.html", context)


@router.post("/ui/settings", dependencies=[Depends(csrf.verify)])
async def settings_save(request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep) -> Response:
    form = await request.form()
    raw = {"retention_days": text(form, "retention_days"), "public_url": text(form, "public_url")}
    try:
        await instance.save(session, raw["retention_days"], raw["public_url"])
        await session.commit()
    except ServiceError as exc:
        await session.rollback()
        context = {
            "values": raw,
            "env_public_url": runtime.settings.public_url or "",
            "errors": errors_of(exc),
            "saved": False,
        }
        return page(request, "settings.html", context, status_code=422)
    return redirect("/ui/settings?saved=1")
