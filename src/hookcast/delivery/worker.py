"""The outbox worker: claims due deliveries, sends them through one lane per bot, records every
attempt and decides what comes next. This module only wires the parts together and runs the
claim loop:

- `claimer`: due rows as jobs (``outbox.claim``: ``sending``, this worker's name and a lease,
  ``FOR UPDATE SKIP LOCKED`` on PostgreSQL); rows of a worker that died are given back as soon
  as it is known gone (`claims`), at the latest when their lease ends;
- `lanes`: one per bot, rate limits and digests; `composer` renders and encodes, `posting`
  sends to a group bot, `direct` to a person through the IM app;
- `recorder`: results in batches, next states and webhook health;
- `wakeup` (``LISTEN``) and `background` (lease renewal, retention);
- `shutdown`: stopping gives back what was not sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.delivery.background import prune_forever, remind_forever, renew_leases_forever
from hookcast.delivery.claimer import Claimer
from hookcast.delivery.claims import Presence
from hookcast.delivery.composer import Composer
from hookcast.delivery.courier import Courier
from hookcast.delivery.direct import DirectMessages
from hookcast.delivery.jobs import Job
from hookcast.delivery.lanes import Lanes
from hookcast.delivery.leases import HeldLeases
from hookcast.delivery.limiter import BotLimiter
from hookcast.delivery.posting import Poster
from hookcast.delivery.recorder import Recorder
from hookcast.delivery.shutdown import RECORD_GRACE, SendsInFlight, wind_down
from hookcast.delivery.wakeup import listen_forever
from hookcast.directmessages import MessengerPool
from hookcast.events import Event
from hookcast.logs import error_fields
from hookcast.metrics import Metrics
from hookcast.settings import Settings
from hookcast.store import outbox
from hookcast.store.config_cache import ConfigCache

log = structlog.get_logger("hookcast.delivery")

MAX_IN_FLIGHT = 5000  # claimed and not yet recorded; the claim loop waits above it


class Worker:
    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        box: SecretBox,
        courier: Courier,
        limiter: BotLimiter,
        messengers: MessengerPool,
        metrics: Metrics,
        *,
        config: ConfigCache,
    ) -> None:
        """``config``: the process's cache of projects and webhooks, shared with its intake."""
        self._engine = engine
        self._sessions = sessions
        self._settings = settings
        self._is_postgres = engine.dialect.name == "postgresql"
        self.wakeup = asyncio.Event()
        self._in_flight = 0
        self._backlogged = False  # the claim loop is waiting for in-flight work to drain
        paused: set[int] = set()  # webhooks paused meanwhile: the lanes give their jobs back
        self.presence = Presence(sessions, sole_worker=not self._is_postgres, skip_locked=self._is_postgres)
        # claimed here and not yet recorded: their leases are renewed, and checked before a send
        self._leases = HeldLeases(
            sessions,
            holder=self.presence.id,
            lease_seconds=settings.lease_seconds,
            delivery_timeout=settings.delivery_timeout,
            skip_locked=self._is_postgres,
        )
        self._sends = SendsInFlight()
        composer = Composer(box, public_url=settings.public_url)
        poster = Poster(courier, composer, metrics)
        direct = DirectMessages(messengers, composer, poster, metrics)
        self._claimer = Claimer(
            sessions, composer, direct, paused, self._leases, skip_locked=self._is_postgres, config=config
        )
        self._recorder = Recorder(
            sessions,
            holder=self.presence.id,
            retry_schedule=settings.retry_schedule,
            poll_interval=settings.poll_interval,
            paused=paused,
            done=self._let_go,
            wake=self.wake,
        )
        self._lanes = Lanes(
            limiter=limiter,
            composer=composer,
            poster=poster,
            direct=direct,
            sends=self._sends,
            results=self._recorder.results,
            paused=paused,
            release=self._release,
            forget=self._let_go,
            leases=self._leases,
            cool_down_seconds=settings.cool_down_seconds,
        )
        self._stopping = asyncio.Event()
        self._running: asyncio.Task[Any] | None = None

    async def run(self) -> None:
        self._running = asyncio.current_task()
        try:
            await self.presence.register()
        except Exception:
            log.exception("could not register this worker; rows of crashed workers wait for their lease")
        settings = self._settings
        chores = {
            "recorder": self._recorder.record_forever(),
            "retention": prune_forever(self._sessions, settings.retention_days),
            "leases": renew_leases_forever(self._leases),
            "reminders": remind_forever(self._sessions, self.wake),
            "heartbeat": self.presence.beat_forever(self.wake),
        }
        if self._is_postgres:
            chores["listen"] = listen_forever(self._engine, self.wake, retry_after=settings.poll_interval)
        helpers = [asyncio.create_task(chore, name=f"hookcast-{name}") for name, chore in chores.items()]
        try:
            while not self._stopping.is_set():
                # Clear before claiming: a wake-up that arrives during the claim is kept.
                self.wakeup.clear()
                claimed = 0
                self._backlogged = self._in_flight >= MAX_IN_FLIGHT
                if not self._backlogged:
                    claimed = await self._claim_or_wait()
                if claimed >= settings.claim_batch:
                    continue
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                # cancellation that lands as the wait ends, and the worker would never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(settings.poll_interval):
                        await self.wakeup.wait()
        finally:
            await wind_down(
                lanes=self._lanes.tasks,
                sends=self._sends,
                grace=settings.shutdown_grace_seconds,
                recorded=self._recorder.results.join,
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
        hand for their claim, and wake up."""
        self._claimer.expect(events)
        self.wake()

    async def _claim_or_wait(self) -> int:
        """Claim and dispatch; a claim that fails (the database away for a moment, a locked
        SQLite file) is logged and tried again at the next poll: the worker never stops for it."""
        try:
            return await self._claim_and_dispatch()
        except Exception as exc:
            log.error("claiming deliveries failed; trying again", **error_fields(exc))
            return 0

    async def _claim_and_dispatch(self) -> int:
        jobs = await self._claimer.claim(self._settings.claim_batch)
        for job in jobs:
            self._in_flight += 1
            self._lanes.add(job)
        return len(jobs)

    async def _release(self, jobs: Sequence[Job]) -> None:
        """Put claimed but unsent deliveries back in the queue, untouched."""
        ids = [job.delivery_id for job in jobs]
        async with self._sessions.begin() as session:
            await outbox.release(session, ids, utcnow())
        self._let_go(ids)

    def _let_go(self, delivery_ids: Iterable[int]) -> None:
        """These claimed deliveries are recorded or given back: no longer in flight here."""
        ids = list(delivery_ids)
        self._in_flight -= len(ids)
        self._leases.let_go(ids)
        if self._backlogged and self._in_flight < MAX_IN_FLIGHT // 2:
            self.wake()  # the claim loop stopped at the cap: there is room again
