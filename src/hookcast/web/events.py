"""Issue-workflow events in: ``POST /api/v1/projects/{project_id}/events``.

The body is hookcast's JSON schema (`WorkflowEventIn`, in OpenAPI) or a CloudEvent (structured
``application/cloudevents+json`` or binary ``ce-*`` headers). The caller is the project's own
token or an admin API token, as a bearer. The answer is 202 once the event and its fan-out are
committed; a retry with the same event id is accepted once (``status: duplicate``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from hookcast.metrics import EVENTS_RECEIVED, EVENTS_REJECTED
from hookcast.services import intake, projects
from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.cloudevents import SOURCE as CLOUDEVENTS
from hookcast.sources.cloudevents import is_cloudevent, parse_cloudevent
from hookcast.sources.workflow import WorkflowEventIn, parse_workflow
from hookcast.store.tables import Project
from hookcast.web.body import BodyTooLarge, read_limited
from hookcast.web.deps import RuntimeDep, is_admin_token
from hookcast.web.hooks import HookAnswer

router = APIRouter(prefix="/api/v1", tags=["inbound"])
SOURCE = "workflow"


def inline_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its ``$defs`` inlined, to embed in the OpenAPI document."""
    defs: dict[str, Any] = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": inline_schema(WorkflowEventIn.model_json_schema())},
            "application/cloudevents+json": {
                "schema": {
                    "type": "object",
                    "description": "A CloudEvents 1.0 envelope whose data is the workflow event "
                    "(without id and type, taken from the envelope).",
                    "required": ["specversion", "id", "source", "type"],
                }
            },
        },
    }
}


def _refuse(status: int, reason: str, source: str = SOURCE) -> JSONResponse:
    EVENTS_REJECTED.labels(source, str(status)).inc()
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": reason}, status_code=status, headers=headers)


@router.post(
    "/projects/{project_id}/events",
    status_code=202,
    response_model=HookAnswer,
    summary="Receive an issue-workflow event (JSON or CloudEvents)",
    openapi_extra=_BODY_DOC,
    responses={
        400: {"description": "Malformed body"},
        401: {"description": "Missing or unknown token"},
        403: {"description": "A project token of another project"},
        404: {"description": "No such project"},
        413: {"description": "Body too large"},
        415: {"description": "Unsupported CloudEvents mode or data type"},
        422: {"description": "The body does not follow the schema"},
    },
)
async def post_event(
    project_id: int,
    request: Request,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse | HookAnswer:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    headers = {name.lower(): value for name, value in request.headers.items()}
    source = CLOUDEVENTS if is_cloudevent(headers) else SOURCE
    project = await _authorized_project(runtime, project_id, token)
    if isinstance(project, JSONResponse):
        return project
    try:
        body = await read_limited(request, runtime.settings.max_body_bytes)
    except BodyTooLarge as exc:
        return _refuse(413, str(exc), source)
    parsed: ParseResult = parse_cloudevent(headers, body) if source == CLOUDEVENTS else parse_workflow(body)
    if isinstance(parsed, Rejection):
        return _refuse(parsed.status, parsed.reason, source)
    async with runtime.sessions.begin() as session:
        if isinstance(parsed, Ignored):
            key = headers.get("ce-id")
            kept = await intake.record_ignored(session, project, parsed.reason, key, source)
            return HookAnswer(status="ignored", event_id=kept.event_id, reason=parsed.reason)
        if not parsed.project.name:
            named = parsed.project.model_copy(update={"name": project.name})
            parsed = parsed.model_copy(update={"project": named})
        accepted = await intake.accept(session, project, parsed, parsed.source_id)
    if accepted.deliveries:
        runtime.wake_worker()
    EVENTS_RECEIVED.labels(source, parsed.kind.value).inc()
    return HookAnswer(
        status="duplicate" if accepted.duplicate else "accepted",
        event_id=accepted.event_id,
        deliveries=accepted.deliveries,
    )


async def _authorized_project(runtime: RuntimeDep, project_id: int, token: str) -> Project | JSONResponse:
    """The project, when ``token`` is its own token or an admin token; otherwise the refusal."""
    if not token:
        return _refuse(401, "a bearer token is required (the project's token or an API token)")
    async with runtime.sessions.begin() as session:
        owner = await projects.find_by_token(session, token)
        if owner is not None:
            if owner.id != project_id:
                return _refuse(403, "this project token belongs to another project")
            return owner
        if not await is_admin_token(runtime, session, token):
            return _refuse(401, "unknown token")
        project = await session.get(Project, project_id)
    if project is None:
        return _refuse(404, f"project {project_id} not found")
    return project
