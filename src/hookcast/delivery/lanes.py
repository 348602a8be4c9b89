"""One lane per bot: the claimed deliveries waiting for one bot, sent in order by the lane's own
task. A slow or dead endpoint only holds up its own messages. Before each send the lane waits for
a rate-limit slot; when more wait than the bot's limit lets through now, it merges them into one
digest instead of dropping or trickling them. The last slots of a long window (a minute) carry
digests only, gathered for a moment first: a burst bigger than the window is then carried within
it, not a window later. A "too fast" answer rests the whole bot."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

import structlog

from hookcast.delivery.composer import Composer
from hookcast.delivery.digest import (
    LONG_WINDOW_SECONDS,
    MAX_PARTS,
    parts_that_fit,
    reserved_slots,
    should_merge,
)
from hookcast.delivery.direct import DirectMessages
from hookcast.delivery.jobs import Job, Result, unsent
from hookcast.delivery.leases import DIRECT_REQUESTS, GROUP_REQUESTS, HeldLeases, requests_for
from hookcast.delivery.limiter import BotLimiter
from hookcast.delivery.posting import Poster
from hookcast.delivery.shutdown import SendsInFlight
from hookcast.logs import error_fields
from hookcast.platforms.base import HttpResponse, Outcome, RateLimit, RetryAfter
from hookcast.store.outbox import Channel

log = structlog.get_logger("hookcast.delivery")

LONGEST_NAP = 5.0  # a lane waiting for a rate-limit slot looks again at least this often
# In a long window's reserved slots a lane gathers before sending: until nothing new came for
# GATHER_QUIET seconds, a full digest waits, or GATHER_LONGEST seconds passed.
GATHER_QUIET = 0.5
GATHER_LONGEST = 3.0


@dataclass
class Lane:
    """The deliveries waiting for one bot, oldest first."""

    jobs: deque[Job] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    webhook_ids: set[int] = field(default_factory=set)  # every webhook seen here (a superset)
    gathered: bool = False  # the lane gathered for its next send in a reserved slot

    def add(self, job: Job) -> None:
        self.jobs.append(job)
        self.webhook_ids.add(job.destination.webhook_id)
        self.ready.set()


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


class Lanes:
    """Every lane of this worker. Results go to ``results`` (the recorder); jobs of a webhook
    that got paused (``paused``, kept by the recorder) are handed to ``release``."""

    def __init__(
        self,
        *,
        limiter: BotLimiter,
        composer: Composer,
        poster: Poster,
        direct: DirectMessages,
        sends: SendsInFlight,
        results: asyncio.Queue[Result],
        paused: Set[int],
        release: Callable[[Sequence[Job]], Awaitable[None]],
        forget: Callable[[Iterable[int]], None],
        leases: HeldLeases,
        cool_down_seconds: float,
    ) -> None:
        self._limiter = limiter
        self._composer = composer
        self._poster = poster
        self._direct = direct
        self._sends = sends
        self._results = results
        self._paused = paused
        self._release = release
        self._forget = forget
        self._leases = leases
        self._cool_down_seconds = cool_down_seconds
        self._lanes: dict[str, Lane] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def tasks(self) -> Collection[asyncio.Task[Any]]:
        return self._tasks.values()

    def add(self, job: Job) -> None:
        bot_key = job.destination.bot_key
        lane = self._lanes.get(bot_key)
        if lane is None:
            lane = self._lanes[bot_key] = Lane()
            self._tasks[bot_key] = asyncio.create_task(self._drain(bot_key, lane), name=f"lane-{bot_key[:8]}")
        lane.add(job)

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
        if head.destination.channel is Channel.DIRECT:
            if not await self._still_ours(lane, [lane.jobs.popleft()], DIRECT_REQUESTS):
                return
            with self._sends.sending():
                direct = await self._direct.attempt(head)
            for result in direct:
                self._results.put_nowait(result)
            return
        limits = head.destination.platform.rate_limits
        wait = await self._limiter.wait_time(bot_key, limits)
        if wait > 0:
            await asyncio.sleep(min(wait, LONGEST_NAP))  # more may gather meanwhile
            return
        if not lane.gathered and await self._saving(bot_key, limits):
            await self._gather(lane)
            lane.gathered = True
            return
        # Build the request first and take the slot last, right before it leaves: the platform
        # counts arrivals, so the gap between the two must be as short as can be.
        batch = await self._next_batch(bot_key, lane)
        batch = await self._still_ours(lane, batch, requests_for(batch))
        if not batch:
            return
        try:
            prepared = self._composer.request(batch)
        except Exception as exc:
            # Where it failed, not the text: an exception may quote the event it choked on.
            log.error(
                "rendering or encoding failed",
                deliveries=[job.delivery_id for job in batch],
                **error_fields(exc),
            )
            for job in batch:
                self._results.put_nowait(unsent(job, f"hookcast could not render this message: {exc!r}"))
            return
        if await self._limiter.reserve(bot_key, limits) > 0:  # another process was quicker
            lane.jobs.extendleft(reversed(batch))
            return
        with self._sends.sending():
            results, response = await self._poster.send(
                batch, prepared, pace=lambda: self._pace(bot_key, limits, batch)
            )
        for result in results:  # before any other await: a stopping worker records them
            self._results.put_nowait(result)
        rest = cool_down_for(results[0].outcome, response, self._cool_down_seconds)
        if rest is not None:
            await self._limiter.cool_down(bot_key, rest)

    async def _pace(self, bot_key: str, limits: Sequence[RateLimit], batch: Sequence[Job]) -> bool:
        """Wait for and take the bot's next rate-limit slot, for a second request of one step (a
        failure's thread reply after its edit): whether it may go, i.e. the rows are still this
        worker's (their leases renewed past the wait) and the worker is not stopping."""
        while (wait := await self._limiter.reserve(bot_key, limits)) > 0:
            if self._sends.stopping:
                return False
            await asyncio.sleep(min(wait, LONGEST_NAP))
        ids = [job.delivery_id for job in batch]
        return set(ids) <= await self._leases.still_ours(ids, GROUP_REQUESTS)

    async def _still_ours(self, lane: Lane, batch: list[Job], requests: int = GROUP_REQUESTS) -> list[Job]:
        """The jobs of ``batch`` whose leases outlast the send (renewed when short). The others
        were taken over by another worker while this one's lease ran out (a loop blocked for
        longer than the lease): sending them would be a duplicate, so they are left to their new
        holder, and nothing is written to their rows."""
        try:
            ours = await self._leases.still_ours([job.delivery_id for job in batch], requests)
        except Exception:
            lane.jobs.extendleft(reversed(batch))  # tried again at the lane's next step
            raise
        lost = [job.delivery_id for job in batch if job.delivery_id not in ours]
        if lost:
            log.warning("lease lost before sending: left to the worker that holds it now", deliveries=lost)
            self._forget(lost)
        return [job for job in batch if job.delivery_id in ours]

    async def _next_batch(self, bot_key: str, lane: Lane) -> list[Job]:
        """The oldest message alone, or a digest of the oldest ones when more wait than the bot's
        limit lets through now, or of the messages quiet hours held (`_held_together`)."""
        head = lane.jobs[0]
        platform = head.destination.platform
        if head.held:
            held = self._held_together(lane, head)
            if len(held) > 1:
                for job in held:
                    lane.jobs.remove(job)
                return held
        remaining = await self._limiter.remaining(bot_key, platform.rate_limits)
        saving = len(lane.jobs) > 1 and await self._saving(bot_key, platform.rate_limits)
        lane.gathered = False
        if not saving and not should_merge(len(lane.jobs), remaining):
            return [lane.jobs.popleft()]
        messages = [self._composer.message(job) for job in list(lane.jobs)]
        count = parts_that_fit(messages, platform.digest_budget)
        return [lane.jobs.popleft() for _ in range(count)]

    async def _saving(self, bot_key: str, limits: Sequence[RateLimit]) -> bool:
        """Whether the bot is down to the slots one of its long windows keeps for digests
        (`digest.reserved_slots`)."""
        for limit in limits:
            if limit.seconds < LONG_WINDOW_SECONDS:
                continue  # a short window frees its slots soon enough
            if await self._limiter.remaining(bot_key, [limit]) <= reserved_slots(limit.count):
                return True
        return False

    @staticmethod
    async def _gather(lane: Lane) -> None:
        """Let a burst that is still arriving gather on the lane before a reserved slot carries
        it: a slot spent on the first of them would leave the rest for the next window."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GATHER_LONGEST
        seen = -1
        while len(lane.jobs) != seen and len(lane.jobs) < MAX_PARTS and loop.time() < deadline:
            seen = len(lane.jobs)
            await asyncio.sleep(min(GATHER_QUIET, deadline - loop.time()))

    def _held_together(self, lane: Lane, head: Job) -> list[Job]:
        """The messages quiet hours held for ``head``'s webhook, oldest first, as many as one
        digest carries: they became due together when the quiet time ended, and go out as one
        digest however many slots the bot has left."""
        held = [
            job for job in lane.jobs if job.held and job.destination.webhook_id == head.destination.webhook_id
        ]
        messages = [self._composer.message(job) for job in held]
        return held[: parts_that_fit(messages, head.destination.platform.digest_budget)]
