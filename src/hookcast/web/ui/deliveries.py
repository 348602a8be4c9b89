"""Delivery history: per project and per webhook, newest first, filter by state; detail; resend."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.delivery.policy import State
from hookcast.events import EventKind
from hookcast.messages.render import kind_label
from hookcast.services import deliveries, projects, webhooks
from hookcast.web.deps import RuntimeDep
from hookcast.web.ui import csrf
from hookcast.web.ui.common import redirect
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import language_of, page

router = APIRouter()
PAGE_SIZE = 50


def kind_name(kind: str, language: str) -> str:
    return kind_label(EventKind(kind), language) if kind in EventKind._value2member_map_ else kind


@router.get("/ui/projects/{project_id}/deliveries", response_class=HTMLResponse)
async def delivery_list(
    project_id: int,
    request: Request,
    session: DbDep,
    _user: UserDep,
    state: str = "",
    webhook_id: int | None = None,
    before_id: int | None = None,
) -> Response:
    project = await projects.get(session, project_id)
    chosen_state = state if state in State._value2member_map_ else ""
    rows = await deliveries.list_for_project(
        session,
        project_id,
        state=chosen_state or None,
        webhook_id=webhook_id,
        before_id=before_id,
        limit=PAGE_SIZE,
    )
    hooks = {w.id: w for w in await webhooks.list_for_project(session, project_id)}
    language = language_of(request)
    context = {
        "project": project,
        "rows": rows,
        "hooks": hooks,
        "states": [s.value for s in State],
        "state": chosen_state,
        "webhook_id": webhook_id,
        "kind_name": lambda kind: kind_name(kind, language),
        "older": rows[-1].id if len(rows) == PAGE_SIZE else None,
    }
    return page(request, "deliveries.html", context)


@router.get("/ui/deliveries/{delivery_id}", response_class=HTMLResponse)
async def delivery_show(delivery_id: int, request: Request, session: DbDep, _user: UserDep) -> Response:
    delivery = await deliveries.get(session, delivery_id)
    webhook = await webhooks.get(session, delivery.webhook_id)
    project = await projects.get(session, delivery.project_id)
    context = {
        "delivery": delivery,
        "webhook": webhook,
        "project": project,
        "kind": kind_name(delivery.event_kind, language_of(request)),
        "resent": bool(request.query_params.get("resent")),
    }
    return page(request, "delivery.html", context)


@router.post("/ui/deliveries/{delivery_id}/resend", dependencies=[Depends(csrf.verify)])
async def delivery_resend(delivery_id: int, session: DbDep, runtime: RuntimeDep, _user: UserDep) -> Response:
    await deliveries.resend(session, delivery_id)
    await session.commit()
    runtime.wake_worker()
    return redirect(f"/ui/deliveries/{delivery_id}?resent=1")
