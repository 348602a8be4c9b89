"""The management REST API under ``/api/v1`` (bearer API tokens; OpenAPI at ``/docs``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from hookcast.delivery.test_message import TestAnswer, send_test_message
from hookcast.services import deliveries, explain, message_templates, project_tokens, projects, webhooks
from hookcast.services.deliveries import DeliveryView
from hookcast.services.explain import Explanation, RecentEvent, TryAnswer, TryInput
from hookcast.services.projects import ProjectInput, ProjectPatch, ProjectView
from hookcast.services.webhooks import WebhookInput, WebhookPatch, WebhookView
from hookcast.store.outbox import State
from hookcast.web.deps import MAX_ROW_ID, OptionalRowIdQuery, RowId, RuntimeDep, SessionDep, require_admin
from hookcast.web.ui.rules import trial_event

router = APIRouter(prefix="/api/v1", tags=["management"], dependencies=[Depends(require_admin)])


class CreatedProjectView(ProjectView):
    gitlab_token: str
    """The inbound token: give it to GitLab as the webhook's Secret token. Shown only once."""


class RotatedToken(BaseModel):
    gitlab_token: str


class SigningSecret(BaseModel):
    signing_secret: str
    """Shown only once: GitHub's webhook Secret, and GitLab's webhook Signing token."""
    github_path: str
    """Where GitHub posts (the Payload URL, under the instance's public URL)."""
    content_type: str = "application/json"
    """The content type to choose in GitHub (form bodies are accepted too)."""


# --- projects ----------------------------------------------------------------------------


@router.post("/projects", status_code=201, response_model=CreatedProjectView)
async def create_project(data: ProjectInput, session: SessionDep) -> CreatedProjectView:
    created = await projects.create(session, data)
    return CreatedProjectView(**projects.view(created.project).model_dump(), gitlab_token=created.token)


@router.get("/projects", response_model=list[ProjectView])
async def list_projects(session: SessionDep) -> list[ProjectView]:
    return [projects.view(p) for p in await projects.list_all(session)]


@router.get("/projects/{project_id}", response_model=ProjectView)
async def get_project(project_id: RowId, session: SessionDep) -> ProjectView:
    return projects.view(await projects.get(session, project_id))


@router.patch("/projects/{project_id}", response_model=ProjectView)
async def update_project(project_id: RowId, patch: ProjectPatch, session: SessionDep) -> ProjectView:
    return projects.view(await projects.update(session, project_id, patch))


@router.delete("/projects/{project_id}", status_code=204)
async def delete_project(project_id: RowId, session: SessionDep, runtime: RuntimeDep) -> Response:
    await projects.remove(session, project_id)
    runtime.tokens.clear()
    return Response(status_code=204)


@router.post("/projects/{project_id}/rotate-token", response_model=RotatedToken)
async def rotate_token(project_id: RowId, session: SessionDep, runtime: RuntimeDep) -> RotatedToken:
    token = await projects.rotate_token(session, project_id)
    await session.commit()
    runtime.tokens.clear()
    return RotatedToken(gitlab_token=token)


@router.post("/projects/{project_id}/signing-secret", response_model=SigningSecret)
async def rotate_signing_secret(project_id: RowId, session: SessionDep, runtime: RuntimeDep) -> SigningSecret:
    """A new signing secret, shown once: GitHub's requests must be signed with it, and GitLab's
    too from now on (GitLab's Signing token). The old secret stops working."""
    secret = await project_tokens.rotate_signing_secret(session, runtime.box, project_id)
    await session.commit()
    runtime.tokens.clear()
    return SigningSecret(signing_secret=secret, github_path=f"/hooks/github/{project_id}")


@router.delete("/projects/{project_id}/signing-secret", status_code=204)
async def remove_signing_secret(project_id: RowId, session: SessionDep, runtime: RuntimeDep) -> Response:
    """No signing secret: GitHub's requests are refused, GitLab's need only the token again."""
    await project_tokens.remove_signing_secret(session, runtime.box, project_id)
    await session.commit()
    runtime.tokens.clear()
    return Response(status_code=204)


# --- webhooks ----------------------------------------------------------------------------


@router.post("/projects/{project_id}/webhooks", status_code=201, response_model=WebhookView)
async def create_webhook(
    project_id: RowId, data: WebhookInput, session: SessionDep, runtime: RuntimeDep
) -> WebhookView:
    webhook = await webhooks.create(
        session,
        project_id,
        data,
        box=runtime.box,
        extra_hosts=runtime.settings.extra_allowed_hosts,
        public_url=runtime.settings.public_url,
    )
    return webhooks.view(webhook)


@router.get("/projects/{project_id}/webhooks", response_model=list[WebhookView])
async def list_webhooks(project_id: RowId, session: SessionDep) -> list[WebhookView]:
    return await webhooks.views(session, await webhooks.list_for_project(session, project_id))


@router.get("/webhooks/{webhook_id}", response_model=WebhookView)
async def get_webhook(webhook_id: RowId, session: SessionDep) -> WebhookView:
    [shown] = await webhooks.views(session, [await webhooks.get(session, webhook_id)])
    return shown


@router.patch("/webhooks/{webhook_id}", response_model=WebhookView)
async def update_webhook(
    webhook_id: RowId, patch: WebhookPatch, session: SessionDep, runtime: RuntimeDep
) -> WebhookView:
    webhook = await webhooks.update(
        session,
        webhook_id,
        patch,
        box=runtime.box,
        extra_hosts=runtime.settings.extra_allowed_hosts,
        public_url=runtime.settings.public_url,
    )
    runtime.wake_worker()
    [shown] = await webhooks.views(session, [webhook])
    return shown


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: RowId, session: SessionDep) -> Response:
    await webhooks.remove(session, webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/test", response_model=TestAnswer)
async def test_webhook(webhook_id: RowId, session: SessionDep, runtime: RuntimeDep) -> TestAnswer:
    """Send a test message now and report the platform's answer (nothing is queued)."""
    await session.commit()  # hand the connection back before going out to the platform
    return await send_test_message(runtime, webhook_id)


@router.post("/templates/preview", response_model=message_templates.PreviewView)
async def preview_template(
    data: message_templates.PreviewInput, session: SessionDep
) -> message_templates.PreviewView:
    """The message a template makes of the kind's sample (or of a stored event, ``event_id``),
    checked as saving would check it: a problem is a 422 naming the kind, the part and the line.
    Nothing is saved or sent."""
    shown, _ = await message_templates.preview(session, data)
    return shown


@router.post("/webhooks/{webhook_id}/rules/try", response_model=TryAnswer)
async def try_rules(webhook_id: RowId, data: TryInput, session: SessionDep) -> TryAnswer:
    """What the webhook would do, under these (unsaved) rules and its saved filters, with the
    shipped sample of a kind or a recent event of its project; nothing is sent or saved."""
    webhook = await webhooks.get(session, webhook_id)
    event = await trial_event(session, webhook.project_id, data)
    return await explain.try_rules(session, webhook, data.rules, event)


# --- events ------------------------------------------------------------------------------


@router.get("/projects/{project_id}/events", response_model=list[RecentEvent])
async def recent_events(project_id: RowId, session: SessionDep) -> list[RecentEvent]:
    """The project's newest events (not the ignored ones), newest first: what rules can be tried on."""
    return await explain.recent_events(session, project_id)


@router.get("/projects/{project_id}/events/{event_id}/explain", response_model=Explanation)
async def explain_event(project_id: RowId, event_id: RowId, session: SessionDep) -> Explanation:
    """Why did (not) this event notify: each webhook of the project, what decided (a filter, a rule,
    the default), and what became of its deliveries (held, digested, silenced, sent, failed)."""
    return await explain.explain(session, project_id, event_id)


# --- deliveries --------------------------------------------------------------------------


@router.get("/projects/{project_id}/deliveries", response_model=list[DeliveryView])
async def list_deliveries(
    project_id: RowId,
    session: SessionDep,
    state: State | None = None,
    webhook_id: OptionalRowIdQuery = None,
    before_id: Annotated[
        int | None, Query(ge=1, le=MAX_ROW_ID, description="Page: deliveries older than this id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=deliveries.MAX_PAGE)] = 50,
) -> list[DeliveryView]:
    return await deliveries.list_for_project(
        session,
        project_id,
        state=state.value if state else None,
        webhook_id=webhook_id,
        before_id=before_id,
        limit=limit,
    )


class Replayed(BaseModel):
    queued: int


@router.post("/projects/{project_id}/replay", status_code=202, response_model=Replayed)
async def replay_events(
    project_id: RowId,
    session: SessionDep,
    runtime: RuntimeDep,
    since: Annotated[datetime, Query(description="Events received at or after (ISO 8601)")],
    until: Annotated[datetime | None, Query(description="... and before (ISO 8601)")] = None,
    webhook_id: OptionalRowIdQuery = None,
) -> Replayed:
    """Queue again the deliveries of every event received in a time range."""
    queued = await deliveries.replay(
        session,
        project_id,
        since=_aware(since),
        until=_aware(until) if until else None,
        webhook_id=webhook_id,
    )
    await session.commit()
    runtime.wake_worker()
    return Replayed(queued=queued)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryView)
async def get_delivery(delivery_id: RowId, session: SessionDep) -> DeliveryView:
    return await deliveries.get(session, delivery_id)


@router.post("/deliveries/{delivery_id}/resend", status_code=202)
async def resend_delivery(delivery_id: RowId, session: SessionDep, runtime: RuntimeDep) -> dict[str, str]:
    await deliveries.resend(session, delivery_id)
    await session.commit()
    runtime.wake_worker()
    return {"status": "queued"}
