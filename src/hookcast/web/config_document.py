"""Configuration as code over the management API: export a project as a document, import one
(the diff first: ``dry_run``). The work is `services/config_document/`; this is its HTTP edge.

API tokens reach these routes as they reach every ``/api/v1`` route (an instance's API token, or
HOOKCAST_ADMIN_TOKEN); a project's inbound token reaches none of them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from hookcast.clock import utcnow
from hookcast.services.config_document import document as documents
from hookcast.services.config_document.document import MEDIA_TYPES, Format, ProjectDocument
from hookcast.services.config_document.sections import Context
from hookcast.services.config_document.service import ImportResult, export_document, import_document
from hookcast.services.errors import Invalid
from hookcast.web.body import BodyTooLarge, read_limited
from hookcast.web.deps import RowId, RuntimeDep, SessionDep, require_admin

router = APIRouter(prefix="/api/v1", tags=["configuration as code"], dependencies=[Depends(require_admin)])

MAX_DOCUMENT_BYTES = 1024 * 1024  # the API's body cap (web/guard.py)
DOCUMENT_SCHEMA = {"$ref": "#/components/schemas/ProjectDocument"}
DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": DOCUMENT_SCHEMA},
            "application/yaml": {"schema": DOCUMENT_SCHEMA},
        },
    }
}
DryRun = Annotated[bool, Query(description="Only answer the diff; change nothing.")]
Prune = Annotated[
    bool, Query(description="Remove the webhooks and silences the document does not name (else kept).")
]


def _context(session: SessionDep, runtime: RuntimeDep) -> Context:
    settings = runtime.settings
    return Context(session, runtime.box, settings.extra_allowed_hosts, settings.public_url, utcnow())


ContextDep = Annotated[Context, Depends(_context)]


@router.get(
    "/projects/{project_id}/export",
    response_model=ProjectDocument,
    summary="Export a project as a document",
    description="The project's settings, webhooks and silences (in force or to come) as one YAML "
    "or JSON document, for Git. "
    "Secrets are left out (the URL as null, url_redacted for the reader), or with sealed=true "
    "sealed with this instance's keys: only this instance imports them.",
    responses={200: {"content": {"application/yaml": {"schema": DOCUMENT_SCHEMA}}}},
)
async def export_project(
    project_id: RowId,
    ctx: ContextDep,
    form: Annotated[Format, Query(alias="format")] = Format.JSON,
    sealed: bool = False,
) -> Response:
    exported = await export_document(ctx, project_id, sealed=sealed)
    return Response(documents.dump(exported, form), media_type=MEDIA_TYPES[form])


@router.post(
    "/projects/{project_id}/import",
    response_model=ImportResult,
    summary="Import a document into a project",
    description="Makes the project what the document says (its name excepted), in one "
    "transaction, and answers the diff; dry_run=true only answers it. Body: the document, JSON "
    "or YAML (Content-Type application/yaml). A problem names its path in the document.",
    openapi_extra=DOCUMENT_BODY,
)
async def import_into_project(
    project_id: RowId,
    request: Request,
    ctx: ContextDep,
    runtime: RuntimeDep,
    dry_run: DryRun = False,
    prune: Prune = False,
) -> ImportResult:
    document = await _document(request)
    result = await import_document(ctx, document, project_id=project_id, prune=prune, dry_run=dry_run)
    if result.applied:
        runtime.wake_worker()  # a webhook given a new URL or switched on is sent to at once
    return result


@router.post(
    "/projects/import",
    response_model=ImportResult,
    summary="Import a document (the project by its name)",
    description="As /projects/{id}/import, for the project the document names; a project that "
    "does not exist is created, and its inbound token is in the answer once (gitlab_token).",
    openapi_extra=DOCUMENT_BODY,
)
async def import_project(
    request: Request, ctx: ContextDep, runtime: RuntimeDep, dry_run: DryRun = False, prune: Prune = False
) -> ImportResult:
    document = await _document(request)
    result = await import_document(ctx, document, prune=prune, dry_run=dry_run)
    if result.applied:
        runtime.wake_worker()
    return result


@router.get("/config-document/schema", summary="The JSON Schema of a project document")
async def document_schema() -> dict[str, Any]:
    return ProjectDocument.model_json_schema()


async def _document(request: Request) -> documents.DocumentHead:
    try:
        raw = await read_limited(request, MAX_DOCUMENT_BYTES)
    except BodyTooLarge as exc:
        raise Invalid(str(exc), field="body") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("the document must be UTF-8", field="body") from exc
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = Format.YAML if media in ("application/yaml", "application/x-yaml", "text/yaml") else Format.JSON
    return documents.parse(text, form)
