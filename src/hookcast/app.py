"""Builds the ASGI application for a role (serve: API + UI + worker; api: HTTP only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hookcast import __version__
from hookcast.runtime import ProcessRole, running
from hookcast.services.errors import Conflict, Invalid, NotFound, ServiceError
from hookcast.settings import Settings
from hookcast.web import api, directory, events, feishu_events, hooks, ops
from hookcast.web.ui import router as ui_router

# Every HTTP surface, in one list: add a module's router here.
ROUTERS = (
    ops.router,
    hooks.router,
    api.router,
    events.router,
    directory.router,
    ui_router,
    feishu_events.router,
)

STATUS_OF: dict[type[ServiceError], int] = {NotFound: 404, Invalid: 422, Conflict: 409}


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    status = STATUS_OF.get(type(exc), 400)
    if exc.field is not None:
        detail = [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=status)
    return JSONResponse({"detail": exc.message}, status_code=status)


def create_app(settings: Settings, role: ProcessRole = ProcessRole.SERVE) -> FastAPI:
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
    )
    app.add_exception_handler(ServiceError, _service_error)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(hooks.HookFastLane)  # the inbound hooks, before FastAPI's routing
    return app
