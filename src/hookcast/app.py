"""Builds the ASGI application for a role (serve: API + UI + worker; api: HTTP only)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hookcast import __version__
from hookcast.runtime import ProcessRole, running
from hookcast.services.errors import Busy, Conflict, Invalid, InvalidDocument, NotFound, ServiceError
from hookcast.settings import Settings
from hookcast.sources.base import Source
from hookcast.sources.registry import SOURCES
from hookcast.web import api, config_document, directory, docs, feishu_bot, ops, silences_api
from hookcast.web.guard import RequestGuard
from hookcast.web.headers import SecurityHeaders
from hookcast.web.inbound.routes import InboundFastLane, group_by_route, inbound_router
from hookcast.web.ui import router as ui_router

# Every HTTP surface, in one list: add a module's router here. The inbound routes are generated
# from the list of sources (`hookcast.sources.registry`).
ROUTERS = (
    ops.router,
    docs.router,
    api.router,
    silences_api.project_router,
    silences_api.instance_router,
    config_document.router,
    directory.router,
    ui_router,
    feishu_bot.router,
)

STATUS_OF: dict[type[ServiceError], int] = {NotFound: 404, Invalid: 422, Conflict: 409, Busy: 429}


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    status = next((STATUS_OF[kind] for kind in type(exc).__mro__ if kind in STATUS_OF), 400)
    if isinstance(exc, InvalidDocument):
        detail = [
            {"loc": ["body", *([where] if where else [])], "msg": msg, "type": "value_error"}
            for where, msg in exc.problems
        ]
        return JSONResponse({"detail": detail}, status_code=status)
    if exc.field is not None:
        detail = [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=status)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Busy) else None
    return JSONResponse({"detail": exc.message}, status_code=status, headers=headers)


# A UTF-16 surrogate on its own: Python text may hold one (JSON's "\\ud800" decodes to it), UTF-8
# cannot carry it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


async def _invalid_request(_request: Request, exc: Exception) -> Response:
    """FastAPI's 422, whose details quote the refused input back; a lone surrogate in it is
    replaced by U+FFFD, where FastAPI's own handler failed to encode it and answered 500."""
    assert isinstance(exc, RequestValidationError)
    text = json.dumps(jsonable_encoder({"detail": exc.errors()}), ensure_ascii=False)
    return Response(LONE_SURROGATE.sub("\ufffd", text), status_code=422, media_type="application/json")


def create_app(
    settings: Settings, role: ProcessRole = ProcessRole.SERVE, *, sources: Sequence[Source] = SOURCES
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(settings, role) as runtime:
            app.state.runtime = runtime
            yield

    app = FastAPI(
        title="hookcast",
        version=__version__,
        summary="Development events to team chats, delivered reliably.",
        lifespan=lifespan,
        docs_url=None,  # hookcast serves /docs itself, without a CDN (web/docs.py)
        redoc_url=None,
    )
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    inbound = group_by_route(sources)
    app.include_router(inbound_router(inbound))
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(InboundFastLane, routes=inbound)  # fixed-path inbound routes, before routing
    # callers checked, bodies bounded (web/guard.py); the inbound routes check their own
    app.add_middleware(RequestGuard, inbound_paths=[r.route.path for r in inbound])
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, refusals included
    return app
