"""Writing results: one task takes the attempts' results in batches (at most ``RECORD_BATCH`` per
transaction: SQLite runs it on the loop, so it stays short) and writes, in one transaction, the
attempt rows, each delivery's next state (``policy.after_attempt``) and its webhook's health
(failure count, pause: ``policy.pause_for``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.delivery.jobs import Result
from hookcast.delivery.policy import after_attempt, pause_for
from hookcast.logs import error_fields
from hookcast.platforms.base import Delivered, Outcome, Permanent, RetryAfter
from hookcast.services import people
from hookcast.store import outbox
from hookcast.store.outbox import Channel, NextStep
from hookcast.store.tables import Webhook

log = structlog.get_logger("hookcast.delivery")

RECORD_TRIES = 3
RECORD_BATCH = 100


class Recorder:
    """``holder``: this worker; a result changes its row only while the row is still this
    worker's (`outbox.record` is fenced). ``paused`` is kept up to date with the webhooks this
    worker paused (the lanes hand their jobs back); ``done`` hears of every delivery whose result
    is about to be written (if the write fails, the row waits for its lease); ``wake`` is called
    when a retry is due before the next poll."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        holder: str,
        retry_schedule: Sequence[float],
        poll_interval: float,
        paused: set[int],
        done: Callable[[Iterable[int]], None],
        wake: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._holder = holder
        self._schedule = retry_schedule
        self._poll_interval = poll_interval
        self._paused = paused
        self._done = done
        self._wake = wake
        self.results: asyncio.Queue[Result] = asyncio.Queue()

    async def record_forever(self) -> None:
        while True:
            batch = [await self.results.get()]
            while not self.results.empty() and len(batch) < RECORD_BATCH:
                batch.append(self.results.get_nowait())
            # Let go of the rows before the write, not after: once it commits, a retry may be due
            # at once, and a claim that runs before this task resumes (it gets the connection
            # the commit frees) would find the rows still held here and take them without a job
            # (they are in no lane any more): they would sit `sending` until their lease ran out.
            # Should the write fail, the rows keep their lease and are claimed again after it.
            self._done(result.job.delivery_id for result in batch)
            try:
                await self._record_with_retries(batch)
            except Exception as error:
                log.error("recording delivery results failed", deliveries=_ids(batch), **error_fields(error))
                if len(batch) > 1:
                    await self._record_one_by_one(batch)
            finally:
                for _ in batch:
                    self.results.task_done()

    async def _record_one_by_one(self, batch: list[Result]) -> None:
        """One bad result must not sink the others written with it: each is tried alone. What
        still fails stays 'sending' and is claimed again after its lease; nothing is lost."""
        for result in batch:
            try:
                await self._record_with_retries([result])
            except Exception as error:
                log.error(
                    "recording a delivery result failed", deliveries=_ids([result]), **error_fields(error)
                )

    async def _record_with_retries(self, batch: list[Result], tries: int = RECORD_TRIES) -> None:
        """A failed write (a deadlock with another worker, a dropped connection) rolled back
        whole: writing it again is safe, and beats a redelivery after the lease."""
        for attempt in range(1, tries + 1):
            try:
                await self.record(batch)
                return
            except DBAPIError as error:
                if attempt == tries:
                    raise
                log.warning(
                    "recording delivery results failed; trying again",
                    attempt=attempt,
                    deliveries=_ids(batch),
                    **error_fields(error),
                )
                await asyncio.sleep(0.05 * attempt)

    async def record(self, batch: list[Result]) -> None:
        now = utcnow()
        steps: list[NextStep] = []
        soonest_retry: datetime | None = None
        for result in batch:
            done = result.job.attempts + 1
            step = after_attempt(result.outcome, done, self._schedule, now)
            steps.append(
                NextStep(
                    delivery_id=result.job.delivery_id,
                    state=step.state,
                    attempts=done,
                    next_attempt_at=step.next_attempt_at or now,
                    error=step.error,
                    digest_of=result.digest_of,
                )
            )
            if step.next_attempt_at is not None and (
                soonest_retry is None or step.next_attempt_at < soonest_retry
            ):
                soonest_retry = step.next_attempt_at
        async with self._sessions.begin() as session:
            memories = {r.job.delivery_id: r.memory for r in batch if r.memory is not None}
            lost = await outbox.record(
                session,
                [result.attempt_row() for result in batch],
                steps,
                now,
                holder=self._holder,
                memories=memories,
            )
            await self._track_webhook_health(session, batch, now)
            await _remember_found_ids(session, batch)
        if lost:
            log.warning(
                "sent after the lease was lost: the attempt is kept, the row left to its holder",
                deliveries=lost,
            )
        # A living message done may let the next of its object be claimed (`outbox.claim`).
        next_of_object = any(result.job.object_key for result in batch)
        if next_of_object or (
            soonest_retry is not None and soonest_retry <= now + timedelta(seconds=self._poll_interval)
        ):
            self._wake()

    async def _track_webhook_health(self, session: AsyncSession, batch: list[Result], now: datetime) -> None:
        outcomes_by_webhook: dict[int, list[Outcome]] = {}
        for result in batch:
            if result.job.destination.channel is Channel.DIRECT:
                continue  # a person's IM app failing says nothing about the group webhook
            if isinstance(result.outcome, RetryAfter) and result.outcome.throttled:
                continue  # "too fast" is the rate limit speaking, not the endpoint failing
            outcomes_by_webhook.setdefault(result.job.destination.webhook_id, []).append(result.outcome)
        failing = {
            webhook_id: outcomes
            for webhook_id, outcomes in outcomes_by_webhook.items()
            if not isinstance(outcomes[-1], Delivered)
        }
        await outbox.resume_recovered(session, [w for w in outcomes_by_webhook if w not in failing], now)
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
                outbox.pause(webhook, pause.until, pause.reason, now)
                self._paused.add(webhook_id)
                log.warning(
                    "webhook paused",
                    webhook_id=webhook_id,
                    until=pause.until.isoformat(),
                    reason=pause.reason,
                )


def _ids(batch: list[Result]) -> list[int]:
    """The deliveries a log line is about (what they carried is never logged: see `error_fields`)."""
    return [result.job.delivery_id for result in batch]


async def _remember_found_ids(session: AsyncSession, batch: list[Result]) -> None:
    """Ids of direct-message recipients found by a look-up go into the directory (rare: once per
    person and platform), so that mentions and later messages need none."""
    for result in batch:
        recipient = result.job.destination.recipient
        if result.found_user_id and recipient is not None:
            platform = result.job.destination.platform.name
            await people.remember_platform_id(
                session, recipient, platform, result.found_user_id, result.job.event.source
            )
