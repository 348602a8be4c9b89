"""The web UI: server-rendered pages (Jinja2) under ``/ui``, signed-in users only, CSRF on every
form. Each page's routes live in their own module; ``router`` gathers them for ``app.ROUTERS``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from hookcast.web.ui import (
    auth,
    deliveries,
    explain,
    im_apps,
    integrations,
    people,
    preview,
    projects,
    settings,
    silences,
    static,
    tokens,
)

router = APIRouter(include_in_schema=False)
for _module in (
    auth,
    static,
    projects,
    integrations,
    preview,
    deliveries,
    silences,
    explain,
    settings,
    im_apps,
    people,
    tokens,
):
    router.include_router(_module.router)


@router.get("/")
@router.get("/ui")
async def home() -> RedirectResponse:
    return RedirectResponse("/ui/projects", status_code=303)
