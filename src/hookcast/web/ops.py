"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from hookcast.clock import utcnow
from hookcast.crypto import digests_equal, token_digest
from hookcast.runtime import Runtime
from hookcast.store.outbox import State
from hookcast.store.tables import Delivery, Webhook
from hookcast.web.deps import RuntimeDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(runtime: RuntimeDep) -> Response:
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
    worker_ok = all(not task.done() for task in runtime.tasks)
    if not worker_ok:
        return JSONResponse({"status": "unavailable", "worker": "stopped"}, status_code=503)
    return JSONResponse({"status": "ready"})


# The queue gauges take two queries: a scraper polling every second (or a stranger) must not
# make the database do them more often than this.
GAUGES_MAX_AGE_SECONDS = 10.0


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    configured = runtime.settings.metrics_token
    if configured is not None:
        scheme, _, sent = (request.headers.get("authorization") or "").partition(" ")
        expected = token_digest(configured.get_secret_value())
        if scheme.lower() != "bearer" or not digests_equal(token_digest(sent.strip()), expected):
            return JSONResponse(
                {"detail": "a bearer token is required (HOOKCAST_METRICS_TOKEN)"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    now_monotonic = time.monotonic()
    if now_monotonic - runtime.metrics.gauges_read_at >= GAUGES_MAX_AGE_SECONDS:
        await _read_gauges(runtime)
        runtime.metrics.gauges_read_at = now_monotonic
    return Response(runtime.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


async def _read_gauges(runtime: Runtime) -> None:
    now = utcnow()
    async with runtime.sessions() as session:
        waiting = (Delivery.state == State.PENDING) | (Delivery.state == State.SENDING)
        depth, oldest = (
            await session.execute(select(func.count(), func.min(Delivery.next_attempt_at)).where(waiting))
        ).one()
        paused = await session.scalar(
            select(func.count()).select_from(Webhook).where(Webhook.paused_until > now)
        )
    runtime.metrics.queue_depth.set(depth)
    runtime.metrics.oldest_due_seconds.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    runtime.metrics.paused_webhooks.set(paused or 0)
