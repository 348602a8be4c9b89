"""Inbound webhooks: GitLab and Prometheus Alertmanager.

An event is answered 202 only once it and its fan-out are committed. GitLab disables hooks that
keep getting 4xx answers, so only a bad token (401), a malformed body or one lacking what its
kind needs (400: GitLab always sends those fields, so only a broken sender sees it) or an
oversized one (413) is refused; anything well-formed that hookcast does not notify about is
recorded and 202.

These are the busiest routes by far. :class:`HookFastLane` answers them before FastAPI's router
and dependency solving (about a fifth of the CPU an event costs); the FastAPI routes below
declare them in OpenAPI and serve them when the fast lane is not installed. Both read the
request the same way (:func:`receive_gitlab`, :func:`receive_alertmanager`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from hookcast.events import Event
from hookcast.metrics import EVENTS_RECEIVED, EVENTS_REJECTED
from hookcast.runtime import Runtime
from hookcast.services.intake import ProjectGone, Submission
from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.gitlab import parse_gitlab
from hookcast.web.body import BodyTooLarge, read_limited
from hookcast.web.deps import RuntimeDep, get_runtime

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
    # The headers are declared for OpenAPI; receive_gitlab reads them from the request.
    x_gitlab_token: Annotated[str | None, Header()] = None,
    x_gitlab_event: Annotated[str | None, Header()] = None,
    x_gitlab_event_uuid: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Response:
    return await receive_gitlab(request, runtime)


@router.post(
    "/alertmanager", status_code=202, response_model=HookAnswer, summary="Receive an Alertmanager webhook"
)
async def alertmanager_hook(
    request: Request,
    runtime: RuntimeDep,
    # Declared for OpenAPI; receive_alertmanager reads them from the request.
    authorization: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Response:
    return await receive_alertmanager(request, runtime)


async def receive_gitlab(request: Request, runtime: Runtime) -> Response:
    headers = request.headers
    event_uuid = headers.get("x-gitlab-event-uuid")
    kind = headers.get("x-gitlab-event")
    return await _receive(
        request,
        runtime,
        source="gitlab",
        token=headers.get("x-gitlab-token"),
        key=event_uuid or headers.get("idempotency-key"),
        parse=lambda body: parse_gitlab(kind, body, event_uuid=event_uuid),
    )


async def receive_alertmanager(request: Request, runtime: Runtime) -> Response:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return await _receive(
        request,
        runtime,
        source="alertmanager",
        token=token.strip() if scheme.lower() == "bearer" else None,
        key=request.headers.get("idempotency-key"),
        parse=parse_alertmanager,
    )


def _answer(answer: HookAnswer) -> Response:
    return Response(answer.model_dump_json(), status_code=202, media_type="application/json")


async def _receive(
    request: Request,
    runtime: Runtime,
    *,
    source: str,
    token: str | None,
    key: str | None,
    parse: ParseFn,
) -> Response:
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
        return _answer(HookAnswer(status="ignored", event_id=outcome.event_id, reason=outcome.ignored_reason))
    if event is not None:
        EVENTS_RECEIVED.labels(source, event.kind.value).inc()
    return _answer(
        HookAnswer(
            status="duplicate" if outcome.duplicate else "accepted",
            event_id=outcome.event_id,
            deliveries=outcome.deliveries,
        )
    )


FAST_ROUTES: dict[str, Callable[[Request, Runtime], Awaitable[Response]]] = {
    "/hooks/gitlab": receive_gitlab,
    "/hooks/alertmanager": receive_alertmanager,
}


class HookFastLane:
    """ASGI middleware: ``POST /hooks/...`` straight to its handler, everything else on to the
    app. It sits inside Starlette's error middleware, so a failure is still a logged 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = FAST_ROUTES.get(scope["path"]) if scope["type"] == "http" else None
        if handler is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await handler(request, await get_runtime(request))
        await response(scope, receive, send)
