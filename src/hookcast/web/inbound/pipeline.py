"""The one inbound pipeline, for every source: pick the source (by route and headers),
authenticate, read the body up to ``HOOKCAST_MAX_BODY_BYTES``, check its signature (HMAC
sources), parse, submit to the group-commit intake queue, answer.

The answer is 202 only once the event and its fan-out are committed. Senders such as GitLab
disable hooks that keep getting 4xx answers, so only what cannot be taken is refused: a bad
token or signature (401; 403 / 404 when the route names another project), an oversized body
(413), or what the parser rejects (400 malformed, 415, 422). Anything well-formed that hookcast
does not notify about is kept and answered 202 ``ignored``.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hookcast.events import Event
from hookcast.logs import error_fields
from hookcast.runtime import Runtime
from hookcast.services.intake import NotStored, ProjectGone, Submission
from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.base import Headers, Route, Source
from hookcast.sources.signatures import BodyHmac
from hookcast.web.body import BodyTooLarge, read_limited
from hookcast.web.inbound.auth import (
    UNKNOWN_TOKEN,
    Caller,
    Refusal,
    authenticate,
    project_not_found,
    verify_body,
)

log = structlog.get_logger("hookcast.inbound")


class HookAnswer(BaseModel):
    status: str  # accepted | duplicate | ignored
    event_id: int | None = None
    deliveries: int = 0
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class InboundRoute:
    """One generated route and the sources it serves, in the order they are tried."""

    route: Route
    sources: tuple[Source, ...]

    def source_for(self, headers: Headers) -> Source:
        for source in self.sources:
            if source.claims is None or source.claims(headers):
                return source
        raise AssertionError("a route ends with a source that takes every request")  # checked at build


async def receive(
    request: Request, runtime: Runtime, inbound: InboundRoute, project_id: int | None
) -> Response:
    """``project_id``: the project the route's path names, if it names one."""
    headers = request.headers
    source = inbound.source_for(headers)
    caller = await authenticate(runtime, source, headers, project_id)
    if isinstance(caller, Refusal):
        return _refuse(runtime, source, caller)
    try:
        body = await read_limited(request, runtime.settings.max_body_bytes)
    except BodyTooLarge as exc:
        return _refuse(runtime, source, Refusal(413, str(exc)))
    forged = verify_body(source, caller, headers, body)
    if forged is not None:
        return _refuse(runtime, source, forged)
    parsed = _parse(source, caller, headers, body)
    if isinstance(parsed, Rejection):
        return _refuse(runtime, source, Refusal(parsed.status, parsed.reason))
    return await _submit(runtime, source, caller, headers, parsed, project_id)


def _parse(source: Source, caller: Caller, headers: Headers, body: bytes) -> ParseResult:
    """The source's parser, with a last guard: a parser bug is logged (where, not the body's
    text it may quote) and answered 400 (the body is what it choked on), never 500."""
    try:
        return source.parse(headers, body)
    except Exception as error:
        log.error("parser failed", source=source.name, project_id=caller.project_id, **error_fields(error))
        return Rejection(400, f"unreadable {source.name} body ({type(error).__name__})")


async def _submit(
    runtime: Runtime,
    source: Source,
    caller: Caller,
    headers: Headers,
    parsed: Event | Ignored,
    project_id: int | None,
) -> Response:
    if isinstance(parsed, Event) and source.names_unnamed_project and not parsed.project.name:
        parsed = parsed.model_copy(
            update={"project": parsed.project.model_copy(update={"name": caller.project_name})}
        )
    event = parsed if isinstance(parsed, Event) else None
    reason = parsed.reason if isinstance(parsed, Ignored) else None
    key = source.idempotency.of(headers, parsed)
    # A signed route names the project whose secret signed, as a token would: an organization
    # receiver's events may be handed on (`Submission.named_by_route`). Any other route that
    # names a project (an admin token posting for it) keeps the event there.
    chosen_by_route = project_id is not None and not isinstance(source.auth, BodyHmac)
    submission = Submission(
        caller.project_id, event, key, source.name, reason, named_by_route=chosen_by_route
    )
    try:
        outcome = await runtime.intake.submit(submission)
    except NotStored as not_stored:  # logged by the intake queue, with ids
        return _refuse(runtime, source, Refusal(503, str(not_stored)))
    if isinstance(outcome, ProjectGone):  # deleted since it was authenticated
        runtime.tokens.clear()
        gone = Refusal(401, UNKNOWN_TOKEN) if project_id is None else project_not_found(project_id)
        return _refuse(runtime, source, gone)
    if outcome.ignored_reason is not None:
        return _answer(HookAnswer(status="ignored", event_id=outcome.event_id, reason=outcome.ignored_reason))
    if event is not None:
        runtime.metrics.events_received.labels(source.name, event.kind.value).inc()
    return _answer(
        HookAnswer(
            status="duplicate" if outcome.duplicate else "accepted",
            event_id=outcome.event_id,
            deliveries=outcome.deliveries,
        )
    )


def _refuse(runtime: Runtime, source: Source, refusal: Refusal) -> JSONResponse:
    runtime.metrics.events_rejected.labels(source.name, str(refusal.status)).inc()
    return JSONResponse({"detail": refusal.reason}, status_code=refusal.status, headers=refusal.headers)


def _answer(answer: HookAnswer) -> Response:
    return Response(answer.model_dump_json(), status_code=202, media_type="application/json")
