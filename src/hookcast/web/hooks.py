"""Inbound webhooks: GitLab and Prometheus Alertmanager.

An event is answered 202 only once it and its fan-out are committed. GitLab disables hooks that
keep getting 4xx answers, so only a bad token (401), a malformed body (400) or an oversized one
(413) is refused; anything well-formed that hookcast does not notify about is recorded and 202.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hookcast.events import Event
from hookcast.metrics import EVENTS_RECEIVED, EVENTS_REJECTED
from hookcast.services.intake import ProjectGone, Submission
from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.gitlab import parse_gitlab
from hookcast.web.body import BodyTooLarge, read_limited
from hookcast.web.deps import RuntimeDep

router = APIRouter(prefix="/hooks", tags=["inbound"])

ParseFn = Callable[[bytes], ParseResult]


class HookAnswer(BaseModel):
    status: str  # accepted | duplicate | ignored
    event_id: int | None = None
    deliveries: int = 0
    reason: str | None = None


def _refuse(source: str, status: int, reason: str) -> JSONResponse:
    EVENTS_REJECTED.labels(source, str(status)).inc()
    return JSONResponse({"detail": reason}, status_code=status)


@router.post("/gitlab", status_code=202, response_model=HookAnswer, summary="Receive a GitLab webhook")
async def gitlab_hook(
    request: Request,
    runtime: RuntimeDep,
    x_gitlab_token: Annotated[str | None, Header()] = None,
    x_gitlab_event: Annotated[str | None, Header()] = None,
    x_gitlab_event_uuid: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse | HookAnswer:
    return await _receive(
        request,
        runtime,
        source="gitlab",
        token=x_gitlab_token,
        key=x_gitlab_event_uuid or idempotency_key,
        parse=lambda body: parse_gitlab(x_gitlab_event, body, event_uuid=x_gitlab_event_uuid),
    )


@router.post(
    "/alertmanager", status_code=202, response_model=HookAnswer, summary="Receive an Alertmanager webhook"
)
async def alertmanager_hook(
    request: Request,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse | HookAnswer:
    scheme, _, token = (authorization or "").partition(" ")
    return await _receive(
        request,
        runtime,
        source="alertmanager",
        token=token.strip() if scheme.lower() == "bearer" else None,
        key=idempotency_key,
        parse=parse_alertmanager,
    )


async def _receive(
    request: Request,
    runtime: RuntimeDep,
    *,
    source: str,
    token: str | None,
    key: str | None,
    parse: ParseFn,
) -> JSONResponse | HookAnswer:
    owner = await runtime.tokens.owner(token)
    if owner is None:
        return _refuse(source, 401, "unknown or missing token")
    try:
        body = await read_limited(request, runtime.settings.max_body_bytes)
    except BodyTooLarge as exc:
        return _refuse(source, 413, str(exc))
    parsed: ParseResult = parse(body)
    if isinstance(parsed, Rejection):
        return _refuse(source, parsed.status, parsed.reason)
    event = parsed if isinstance(parsed, Event) else None
    reason = parsed.reason if isinstance(parsed, Ignored) else None
    outcome = await runtime.intake.submit(Submission(owner.project_id, event, key, source, reason))
    if isinstance(outcome, ProjectGone):
        runtime.tokens.clear()
        return _refuse(source, 401, "unknown or missing token")
    if outcome.ignored_reason is not None:
        return HookAnswer(status="ignored", event_id=outcome.event_id, reason=outcome.ignored_reason)
    if event is not None:
        EVENTS_RECEIVED.labels(source, event.kind.value).inc()
    return HookAnswer(
        status="duplicate" if outcome.duplicate else "accepted",
        event_id=outcome.event_id,
        deliveries=outcome.deliveries,
    )
