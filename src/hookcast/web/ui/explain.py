"""Why did (not) this notify? The page of one received event: each webhook of its project, what
decided for it (a filter, a rule, the default), and what became of its deliveries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.clock import utcnow
from hookcast.services import explain, projects, quiet_hours
from hookcast.store.tables import Webhook
from hookcast.web.deps import RowId
from hookcast.web.ui.deliveries import kind_name
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import language_of, page

router = APIRouter()


@router.get("/ui/projects/{project_id}/events/{event_id}", response_class=HTMLResponse)
async def event_explained(
    project_id: RowId, event_id: RowId, request: Request, session: DbDep, _user: UserDep
) -> Response:
    project = await projects.get(session, project_id)
    explained = await explain.explain(session, project_id, event_id)
    language = language_of(request)
    now = utcnow()
    hooks = {w.webhook_id: await session.get(Webhook, w.webhook_id) for w in explained.webhooks if w.exists}
    held = {
        step.id: quiet_hours.local_end(step.held_until, hook.quiet_hours if hook else None, now)
        for w in explained.webhooks
        for step in w.deliveries
        if step.held_until is not None and (hook := hooks.get(w.webhook_id)) is not None
    }
    context = {
        "project": project,
        "explained": explained,
        "kind": kind_name(explained.kind, language),
        "held": held,
        "silenced": explain.SILENCED,
        "now": now,
    }
    return page(request, "event.html", context)
