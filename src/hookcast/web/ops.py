"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from hookcast.clock import utcnow
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


@router.get("/metrics", include_in_schema=False)
async def metrics(runtime: RuntimeDep) -> Response:
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
    return Response(runtime.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
