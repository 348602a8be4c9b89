"""IM apps (instance settings, ``/ui/settings/im-apps``): one card per app platform with its
status and a form derived from its credential specs; saving validates against the platform.
Secrets are never rendered back: a secret field left empty keeps the stored value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from hookcast.delivery.egress import checking_session
from hookcast.directmessages import MESSENGERS
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import PlatformName
from hookcast.services import im_apps
from hookcast.services.errors import ServiceError
from hookcast.services.im_apps import ImAppInput, ImAppView
from hookcast.web.deps import RuntimeDep
from hookcast.web.ui import csrf
from hookcast.web.ui.common import Errors, checked, errors_of, redirect, text
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import page

router = APIRouter()
CsrfDep = Depends(csrf.verify)


@dataclass(frozen=True, slots=True)
class AppCard:
    app: ImAppView
    label: str
    state: str  # none | enabled | disabled
    values: dict[str, str]  # the non-secret fields shown in the form
    enabled: bool  # the "Enabled" box
    errors: Errors


def _card(app: ImAppView, form: dict[str, Any] | None = None, errors: Errors | None = None) -> AppCard:
    state = "none" if not app.configured else "enabled" if app.enabled else "disabled"
    values = {**app.fields, "api_base_url": app.api_base_url or ""}
    enabled = app.enabled or not app.configured
    if form is not None:
        values, enabled = form["values"], form["enabled"]
    return AppCard(app, PLATFORMS[app.platform].label, state, values, enabled, errors or {})


def _known(key: str | None, labels: dict[str, str]) -> str | None:
    return key if key in labels else None


async def _im_apps_page(
    request: Request,
    session: DbDep,
    *,
    failed: PlatformName | None = None,
    form: dict[str, Any] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    rows = {row.platform: row for row in await im_apps.list_all(session)}
    cards = [
        _card(app, form, errors) if platform == failed else _card(app)
        for platform in MESSENGERS
        for app in [im_apps.view(platform, rows.get(platform.value))]
    ]
    labels = {card.app.platform.value: card.label for card in cards}
    context = {
        "cards": cards,
        # The platform keys (the template names them in the reader's language).
        "saved": _known(request.query_params.get("saved"), labels),
        "deleted": _known(request.query_params.get("deleted"), labels),
    }
    return page(request, "im_apps.html", context, status_code=status_code)


@router.get("/ui/settings/im-apps", response_class=HTMLResponse)
async def im_apps_show(request: Request, session: DbDep, _user: UserDep) -> Response:
    return await _im_apps_page(request, session)


@router.post("/ui/settings/im-apps/{platform}", dependencies=[CsrfDep])
async def im_app_save(
    platform: PlatformName, request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    name = im_apps.supported(platform)
    form = await request.form()
    credentials: dict[str, str] = {}
    values: dict[str, str] = {"api_base_url": text(form, "api_base_url")}
    for spec in MESSENGERS[name].credentials:
        value = text(form, spec.name)
        if spec.secret and not value:
            continue  # empty: keep the stored secret
        credentials[spec.name] = value
        if not spec.secret:
            values[spec.name] = value
    enabled = checked(form, "enabled")
    try:
        data = ImAppInput(
            credentials=credentials, api_base_url=values["api_base_url"] or None, enabled=enabled
        )
        async with checking_session(runtime.settings.extra_allowed_hosts) as http:
            await im_apps.save(
                session,
                name,
                data,
                box=runtime.box,
                http=http,
                extra_hosts=runtime.settings.extra_allowed_hosts,
            )
        await session.commit()
    except (ValidationError, ServiceError) as exc:
        await session.rollback()
        errors = {(field or "credentials"): message for field, message in errors_of(exc).items()}
        return await _im_apps_page(
            request,
            session,
            failed=name,
            form={"values": values, "enabled": enabled},
            errors=errors,
            status_code=422,
        )
    return redirect(f"/ui/settings/im-apps?saved={name.value}#{name.value}")


@router.post("/ui/settings/im-apps/{platform}/delete", dependencies=[CsrfDep])
async def im_app_delete(platform: PlatformName, session: DbDep, _user: UserDep) -> Response:
    name = im_apps.supported(platform)
    if await im_apps.find(session, name) is not None:
        await im_apps.remove(session, name)
        await session.commit()
    return redirect(f"/ui/settings/im-apps?deleted={name.value}")
