"""What this worker holds, and until when: the leases of its claimed deliveries, as far as it
knows them (written at the claim and at every renewal that succeeded).

A lease is the promise that no other worker sends a row meanwhile. It can run out under a
worker that is alive: a loop blocked for longer than the lease (one huge message rendered on
it, a stalled database) misses its renewals, and another worker, or this one's own claim loop,
claims the row again. Sending it anyway is a duplicate. So, just before a send, the lane asks
`lasts`: a lease that will not outlast the send (`send_window`) is first renewed here, fenced on
this worker's name (`outbox.renew`), and only the rows still this worker's are sent; the others
are left to whoever holds them now. The recorder is fenced the same way (`outbox.record`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.delivery.jobs import Job
from hookcast.living import Action
from hookcast.store import outbox

# A group post is one request within the delivery timeout; a direct message may be three (a
# token, a look-up, the message). The margin covers composing and the rate-limit reservation.
GROUP_REQUESTS = 1
DIRECT_REQUESTS = 3
# A living message's edit or reply may be followed by a second request in the same step: a new
# post when the message is gone, or a failure's thread reply (`delivery/posting.py`).
LIVING_REQUESTS = 2
MARGIN = timedelta(seconds=2)


def requests_for(batch: Sequence[Job]) -> int:
    """How many requests sending ``batch`` may take: two for a living message's edit or reply."""
    if len(batch) == 1 and (plan := batch[0].plan) is not None and plan.action in (Action.EDIT, Action.REPLY):
        return LIVING_REQUESTS
    return GROUP_REQUESTS


class HeldLeases:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        holder: str,
        lease_seconds: float,
        delivery_timeout: float,
        skip_locked: bool,
    ) -> None:
        self._sessions = sessions
        self._holder = holder
        self._skip_locked = skip_locked
        self._timeout = timedelta(seconds=delivery_timeout)
        # A lease shorter than a send could run out during it: never take one that short.
        self.length = max(timedelta(seconds=lease_seconds), self.send_window(DIRECT_REQUESTS))
        self._until: dict[int, datetime] = {}

    @property
    def holder(self) -> str:
        return self._holder

    def held(self) -> Collection[int]:
        return self._until.keys()

    def holds(self, delivery_id: int) -> bool:
        return delivery_id in self._until

    def lease_from(self, now: datetime) -> datetime:
        """Where a lease taken or renewed ``now`` ends."""
        return now + self.length

    def taken(self, ids: Iterable[int], until: datetime) -> None:
        """These rows are this worker's until ``until`` (claimed, or renewed)."""
        for delivery_id in ids:
            self._until[delivery_id] = until

    def let_go(self, ids: Iterable[int]) -> None:
        for delivery_id in ids:
            self._until.pop(delivery_id, None)

    async def renew(self, ids: Sequence[int]) -> set[int]:
        """Renew these leases where they are still this worker's; the ids renewed."""
        if not ids:
            return set()
        async with self._sessions.begin() as session:
            until = self.lease_from(utcnow())
            renewed = await outbox.renew(
                session, sorted(ids), holder=self._holder, lease_until=until, skip_locked=self._skip_locked
            )
        for delivery_id in renewed:  # only what is still held: one recorded meanwhile is let go
            if delivery_id in self._until:
                self._until[delivery_id] = until
        return set(renewed)

    def send_window(self, requests: int) -> timedelta:
        """How long a send of ``requests`` requests may take, at most."""
        return requests * self._timeout + MARGIN

    async def still_ours(self, ids: Sequence[int], requests: int = GROUP_REQUESTS) -> set[int]:
        """The ids whose leases outlast a send of ``requests`` requests starting now, renewing
        those that would not; the others are no longer this worker's."""
        now = utcnow()
        deadline = now + self.send_window(requests)
        short = [delivery_id for delivery_id in ids if self._until.get(delivery_id, now) <= deadline]
        if not short:
            return set(ids)
        renewed = await self.renew(short)
        return {delivery_id for delivery_id in ids if delivery_id not in short or delivery_id in renewed}
