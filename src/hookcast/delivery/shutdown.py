"""Stopping a worker without sending a message twice or out of order.

On SIGTERM / SIGINT the worker stops claiming, then:

1. lanes that are not sending stop at once; a send in flight may finish within the grace
   (``HOOKCAST_SHUTDOWN_GRACE_SECONDS``), and is cut off when the grace runs out;
2. the results of finished sends are recorded;
3. every delivery it claimed and did not record is given back (``pending``, due now, attempt
   count unchanged, no lease), so that the next worker sends each one once, oldest first.

Only a send cut off at the end of the grace may have reached the chat already and go out again.
Every step is bounded: stopping never hangs on a platform or the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

import structlog

from hookcast.delivery.claims import Presence

log = structlog.get_logger("hookcast.delivery")

RECORD_GRACE = 5.0  # for writing results and giving rows back: the database, not a platform
CUT_OFF_WAIT = 1.0  # for a cut-off send to unwind


class SendsInFlight:
    """Which lane tasks are sending right now: those may finish when the worker stops."""

    def __init__(self) -> None:
        self.stopping = False
        self._sending: set[asyncio.Task[Any]] = set()

    @contextlib.contextmanager
    def sending(self) -> Iterator[None]:
        task = asyncio.current_task()
        assert task is not None
        self._sending.add(task)
        try:
            yield
        finally:
            self._sending.discard(task)

    async def stop(self, lanes: Iterable[asyncio.Task[Any]], grace: float) -> int:
        """Stop every lane: an idle one now, a sending one once its send is done (its loop sees
        ``stopping``) or the grace is over. Returns how many sends were cut off."""
        self.stopping = True
        lanes = [task for task in lanes if not task.done()]
        busy = [task for task in lanes if task in self._sending]
        for task in lanes:
            if task not in self._sending:
                task.cancel()
        if busy:
            log.info("waiting for sends in flight", sends=len(busy), grace=grace)
            await asyncio.wait(busy, timeout=grace)
        cut_off = [task for task in busy if not task.done()]
        for task in cut_off:
            task.cancel()
        if lanes:
            await asyncio.wait(lanes, timeout=CUT_OFF_WAIT)
        return len(cut_off)


async def wind_down(
    *,
    lanes: Iterable[asyncio.Task[Any]],
    sends: SendsInFlight,
    grace: float,
    recorded: Callable[[], Awaitable[None]],
    helpers: list[asyncio.Task[Any]],
    presence: Presence,
) -> None:
    """Steps 1 to 3 above. ``recorded`` returns once every result handed to the recorder (one of
    ``helpers``) is written; the helpers are stopped after it."""
    cut_off = await sends.stop(lanes, grace)
    try:
        async with asyncio.timeout(RECORD_GRACE):
            await recorded()
    except TimeoutError:
        log.error("results not recorded in time: those deliveries go out again")
    for task in helpers:
        task.cancel()
    await asyncio.wait(helpers, timeout=CUT_OFF_WAIT)
    given_back = 0
    try:
        async with asyncio.timeout(RECORD_GRACE):
            given_back = await presence.give_back_mine()
            await presence.leave()
    except Exception:
        # Still named as this worker's: taken back when its heartbeat is found stale.
        log.exception("could not give back unsent deliveries")
    log.info("delivery worker stopped", sends_cut_off=cut_off, given_back=given_back)
