"""The outbox worker: claims due deliveries, sends them through one lane per bot, records every
attempt and decides what comes next.

- Claiming marks rows ``sending``, with this worker's name and a lease (``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL, so several workers share the table); rows of a worker that died are
  given back as soon as it is known gone (``claims``), at the latest when their lease ends.
  Stopping gives back what was not sent (``shutdown``).
  Workers wake at once on new work (in-process, or PostgreSQL ``LISTEN/NOTIFY``) and poll as a
  fallback.
- One lane per bot (webhook URL): a slow or dead endpoint only holds up its own messages. A lane
  takes a rate-limit slot before each send; when more messages wait than the bot's limit lets
  through now, it merges them into one digest instead of dropping or trickling them.
- Results are written in batches by one recorder task: attempts, the delivery's next state and
  the webhook's failure count / pause, in one transaction per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import Table, Text, and_, bindparam, insert, or_, select, update
from sqlalchemy import cast as cast_as
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.delivery.claims import Presence, give_back
from hookcast.delivery.courier import Courier
from hookcast.delivery.digest import parts_that_fit, should_merge
from hookcast.delivery.limiter import BotLimiter
from hookcast.delivery.mentions import directory_for, mentions_for
from hookcast.delivery.policy import State, after_attempt, outcome_label, pause_for
from hookcast.delivery.retention import prune, retention_days
from hookcast.delivery.shutdown import RECORD_GRACE, SendsInFlight, wind_down
from hookcast.directmessages import MessengerPool
from hookcast.events import Event, Person
from hookcast.messages.digest import render_digest
from hookcast.messages.model import Mention, Message
from hookcast.messages.render import render
from hookcast.metrics import ATTEMPT_SECONDS, ATTEMPTS, DIGESTS_SENT
from hookcast.platforms import get_platform
from hookcast.platforms.app_client.base import describe
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpRequest,
    HttpResponse,
    Outcome,
    Permanent,
    Platform,
    RetryAfter,
    WebhookTarget,
)
from hookcast.services.intake import NOTIFY_CHANNEL
from hookcast.services.webhooks import target_of
from hookcast.settings import Settings
from hookcast.store.directory import ImAppRow
from hookcast.store.tables import Attempt, Delivery, EventRow, Webhook

log = structlog.get_logger("hookcast.delivery")

MAX_IN_FLIGHT = 5000
LONGEST_NAP = 5.0  # a lane waiting for a rate-limit slot looks again at least this often
RETENTION_EVERY = 600.0
RECORD_TRIES = 3
RECORD_BATCH = 100  # results written per transaction: SQLite runs it on the loop, so keep it short


@dataclass(frozen=True, slots=True)
class Destination:
    webhook_id: int
    platform: Platform
    target: WebhookTarget
    language: str
    bot_key: str
    channel: str = "group"  # or "direct": a message to ``recipient`` through the IM app
    recipient: Person | None = None
    direct_only: bool = False


@dataclass(frozen=True, slots=True)
class Job:
    delivery_id: int
    attempts: int
    idempotency_key: str
    event: Event
    event_id: int
    destination: Destination
    mentions: tuple[Mention, ...] = ()


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
    digest_of: int | None = None


@dataclass
class Lane:
    """The deliveries waiting for one bot, oldest first."""

    jobs: deque[Job] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    webhook_ids: set[int] = field(default_factory=set)  # every webhook seen here (a superset)

    def add(self, job: Job) -> None:
        self.jobs.append(job)
        self.webhook_ids.add(job.destination.webhook_id)
        self.ready.set()


def unsent(job: Job, reason: str) -> Result:
    """The result of a delivery that could not even be attempted (kept, with the reason)."""
    return Result(
        job=job,
        outcome=Permanent(reason),
        started_at=utcnow(),
        duration_ms=0,
        status_code=None,
        response_excerpt="",
        error=reason,
        request_url="",
        request_body="",
    )


def cool_down_for(outcome: Outcome, response: HttpResponse | None, default: float) -> float | None:
    """How long the whole bot must rest after this answer, if at all."""
    if response is not None and response.headers.get("x-ratelimit-remaining") == "0":
        reset_after = response.headers.get("x-ratelimit-reset-after")
        with contextlib.suppress(ValueError, TypeError):
            return float(reset_after or "")
    if isinstance(outcome, RetryAfter) and (
        outcome.throttled or (response is not None and response.status == 429)
    ):
        return outcome.seconds if outcome.seconds is not None else default
    return None


class Worker:
    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        box: SecretBox,
        courier: Courier,
        limiter: BotLimiter,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._settings = settings
        self._box = box
        self._courier = courier
        self._limiter = limiter
        self._is_postgres = engine.dialect.name == "postgresql"
        self.wakeup = asyncio.Event()
        self._lanes: dict[str, Lane] = {}
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        self._results: asyncio.Queue[Result] = asyncio.Queue()
        self._in_flight = 0
        self._backlogged = False  # the claim loop is waiting for in-flight work to drain
        self._held: set[int] = set()  # claimed here and not yet recorded: their leases are renewed
        self._paused: set[int] = set()
        self._render_cache: dict[tuple[int, str], Message] = {}
        self._recent_events: dict[int, Event] = {}  # accepted in this process, not yet claimed
        self._targets: dict[tuple[int, datetime], WebhookTarget] = {}
        self._messengers = MessengerPool(box, courier.http)
        self._im_apps: dict[str, ImAppRow] = {}
        self.presence = Presence(sessions, sole_worker=not self._is_postgres, skip_locked=self._is_postgres)
        self._sends = SendsInFlight()
        self._stopping = asyncio.Event()
        self._running: asyncio.Task[Any] | None = None

    # --- the claim loop ------------------------------------------------------------------

    async def run(self) -> None:
        self._running = asyncio.current_task()
        try:
            await self.presence.register()
        except Exception:
            log.exception("could not register this worker; rows of crashed workers wait for their lease")
        helpers = [
            asyncio.create_task(self._record_forever(), name="hookcast-recorder"),
            asyncio.create_task(self._prune_forever(), name="hookcast-retention"),
            asyncio.create_task(self._renew_leases_forever(), name="hookcast-leases"),
            asyncio.create_task(self.presence.beat_forever(self.wake), name="hookcast-heartbeat"),
        ]
        if self._is_postgres:
            helpers.append(asyncio.create_task(self._listen_forever(), name="hookcast-listen"))
        try:
            while not self._stopping.is_set():
                # Clear before claiming: a wake-up that arrives during the claim is kept.
                self.wakeup.clear()
                claimed = 0
                self._backlogged = self._in_flight >= MAX_IN_FLIGHT
                if not self._backlogged:
                    claimed = await self._claim_and_dispatch()
                if claimed >= self._settings.claim_batch:
                    continue
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                # cancellation that lands as the wait ends, and the worker would never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._settings.poll_interval):
                        await self.wakeup.wait()
        finally:
            await wind_down(
                lanes=self._lane_tasks.values(),
                sends=self._sends,
                grace=self._settings.shutdown_grace_seconds,
                recorded=self._results.join,
                helpers=helpers,
                presence=self.presence,
            )

    async def stop(self) -> None:
        """Stop claiming, let sends in flight finish (within the grace), record them and give the
        rest back; see ``shutdown``. Bounded."""
        self._stopping.set()
        self.wake()
        if self._running is not None and not self._running.done():
            await asyncio.wait([self._running], timeout=self.stop_within)

    @property
    def stop_within(self) -> float:
        """The longest ``stop`` takes: the grace, then the database writes and some slack."""
        return self._settings.shutdown_grace_seconds + 3 * RECORD_GRACE

    def wake(self) -> None:
        self.wakeup.set()

    def expect(self, events: dict[int, Event]) -> None:
        """New deliveries were committed in this process for these events: keep the events at
        hand for their claim (saves reading and parsing them back), and wake up."""
        if len(self._recent_events) > MAX_IN_FLIGHT:
            self._recent_events.clear()  # claimed elsewhere or long ago: read back when needed
        self._recent_events.update(events)
        self.wake()

    async def _listen_forever(self) -> None:
        """PostgreSQL: wake on ``NOTIFY`` from any API process; reconnect if the link drops."""
        while True:
            try:
                async with self._engine.connect() as connection:
                    raw = await connection.get_raw_connection()
                    driver: Any = raw.driver_connection
                    lost = asyncio.Event()
                    driver.add_termination_listener(lambda *_, lost=lost: lost.set())
                    await driver.add_listener(NOTIFY_CHANNEL, lambda *_: self.wake())
                    self.wake()  # anything committed while not listening
                    await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("LISTEN connection lost; polling until it is back", exc_info=True)
                await asyncio.sleep(self._settings.poll_interval)

    async def _prune_forever(self) -> None:
        while True:
            await asyncio.sleep(RETENTION_EVERY)
            try:
                async with self._sessions.begin() as session:
                    days = await retention_days(session, self._settings.retention_days)
                    removed = await prune(session, days, utcnow())
                if removed:
                    log.info("retention: pruned delivered rows", deliveries=removed)
            except Exception:
                log.exception("retention pass failed")

    async def _renew_leases_forever(self) -> None:
        """Keep the leases of what this worker holds (waiting in a lane for a rate-limit slot, or
        being sent), so that no other worker takes it over while this one is alive."""
        every = self._settings.lease_seconds / 3
        while True:
            await asyncio.sleep(every)
            held = sorted(self._held)
            if not held:
                continue
            try:
                lease_until = utcnow() + timedelta(seconds=self._settings.lease_seconds)
                async with self._sessions.begin() as session:
                    for start in range(0, len(held), 1000):
                        # Rows the recorder is finishing right now are skipped, never waited for:
                        # renewal must not hold locks in another order than the recorder.
                        lockable = select(Delivery.id).where(
                            Delivery.id.in_(held[start : start + 1000]), Delivery.state == State.SENDING
                        )
                        if self._is_postgres:
                            lockable = lockable.with_for_update(skip_locked=True)
                        await session.execute(
                            update(Delivery)
                            .where(Delivery.id.in_(lockable.scalar_subquery()))
                            .values(lease_until=lease_until)
                        )
            except Exception:
                log.exception("renewing leases failed")

    async def _claim_and_dispatch(self) -> int:
        jobs = await self._claim(self._settings.claim_batch)
        for job in jobs:
            self._in_flight += 1
            self._held.add(job.delivery_id)
            self._lane(job.destination.bot_key).add(job)
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
                    .values(
                        state=State.SENDING,
                        lease_until=lease_until,
                        claimed_by=self.presence.id,
                        updated_at=now,
                    )
                    .returning(
                        Delivery.id,
                        Delivery.event_id,
                        Delivery.webhook_id,
                        Delivery.attempts,
                        Delivery.idempotency_key,
                        Delivery.channel,
                        Delivery.recipient,
                    )
                )
            ).all()
            if not rows:
                return []
            wanted = {r.event_id for r in rows}
            events = {i: e for i in wanted if (e := self._recent_events.pop(i, None)) is not None}
            if len(events) < len(wanted):
                events |= await _load_events(session, wanted - events.keys())
            webhooks = await _load_webhooks(session, {r.webhook_id for r in rows})
            if any(row.channel == "direct" for row in rows):
                self._im_apps = {app.platform: app for app in await session.scalars(select(ImAppRow))}
            mentioning = {r.event_id for r in rows if webhooks[r.webhook_id].mention_people}
            directory = await directory_for(session, [events[i] for i in mentioning])
        jobs = [
            Job(
                delivery_id=row.id,
                attempts=row.attempts,
                idempotency_key=row.idempotency_key,
                event=events[row.event_id],
                event_id=row.event_id,
                destination=self._destination(webhooks[row.webhook_id], now, row.channel, row.recipient),
                mentions=mentions_for(events[row.event_id], directory) if row.event_id in mentioning else (),
            )
            for row in sorted(rows, key=lambda r: r.id)
        ]
        return jobs

    def _target(self, webhook: Webhook) -> WebhookTarget:
        """The webhook's decrypted URL and secret, decrypted once per version of the webhook."""
        key = (webhook.id, webhook.updated_at)
        target = self._targets.get(key)
        if target is None:
            if len(self._targets) > 10_000:
                self._targets.clear()
            target = self._targets[key] = target_of(webhook, self._box)
        return target

    def _destination(
        self, webhook: Webhook, now: datetime, channel: str, recipient: dict[str, Any] | None
    ) -> Destination:
        if webhook.paused_until is None or webhook.paused_until <= now:
            self._paused.discard(webhook.id)
        return Destination(
            webhook_id=webhook.id,
            platform=get_platform(webhook.platform),
            target=self._target(webhook),
            language=webhook.language,
            bot_key=webhook.url_digest
            if channel == "group"
            else f"dm:{webhook.platform}:{_identity(recipient)}",
            channel=channel,
            recipient=Person.model_validate(recipient) if recipient else None,
            direct_only=webhook.direct_only,
        )

    # --- lanes: one per bot --------------------------------------------------------------

    def _lane(self, bot_key: str) -> Lane:
        lane = self._lanes.get(bot_key)
        if lane is None:
            lane = Lane()
            self._lanes[bot_key] = lane
            self._lane_tasks[bot_key] = asyncio.create_task(
                self._drain(bot_key, lane), name=f"lane-{bot_key[:8]}"
            )
        return lane

    async def _drain(self, bot_key: str, lane: Lane) -> None:
        while not self._sends.stopping:
            if not lane.jobs:
                lane.ready.clear()
                await lane.ready.wait()
                continue
            try:
                await self._step(bot_key, lane)
            except Exception:
                # A lane never dies: whatever went wrong is logged, and the lane goes on.
                log.exception("delivery lane failed a step", bot=bot_key[:12])
                await asyncio.sleep(1)

    async def _step(self, bot_key: str, lane: Lane) -> None:
        """Send what comes next on this lane, or wait for its rate-limit slot."""
        paused = (
            []
            if self._paused.isdisjoint(lane.webhook_ids)  # the usual case, without a scan of the lane
            else [job for job in lane.jobs if job.destination.webhook_id in self._paused]
        )
        if paused:
            for job in paused:
                lane.jobs.remove(job)
            await self._release(paused)
            return
        head = lane.jobs[0]
        if head.destination.channel == "direct":
            with self._sends.sending():
                direct = await self.attempt_direct(lane.jobs.popleft())
            for result in direct:
                self._results.put_nowait(result)
            return
        limits = head.destination.platform.rate_limits
        wait = await self._limiter.wait_time(bot_key, limits)
        if wait > 0:
            await asyncio.sleep(min(wait, LONGEST_NAP))  # more may gather meanwhile
            return
        # Build the request first and take the slot last, right before it leaves: the platform
        # counts arrivals, so the gap between the two must be as short as can be.
        batch = await self._next_batch(bot_key, lane)
        try:
            prepared = self._prepare(batch)
        except Exception as exc:
            log.exception("rendering or encoding failed", deliveries=[job.delivery_id for job in batch])
            for job in batch:
                self._results.put_nowait(unsent(job, f"hookcast could not render this message: {exc!r}"))
            return
        if await self._limiter.reserve(bot_key, limits) > 0:  # another process was quicker
            lane.jobs.extendleft(reversed(batch))
            return
        with self._sends.sending():
            results, response = await self._send(batch, prepared)
        for result in results:  # before any other await: a stopping worker records them
            self._results.put_nowait(result)
        rest = cool_down_for(results[0].outcome, response, self._settings.cool_down_seconds)
        if rest is not None:
            await self._limiter.cool_down(bot_key, rest)

    async def _next_batch(self, bot_key: str, lane: Lane) -> list[Job]:
        """The oldest message alone, or a digest of the oldest ones when more wait than the bot's
        limit lets through now."""
        head = lane.jobs[0]
        platform = head.destination.platform
        remaining = await self._limiter.remaining(bot_key, platform.rate_limits)
        if not should_merge(len(lane.jobs), remaining):
            return [lane.jobs.popleft()]
        messages = [self._message(job) for job in list(lane.jobs)]
        count = parts_that_fit(messages, platform.digest_budget)
        return [lane.jobs.popleft() for _ in range(count)]

    def _message(self, job: Job) -> Message:
        if job.mentions:  # the same event renders differently with mentions: not cached
            return render(job.event, job.destination.language, mentions=job.mentions)
        key = (job.event_id, job.destination.language)
        message = self._render_cache.get(key)
        if message is None:
            if len(self._render_cache) > 10_000:
                self._render_cache.clear()
            message = render(job.event, job.destination.language)
            self._render_cache[key] = message
        return message

    def _prepare(self, jobs: Sequence[Job]) -> HttpRequest:
        """The request carrying one message, or for several jobs their digest."""
        head = jobs[0]
        destination = head.destination
        if len(jobs) == 1:
            message = self._message(head)
        else:
            message = render_digest([self._message(job) for job in jobs], destination.language)
        return destination.platform.encode(
            message, destination.target, EncodeContext(time.time(), head.idempotency_key)
        )

    async def attempt(self, jobs: Sequence[Job]) -> tuple[list[Result], HttpResponse | None]:
        """Send one message (or, for several jobs, their digest) and classify the answer."""
        return await self._send(jobs, self._prepare(jobs))

    async def _send(
        self, jobs: Sequence[Job], request: HttpRequest
    ) -> tuple[list[Result], HttpResponse | None]:
        head = jobs[0]
        destination = head.destination
        platform = destination.platform
        if len(jobs) > 1:
            DIGESTS_SENT.labels(platform.name.value).inc()
        started_at = utcnow()
        sent = await self._courier.deliver(platform, destination.target, request)
        ATTEMPTS.labels(platform.name.value, outcome_label(sent.outcome)).inc()
        ATTEMPT_SECONDS.labels(platform.name.value).observe(sent.duration)
        results = [
            Result(
                job=job,
                outcome=sent.outcome,
                started_at=started_at,
                duration_ms=round(sent.duration * 1000),
                status_code=sent.status_code,
                response_excerpt=sent.answer,
                error=sent.error,
                request_url=sent.request_url,
                request_body=sent.request_body,
                digest_of=head.delivery_id if len(jobs) > 1 else None,
            )
            for job in jobs
        ]
        return results, sent.response

    async def attempt_direct(self, job: Job) -> list[Result]:
        """Message one person through the IM app. When that cannot be done, the group hears of
        the event anyway: it already has (the group message went out as usual), or, for a
        "direct only" webhook, the group message is sent now instead; the reason is recorded."""
        destination = job.destination
        platform = destination.platform
        person = destination.recipient or Person()
        messenger = self._messengers.get(platform.name, self._im_apps.get(platform.name.value))
        started_at = utcnow()
        clock = time.perf_counter()
        outcome: Outcome
        if messenger is None:
            outcome = Permanent(f"no {platform.label} IM app is set up")
        else:
            try:
                outcome = await messenger.send(
                    self._message(job), person, idempotency_key=job.idempotency_key
                )
            except Exception as exc:
                log.exception("direct message failed unexpectedly", to=describe(person))
                outcome = RetryAfter(reason=f"direct message failed: {exc!r}")
        ATTEMPTS.labels(f"{platform.name.value}-im", outcome_label(outcome)).inc()
        if isinstance(outcome, Permanent):
            log.info("direct message not sent", to=describe(person), reason=outcome.reason)
            if destination.direct_only:
                as_group = replace(job, destination=replace(destination, channel="group", recipient=None))
                [sent], _ = await self.attempt([as_group])
                note = f"direct message not sent ({outcome.reason}); posted to the group instead"
                return [replace(sent, job=job, error=f"{note}: {sent.error}" if sent.error else note)]
            outcome = Permanent(f"direct message not sent ({outcome.reason}); the group message carries it")
        return [
            Result(
                job=job,
                outcome=outcome,
                started_at=started_at,
                duration_ms=round((time.perf_counter() - clock) * 1000),
                status_code=None,
                response_excerpt="",
                error=None if isinstance(outcome, Delivered) else outcome.reason,
                request_url=f"{platform.name.value} IM app",
                request_body=f"direct message to {describe(person)}",
            )
        ]

    # --- the recorder --------------------------------------------------------------------

    async def _record_forever(self) -> None:
        while True:
            batch = [await self._results.get()]
            while not self._results.empty() and len(batch) < RECORD_BATCH:
                batch.append(self._results.get_nowait())
            try:
                await self._record_with_retries(batch)
            except Exception:
                # Nothing is lost: the rows stay 'sending' and are claimed again after their lease.
                log.exception("recording delivery results failed", count=len(batch))
            finally:
                self._let_go(result.job.delivery_id for result in batch)
                for _ in batch:
                    self._results.task_done()

    async def _record_with_retries(self, batch: list[Result], tries: int = RECORD_TRIES) -> None:
        """A failed write (a deadlock with another worker, a dropped connection) rolled back
        whole: writing it again is safe, and beats a redelivery after the lease."""
        for attempt in range(1, tries + 1):
            try:
                await self._record(batch)
                return
            except DBAPIError:
                if attempt == tries:
                    raise
                log.warning("recording delivery results failed; trying again", attempt=attempt)
                await asyncio.sleep(0.05 * attempt)

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
                    "outcome": outcome_label(result.outcome),
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
                    "b_digest": result.digest_of,
                    "b_now": now,
                }
            )
            if step.next_attempt_at is not None and (
                soonest_retry is None or step.next_attempt_at < soonest_retry
            ):
                soonest_retry = step.next_attempt_at
        updates.sort(key=lambda row: row["b_id"])  # one lock order for every worker
        async with self._sessions.begin() as session:
            connection = await session.connection()
            await connection.execute(insert(cast(Table, Attempt.__table__)), attempts)
            deliveries = cast(Table, Delivery.__table__)
            await connection.execute(
                update(deliveries)
                .where(deliveries.c.id == bindparam("b_id"))
                .values(
                    state=bindparam("b_state"),
                    attempts=bindparam("b_attempts"),
                    next_attempt_at=bindparam("b_next"),
                    last_error=bindparam("b_error"),
                    digest_of=bindparam("b_digest"),
                    lease_until=None,
                    claimed_by=None,
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
        outcomes_by_webhook: dict[int, list[Outcome]] = {}
        for result in batch:
            if result.job.destination.channel == "direct":
                continue  # a person's IM app failing says nothing about the group webhook
            if isinstance(result.outcome, RetryAfter) and result.outcome.throttled:
                continue  # "too fast" is the rate limit speaking, not the endpoint failing
            outcomes_by_webhook.setdefault(result.job.destination.webhook_id, []).append(result.outcome)
        failing = {
            webhook_id: outcomes
            for webhook_id, outcomes in outcomes_by_webhook.items()
            if not isinstance(outcomes[-1], Delivered)
        }
        healthy = [w for w in outcomes_by_webhook if w not in failing]
        if healthy:
            await session.execute(
                update(Webhook)
                .where(
                    Webhook.id.in_(healthy),
                    or_(Webhook.consecutive_failures != 0, Webhook.paused_until.is_not(None)),
                )
                .values(consecutive_failures=0, paused_until=None, pause_reason=None)
            )
        for webhook_id, outcomes in sorted(failing.items()):
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
            await session.execute(give_back(Delivery.id.in_(ids), utcnow()))
        self._let_go(job.delivery_id for job in jobs)

    def _let_go(self, delivery_ids: Iterable[int]) -> None:
        """These claimed deliveries are recorded or given back: no longer in flight here."""
        ids = list(delivery_ids)
        self._in_flight -= len(ids)
        self._held.difference_update(ids)
        if self._backlogged and self._in_flight < MAX_IN_FLIGHT // 2:
            self.wake()  # the claim loop stopped at the cap: there is room again


def _identity(recipient: dict[str, Any] | None) -> str:
    person = recipient or {}
    return str(person.get("email") or person.get("mobile") or person.get("username") or person.get("name"))


async def _load_events(session: AsyncSession, ids: set[int]) -> dict[int, Event]:
    # Read as text and parsed by pydantic in one pass: no intermediate dicts.
    as_text = cast_as(EventRow.event, Text).label("event")
    rows = await session.execute(select(EventRow.id, as_text).where(EventRow.id.in_(ids)))
    return {row.id: Event.model_validate_json(row.event) for row in rows}


async def _load_webhooks(session: AsyncSession, ids: set[int]) -> dict[int, Webhook]:
    rows = await session.scalars(select(Webhook).where(Webhook.id.in_(ids)))
    return {webhook.id: webhook for webhook in rows}
