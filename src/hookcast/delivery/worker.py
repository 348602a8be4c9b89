"""The outbox worker: claims due deliveries, sends them through one lane per bot, records
every attempt and decides what comes next.

- Claiming marks rows ``sending`` with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
  several workers share the table); a row whose worker died is claimed again when its lease ends.
- One lane per bot (webhook URL): a slow or dead endpoint only holds up its own messages.
- Results are written in batches by one recorder task: attempts, the delivery's next state and
  the webhook's failure count / pause, in one transaction per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.delivery.policy import State, after_attempt, pause_for
from hookcast.delivery.sender import Sender, SendError
from hookcast.events import Event
from hookcast.messages.model import Message
from hookcast.messages.render import render
from hookcast.metrics import ATTEMPT_SECONDS, ATTEMPTS
from hookcast.platforms import get_platform
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpResponse,
    Outcome,
    Permanent,
    Platform,
    RetryAfter,
    WebhookTarget,
)
from hookcast.services.webhooks import target_of
from hookcast.settings import Settings
from hookcast.store.tables import Attempt, Delivery, EventRow, Webhook

log = structlog.get_logger("hookcast.delivery")

EXCERPT_CHARS = 1000
MAX_IN_FLIGHT = 5000


@dataclass(frozen=True, slots=True)
class Destination:
    webhook_id: int
    platform: Platform
    target: WebhookTarget
    language: str
    bot_key: str


@dataclass(frozen=True, slots=True)
class Job:
    delivery_id: int
    attempts: int
    idempotency_key: str
    event: Event
    event_id: int
    destination: Destination


@dataclass(frozen=True, slots=True)
class Result:
    job: Job
    outcome: Outcome
    started_at: datetime
    duration_ms: int
    status_code: int | None
    response_excerpt: str
    error: str | None
    request_url: str
    request_body: str


def scrub(text: str, secrets: Sequence[str | None]) -> str:
    """``text`` with every secret in it replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def excerpt(body: bytes) -> str:
    return body[:EXCERPT_CHARS].decode("utf-8", "replace")


class Worker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        box: SecretBox,
        sender: Sender,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._box = box
        self._sender = sender
        self._is_postgres = not settings.is_sqlite
        self.wakeup = asyncio.Event()
        self._lanes: dict[str, asyncio.Queue[Job]] = {}
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        self._results: asyncio.Queue[Result] = asyncio.Queue()
        self._in_flight = 0
        self._paused: set[int] = set()
        self._render_cache: dict[tuple[int, str], Message] = {}

    # --- the claim loop ------------------------------------------------------------------

    async def run(self) -> None:
        recorder = asyncio.create_task(self._record_forever(), name="hookcast-recorder")
        try:
            while True:
                claimed = 0
                if self._in_flight < MAX_IN_FLIGHT:
                    claimed = await self._claim_and_dispatch()
                if claimed >= self._settings.claim_batch:
                    continue
                self.wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), self._settings.poll_interval)
        finally:
            recorder.cancel()
            for task in self._lane_tasks.values():
                task.cancel()
            await asyncio.gather(recorder, *self._lane_tasks.values(), return_exceptions=True)
            await self._release_unsent()

    def wake(self) -> None:
        self.wakeup.set()

    async def _claim_and_dispatch(self) -> int:
        jobs = await self._claim(self._settings.claim_batch)
        for job in jobs:
            self._in_flight += 1
            self._lane(job.destination.bot_key).put_nowait(job)
        return len(jobs)

    async def _claim(self, limit: int) -> list[Job]:
        now = utcnow()
        due = (
            select(Delivery.id)
            .join(Webhook, Webhook.id == Delivery.webhook_id)
            .where(
                or_(
                    and_(Delivery.state == State.PENDING, Delivery.next_attempt_at <= now),
                    and_(Delivery.state == State.SENDING, Delivery.lease_until < now),
                ),
                or_(Webhook.paused_until.is_(None), Webhook.paused_until <= now),
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
        if self._is_postgres:
            due = due.with_for_update(skip_locked=True, of=Delivery)
        lease_until = now + timedelta(seconds=self._settings.lease_seconds)
        async with self._sessions.begin() as session:
            rows = (
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(due.scalar_subquery()))
                    .values(state=State.SENDING, lease_until=lease_until, updated_at=now)
                    .returning(
                        Delivery.id,
                        Delivery.event_id,
                        Delivery.webhook_id,
                        Delivery.attempts,
                        Delivery.idempotency_key,
                    )
                )
            ).all()
            if not rows:
                return []
            events = await _load_events(session, {r.event_id for r in rows})
            webhooks = await _load_webhooks(session, {r.webhook_id for r in rows})
        jobs: list[Job] = []
        for row in rows:
            webhook = webhooks[row.webhook_id]
            jobs.append(
                Job(
                    delivery_id=row.id,
                    attempts=row.attempts,
                    idempotency_key=row.idempotency_key,
                    event=events[row.event_id],
                    event_id=row.event_id,
                    destination=self._destination(webhook, now),
                )
            )
        return jobs

    def _destination(self, webhook: Webhook, now: datetime) -> Destination:
        if webhook.paused_until is None or webhook.paused_until <= now:
            self._paused.discard(webhook.id)
        return Destination(
            webhook_id=webhook.id,
            platform=get_platform(webhook.platform),
            target=target_of(webhook, self._box),
            language=webhook.language,
            bot_key=webhook.url_digest,
        )

    # --- lanes: one per bot --------------------------------------------------------------

    def _lane(self, bot_key: str) -> asyncio.Queue[Job]:
        lane = self._lanes.get(bot_key)
        if lane is None:
            lane = asyncio.Queue()
            self._lanes[bot_key] = lane
            self._lane_tasks[bot_key] = asyncio.create_task(self._drain(lane), name=f"lane-{bot_key[:8]}")
        return lane

    async def _drain(self, lane: asyncio.Queue[Job]) -> None:
        while True:
            job = await lane.get()
            if job.destination.webhook_id in self._paused:
                await self._release([job])
                continue
            await self._results.put(await self.attempt(job))

    def _message(self, job: Job) -> Message:
        key = (job.event_id, job.destination.language)
        message = self._render_cache.get(key)
        if message is None:
            if len(self._render_cache) > 10_000:
                self._render_cache.clear()
            message = render(job.event, job.destination.language)
            self._render_cache[key] = message
        return message

    async def attempt(self, job: Job) -> Result:
        destination = job.destination
        platform = destination.platform
        secrets = (destination.target.secret, destination.target.url)
        started_at = utcnow()
        clock = time.perf_counter()
        request = platform.encode(
            self._message(job), destination.target, EncodeContext(time.time(), job.idempotency_key)
        )
        request_url = platform.redact_url(request.url)
        request_body = scrub(request.body.decode("utf-8", "replace"), secrets)
        status: int | None = None
        answer = ""
        error: str | None = None
        outcome: Outcome
        try:
            response: HttpResponse = await self._sender.send(request)
            status = response.status
            answer = scrub(excerpt(response.body), secrets)
            outcome = platform.classify(response)
        except SendError as exc:
            error = scrub(str(exc), secrets)
            outcome = RetryAfter(reason=error)
        duration = time.perf_counter() - clock
        ATTEMPTS.labels(platform.name.value, type(outcome).__name__).inc()
        ATTEMPT_SECONDS.labels(platform.name.value).observe(duration)
        if not isinstance(outcome, Delivered) and error is None:
            error = outcome.reason
        return Result(
            job=job,
            outcome=outcome,
            started_at=started_at,
            duration_ms=round(duration * 1000),
            status_code=status,
            response_excerpt=answer,
            error=error,
            request_url=request_url,
            request_body=request_body,
        )

    # --- the recorder --------------------------------------------------------------------

    async def _record_forever(self) -> None:
        while True:
            batch = [await self._results.get()]
            while not self._results.empty() and len(batch) < 500:
                batch.append(self._results.get_nowait())
            try:
                await self._record(batch)
            except Exception:
                # Nothing is lost: the rows stay 'sending' and are claimed again after their lease.
                log.exception("recording delivery results failed", count=len(batch))
            finally:
                self._in_flight -= len(batch)

    async def _record(self, batch: list[Result]) -> None:
        now = utcnow()
        schedule = self._settings.retry_schedule
        attempts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        soonest_retry: datetime | None = None
        for result in batch:
            done = result.job.attempts + 1
            step = after_attempt(result.outcome, done, schedule, now)
            attempts.append(
                {
                    "delivery_id": result.job.delivery_id,
                    "started_at": result.started_at,
                    "duration_ms": result.duration_ms,
                    "status_code": result.status_code,
                    "outcome": type(result.outcome).__name__.lower(),
                    "response_excerpt": result.response_excerpt,
                    "error": result.error,
                    "request_url": result.request_url,
                    "request_body": result.request_body,
                }
            )
            updates.append(
                {
                    "b_id": result.job.delivery_id,
                    "b_state": step.state.value,
                    "b_attempts": done,
                    "b_next": step.next_attempt_at or now,
                    "b_error": step.error,
                    "b_now": now,
                }
            )
            if step.next_attempt_at is not None and (
                soonest_retry is None or step.next_attempt_at < soonest_retry
            ):
                soonest_retry = step.next_attempt_at
        async with self._sessions.begin() as session:
            await session.execute(insert(Attempt), attempts)
            deliveries = cast(Table, Delivery.__table__)
            connection = await session.connection()
            await connection.execute(
                update(deliveries)
                .where(deliveries.c.id == bindparam("b_id"))
                .values(
                    state=bindparam("b_state"),
                    attempts=bindparam("b_attempts"),
                    next_attempt_at=bindparam("b_next"),
                    last_error=bindparam("b_error"),
                    lease_until=None,
                    updated_at=bindparam("b_now"),
                ),
                updates,
            )
            await self._track_webhook_health(session, batch, now)
        if soonest_retry is not None and soonest_retry <= now + timedelta(
            seconds=self._settings.poll_interval
        ):
            self.wake()

    async def _track_webhook_health(self, session: AsyncSession, batch: list[Result], now: datetime) -> None:
        last_by_webhook: dict[int, list[Outcome]] = {}
        for result in batch:
            last_by_webhook.setdefault(result.job.destination.webhook_id, []).append(result.outcome)
        failing = {
            webhook_id: outcomes
            for webhook_id, outcomes in last_by_webhook.items()
            if not isinstance(outcomes[-1], Delivered)
        }
        healthy = [w for w in last_by_webhook if w not in failing]
        if healthy:
            await session.execute(
                update(Webhook)
                .where(
                    Webhook.id.in_(healthy),
                    or_(Webhook.consecutive_failures != 0, Webhook.paused_until.is_not(None)),
                )
                .values(consecutive_failures=0, paused_until=None, pause_reason=None)
            )
        for webhook_id, outcomes in failing.items():
            webhook = await session.get(Webhook, webhook_id)
            if webhook is None:
                continue
            trailing = 0
            for outcome in reversed(outcomes):
                if isinstance(outcome, Delivered):
                    break
                trailing += 1
            restarted = any(isinstance(o, Delivered) for o in outcomes)
            webhook.consecutive_failures = trailing if restarted else webhook.consecutive_failures + trailing
            last = outcomes[-1]
            assert isinstance(last, RetryAfter | Permanent)
            pause = pause_for(last, webhook.consecutive_failures, now)
            if pause is not None:
                webhook.paused_until = pause.until
                webhook.pause_reason = pause.reason
                self._paused.add(webhook_id)
                log.warning(
                    "webhook paused",
                    webhook_id=webhook_id,
                    until=pause.until.isoformat(),
                    reason=pause.reason,
                )

    # --- giving work back ----------------------------------------------------------------

    async def _release(self, jobs: Sequence[Job]) -> None:
        """Put claimed but unsent deliveries back in the queue, untouched."""
        ids = [job.delivery_id for job in jobs]
        async with self._sessions.begin() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids), Delivery.state == State.SENDING)
                .values(state=State.PENDING, lease_until=None, updated_at=utcnow())
            )
        self._in_flight -= len(jobs)

    async def _release_unsent(self) -> None:
        unsent: list[Job] = []
        for lane in self._lanes.values():
            while not lane.empty():
                unsent.append(lane.get_nowait())
        if unsent:
            with contextlib.suppress(Exception):
                await self._release(unsent)


async def _load_events(session: AsyncSession, ids: set[int]) -> dict[int, Event]:
    rows = await session.execute(select(EventRow.id, EventRow.event).where(EventRow.id.in_(ids)))
    return {row.id: Event.model_validate(row.event) for row in rows}


async def _load_webhooks(session: AsyncSession, ids: set[int]) -> dict[int, Webhook]:
    rows = await session.scalars(select(Webhook).where(Webhook.id.in_(ids)))
    return {webhook.id: webhook for webhook in rows}
