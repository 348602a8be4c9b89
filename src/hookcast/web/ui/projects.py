"""Projects: list, create, rename, delete; inbound URLs, the GitLab token and the signing secret
for GitHub and GitLab's signed webhooks (each shown once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from hookcast.clock import utcnow
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import Platform
from hookcast.services import deliveries, project_tokens, projects, webhooks
from hookcast.services.deliveries import DeliveryView
from hookcast.services.errors import ServiceError
from hookcast.services.projects import ProjectInput, ProjectPatch, split_patterns
from hookcast.store.outbox import Backlog, backlogs, is_paused
from hookcast.store.tables import Project, Webhook
from hookcast.web.deps import RowId, RuntimeDep
from hookcast.web.ui import csrf, instance
from hookcast.web.ui.common import (
    Errors,
    checked,
    client_base_url,
    errors_of,
    forget_project_tokens,
    redirect,
    text,
)
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import page

router = APIRouter()
FORM_FIELDS = ("name", "gitlab_path", "protected_branches", "routes_other_projects")
CsrfDep = Depends(csrf.verify)


@dataclass(frozen=True, slots=True)
class WebhookStatus:
    webhook: Webhook
    state: str  # active | paused | disabled
    last: DeliveryView | None
    backlog: Backlog


@dataclass(frozen=True, slots=True)
class IntegrationCard:
    platform: Platform
    hooks: list[WebhookStatus]


def status_of(webhook: Webhook, now: datetime) -> str:
    if not webhook.active:
        return "disabled"
    if is_paused(webhook, now):
        return "paused"
    return "active"


async def integration_cards(session: DbDep, project: Project) -> list[IntegrationCard]:
    now = utcnow()
    by_platform: dict[str, list[WebhookStatus]] = {}
    hooks = await webhooks.list_for_project(session, project.id)
    counted = await backlogs(session, [w.id for w in hooks])
    for webhook in hooks:
        latest = await deliveries.list_for_project(session, project.id, webhook_id=webhook.id, limit=1)
        by_platform.setdefault(webhook.platform, []).append(
            WebhookStatus(
                webhook,
                status_of(webhook, now),
                latest[0] if latest else None,
                counted.get(webhook.id, Backlog()),
            )
        )
    return [IntegrationCard(p, by_platform.get(p.name.value, [])) for p in PLATFORMS.values()]


async def _project_page(
    request: Request,
    session: DbDep,
    runtime: RuntimeDep,
    project: Project,
    *,
    new_token: str | None = None,
    new_signing_secret: str | None = None,
    errors: Errors | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    base = await instance.public_base_url(session, runtime.settings, client_base_url(request))
    context: dict[str, Any] = {
        "project": project,
        "protected_branches": ", ".join(split_patterns(project.protected_branches)),
        "gitlab_url": f"{base}/hooks/gitlab",
        "alertmanager_url": f"{base}/hooks/alertmanager",
        "github_url": f"{base}/hooks/github/{project.id}",
        "new_token": new_token,
        "new_signing_secret": new_signing_secret,
        "cards": await integration_cards(session, project),
        "errors": errors or {},
        "form": form,
    }
    return page(request, "project.html", context, status_code=status_code)


def _project_fields(form_data: Any) -> dict[str, Any]:
    return {
        "name": text(form_data, "name"),
        "gitlab_path": text(form_data, "gitlab_path") or None,
        "protected_branches": split_patterns(text(form_data, "protected_branches")),
        "routes_other_projects": checked(form_data, "routes_other_projects"),
    }


@router.get("/ui/projects", response_class=HTMLResponse)
async def project_list(request: Request, session: DbDep, _user: UserDep) -> Response:
    listed = await projects.list_all(session)
    return page(request, "projects.html", {"projects": listed, "errors": {}, "form": {}})


@router.post("/ui/projects", dependencies=[CsrfDep])
async def project_create(request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep) -> Response:
    form = await request.form()
    raw = {name: text(form, name) for name in FORM_FIELDS}
    try:
        created = await projects.create(session, ProjectInput(**_project_fields(form)))
        await session.commit()
    except (ValidationError, ServiceError) as exc:
        await session.rollback()
        listed = await projects.list_all(session)
        context = {"projects": listed, "errors": errors_of(exc), "form": raw}
        return page(request, "projects.html", context, status_code=422)
    return await _project_page(request, session, runtime, created.project, new_token=created.token)


@router.get("/ui/projects/{project_id}", response_class=HTMLResponse)
async def project_show(
    project_id: RowId, request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    return await _project_page(request, session, runtime, await projects.get(session, project_id))


@router.post("/ui/projects/{project_id}/rename", dependencies=[CsrfDep])
async def project_rename(
    project_id: RowId, request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    form = await request.form()
    raw = {name: text(form, name) for name in FORM_FIELDS}
    try:
        await projects.update(session, project_id, ProjectPatch(**_project_fields(form)))
        await session.commit()
    except (ValidationError, ServiceError) as exc:
        await session.rollback()
        project = await projects.get(session, project_id)
        return await _project_page(
            request, session, runtime, project, errors=errors_of(exc), form=raw, status_code=422
        )
    forget_project_tokens(runtime)
    return redirect(f"/ui/projects/{project_id}")


@router.post("/ui/projects/{project_id}/rotate-token", dependencies=[CsrfDep])
async def project_rotate_token(
    project_id: RowId, request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    token = await projects.rotate_token(session, project_id)
    await session.commit()
    forget_project_tokens(runtime)
    project = await projects.get(session, project_id)
    return await _project_page(request, session, runtime, project, new_token=token)


@router.post("/ui/projects/{project_id}/signing-secret", dependencies=[CsrfDep])
async def project_rotate_signing_secret(
    project_id: RowId, request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    secret = await project_tokens.rotate_signing_secret(session, runtime.box, project_id)
    await session.commit()
    forget_project_tokens(runtime)
    project = await projects.get(session, project_id)
    return await _project_page(request, session, runtime, project, new_signing_secret=secret)


@router.post("/ui/projects/{project_id}/signing-secret/remove", dependencies=[CsrfDep])
async def project_remove_signing_secret(
    project_id: RowId, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    await project_tokens.remove_signing_secret(session, runtime.box, project_id)
    await session.commit()
    forget_project_tokens(runtime)
    return redirect(f"/ui/projects/{project_id}")


@router.post("/ui/projects/{project_id}/delete", dependencies=[CsrfDep])
async def project_delete(project_id: RowId, session: DbDep, runtime: RuntimeDep, _user: UserDep) -> Response:
    await projects.remove(session, project_id)
    await session.commit()
    forget_project_tokens(runtime)
    return redirect("/ui/projects")
