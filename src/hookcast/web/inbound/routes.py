"""The inbound routes, generated from the list of sources (`hookcast.sources.registry.SOURCES`):
one FastAPI route per path, documented in OpenAPI from the declarations, and a fast lane.

The hooks are by far the busiest routes, and FastAPI's routing plus dependency solving cost about
a fifth of the CPU an event takes. :class:`InboundFastLane` therefore answers the routes with a
fixed path before the router; the FastAPI routes serve the same handler for OpenAPI, for paths
with a ``{project_id}``, and whenever the middleware is not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from hookcast.sources.base import HeaderToken, Source
from hookcast.sources.signatures import BodyHmac
from hookcast.web.deps import RowId, RuntimeDep, get_runtime
from hookcast.web.inbound.pipeline import HookAnswer, InboundRoute, receive

Endpoint = Callable[..., Coroutine[Any, Any, Response]]


def group_by_route(sources: Sequence[Source]) -> list[InboundRoute]:
    """The routes to generate, in the order their sources are listed. Sources sharing a path
    must share the route and the authentication (it runs before the body says which source it
    is), and only the last may take every request the others leave. An HMAC source needs a
    path that names the project: there is no token to say which."""
    grouped: dict[str, list[Source]] = {}
    for source in sources:
        grouped.setdefault(source.route.path, []).append(source)
    routes = []
    for path, members in grouped.items():
        first = members[0]
        if any(s.route != first.route or s.auth != first.auth for s in members):
            raise ValueError(f"the sources on {path} disagree on their route or authentication")
        if any(s.claims is None for s in members[:-1]) or members[-1].claims is not None:
            raise ValueError(f"on {path}, the last source (and only it) must take every request")
        if isinstance(first.auth, BodyHmac) and not first.route.names_project:
            raise ValueError(f"{path}: a source signed by HMAC needs {{project_id}} in its path")
        routes.append(InboundRoute(first.route, tuple(members)))
    return routes


def inbound_router(routes: Sequence[InboundRoute]) -> APIRouter:
    router = APIRouter(tags=["inbound"])
    for inbound in routes:
        router.add_api_route(
            inbound.route.path,
            _endpoint(inbound),
            methods=list(inbound.route.methods),
            status_code=202,
            response_model=HookAnswer,
            summary=inbound.route.summary,
            operation_id="receive_" + "_or_".join(source.name for source in inbound.sources),
            openapi_extra=_openapi(inbound),
            responses=_responses(inbound),
        )
    return router


def _endpoint(inbound: InboundRoute) -> Endpoint:
    if inbound.route.names_project:

        async def for_project(request: Request, runtime: RuntimeDep, project_id: RowId) -> Response:
            return await receive(request, runtime, inbound, project_id)

        return for_project

    async def endpoint(request: Request, runtime: RuntimeDep) -> Response:
        return await receive(request, runtime, inbound, None)

    return endpoint


def _openapi(inbound: InboundRoute) -> dict[str, Any]:
    """The headers the route reads and the bodies it takes, from its sources' declarations."""
    headers: dict[str, None] = {}  # ordered, without repeats
    content: dict[str, Any] = {}
    for source in inbound.sources:
        headers.update(
            dict.fromkeys((*source.auth_headers, *source.reads_headers, *source.idempotency.headers))
        )
        content.update(
            {media: {"schema": inline_schema(dict(schema))} for media, schema in source.bodies.items()}
        )
    extra: dict[str, Any] = {
        "parameters": [
            {"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
            for name in headers
        ]
    }
    if content:
        extra["requestBody"] = {"required": True, "content": content}
    return extra


def _responses(inbound: InboundRoute) -> dict[int | str, dict[str, Any]]:
    first = inbound.sources[0]
    answers: dict[int | str, dict[str, Any]] = {
        400: {"description": "Malformed body"},
        401: {"description": _unauthorized(first)},
    }
    if inbound.route.names_project and not isinstance(first.auth, BodyHmac):
        answers[403] = {"description": "A project token of another project"}
        answers[404] = {"description": "No such project"}
    answers[413] = {"description": "Body too large"}
    for source in inbound.sources:
        answers.update({status: {"description": text} for status, text in source.refusals.items()})
    return dict(sorted(answers.items(), key=lambda item: str(item[0])))


def _unauthorized(source: Source) -> str:
    if isinstance(source.auth, BodyHmac):
        return "Bad signature"
    if isinstance(source.auth, HeaderToken) and source.auth.signed_when_set is not None:
        return (
            "Missing or unknown token, or (for a project with a signing secret) a missing, bad "
            "or stale signature"
        )
    return "Missing or unknown token"


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


class InboundFastLane:
    """ASGI middleware: a request for a fixed-path inbound route goes straight to the pipeline,
    everything else on to the app. It sits inside Starlette's error middleware, so a failure is
    still a logged 500."""

    def __init__(self, app: ASGIApp, routes: Sequence[InboundRoute]) -> None:
        self.app = app
        self.routes = {r.route.path: r for r in routes if not r.route.names_project}

    async def __call__(self, scope: Scope, receive_asgi: Receive, send: Send) -> None:
        inbound = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        if inbound is None or scope["method"] not in inbound.route.methods:
            await self.app(scope, receive_asgi, send)
            return
        request = Request(scope, receive_asgi)
        response = await receive(request, await get_runtime(request), inbound, None)
        await response(scope, receive_asgi, send)
