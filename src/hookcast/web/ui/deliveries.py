"""Delivery history: per project and per webhook, newest first, filter by state; detail; resend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.clock import utcnow
from hookcast.events import EventKind
from hookcast.messages.i18n import translator
from hookcast.messages.render import kind_label
from hookcast.services import deliveries, projects, quiet_hours, webhooks
from hookcast.services.errors import Conflict
from hookcast.store.outbox import State, is_paused
from hookcast.web.deps import RowId, RuntimeDep
from hookcast.web.ui import csrf
from hookcast.web.ui.common import redirect, whole_number
from hookcast.web.ui.pauses import pause_text
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import language_of, page

router = APIRouter()
PAGE_SIZE = 50


def kind_name(kind: str, language: str) -> str:
    return kind_label(EventKind(kind), language) if kind in EventKind._value2member_map_ else kind


def _waiting_for_quiet_hours(delivery: deliveries.DeliveryView, now: datetime) -> bool:
    return delivery.state == State.PENDING and delivery.held_until is not None and delivery.held_until > now


def _quiet_text(
    delivery: deliveries.DeliveryView, stored: dict[str, Any] | None, now: datetime, language: str
) -> str:
    assert delivery.held_until is not None
    return translator(language).format(
        "Quiet hours: waiting until {time}, then sent in one digest.",
        time=quiet_hours.local_end(delivery.held_until, stored, now),
    )


@router.get("/ui/projects/{project_id}/deliveries", response_class=HTMLResponse)
async def delivery_list(
    project_id: RowId,
    request: Request,
    session: DbDep,
    _user: UserDep,
    state: str = "",
    webhook_id: str = "",
    before_id: str = "",
) -> Response:
    """The filters arrive as a form submits them: an empty value means "All". Values that are not
    valid are dropped with a notice on the page (never a bare 422: this is a page, not an API)."""
    project = await projects.get(session, project_id)
    hooks = {w.id: w for w in await webhooks.list_for_project(session, project_id)}
    ignored: list[str] = []
    chosen_state = state if state in State._value2member_map_ else ""
    if state and not chosen_state:
        ignored.append("state")
    chosen_hook = whole_number(webhook_id)
    if webhook_id.strip() and chosen_hook not in hooks:
        ignored.append("webhook_id")
        chosen_hook = None
    older_than = whole_number(before_id)
    if before_id.strip() and older_than is None:
        ignored.append("before_id")
    rows = await deliveries.list_for_project(
        session,
        project_id,
        state=chosen_state or None,
        webhook_id=chosen_hook,
        before_id=older_than,
        limit=PAGE_SIZE,
    )
    language = language_of(request)
    now = utcnow()
    context = {
        "project": project,
        "rows": rows,
        "hooks": hooks,
        "paused": {hook_id for hook_id, hook in hooks.items() if is_paused(hook, now)},
        "quiet": {
            d.id: _quiet_text(d, hooks[d.webhook_id].quiet_hours, now, language)
            for d in rows
            if d.webhook_id in hooks and _waiting_for_quiet_hours(d, now)
        },
        "states": [s.value for s in State],
        "state": chosen_state,
        "webhook_id": chosen_hook,
        "ignored": ignored,
        "kind_name": lambda kind: kind_name(kind, language),
        "older": rows[-1].id if len(rows) == PAGE_SIZE else None,
    }
    return page(request, "deliveries.html", context, status_code=400 if ignored else 200)


@router.get("/ui/deliveries/{delivery_id}", response_class=HTMLResponse)
async def delivery_show(delivery_id: RowId, request: Request, session: DbDep, _user: UserDep) -> Response:
    return await _delivery_page(request, session, delivery_id)


async def _delivery_page(
    request: Request, session: DbDep, delivery_id: int, *, refused: Conflict | None = None
) -> Response:
    """The delivery's page; ``refused``: a resend that was refused, said at the top (409)."""
    delivery = await deliveries.get(session, delivery_id)
    webhook = await webhooks.get(session, delivery.webhook_id)
    project = await projects.get(session, delivery.project_id)
    language = language_of(request)
    now = utcnow()
    waiting = delivery.state in (State.PENDING, State.SENDING)
    held = waiting and is_paused(webhook, now)
    context = {
        "delivery": delivery,
        "webhook": webhook,
        "project": project,
        "kind": kind_name(delivery.event_kind, language),
        "resent": bool(request.query_params.get("resent")),
        # A delivery waiting for a paused webhook is held, whatever its own next attempt says.
        "held": pause_text(webhook, now, translator(language)) if held else None,
        "quiet": _quiet_text(delivery, webhook.quiet_hours, now, language)
        if _waiting_for_quiet_hours(delivery, now)
        else None,
        "due_now": waiting and delivery.next_attempt_at is not None and delivery.next_attempt_at <= now,
        "refused": translator(language).format(refused.msgid, **refused.params) if refused else None,
    }
    return page(request, "delivery.html", context, status_code=409 if refused else 200)


@router.post("/ui/deliveries/{delivery_id}/resend", dependencies=[Depends(csrf.verify)])
async def delivery_resend(
    delivery_id: RowId, request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    try:
        await deliveries.resend(session, delivery_id)
    except Conflict as refused:  # a worker is sending it right now (nothing was changed)
        return await _delivery_page(request, session, delivery_id, refused=refused)
    await session.commit()
    runtime.wake_worker()
    return redirect(f"/ui/deliveries/{delivery_id}?resent=1")
