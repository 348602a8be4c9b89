"""A webhook's backlog: the deliveries that wait for it, and the bound on them while it is paused.

A paused webhook's deliveries are not claimed (`pauses`), so without a bound every new event of
a busy project would add a row that waits until someone resumes the webhook, for good when no
one does. Up to ``HOOKCAST_PAUSED_BACKLOG`` deliveries wait (``pending``, or ``sending`` while a
worker gives them back); new ones beyond that are *set aside*: born ``skipped``, with the reason,
kept in the history like ``failed`` and ``dead`` rows, and sent again only on request (resend,
replay). The oldest are the ones that wait: they are what the chat missed first, and when the
webhook is resumed the lanes merge what waits beyond the bot's rate budget into digests. Nothing
is lost, and the counts are shown with the webhook (API, UI).

The bound is checked at intake, in the batch's transaction. Two processes accepting events for
the same paused webhook at the same moment may each see room for the last few rows, so the
backlog can exceed the bound by what one batch adds: bounded, not exact.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.store.outbox.states import State
from hookcast.store.tables import Delivery

# The reason a set-aside delivery carries (``last_error``, in English like every stored reason;
# the UI shows its state's name translated).
BACKLOG_FULL = "webhook paused; backlog full"
WAITING = (State.PENDING.value, State.SENDING.value)


@dataclass(frozen=True, slots=True)
class Backlog:
    """How many of a webhook's deliveries wait, and how many were set aside while it was paused
    (and not resent since)."""

    waiting: int = 0
    set_aside: int = 0


async def backlogs(session: AsyncSession, webhook_ids: Collection[int]) -> dict[int, Backlog]:
    """The backlog of each of these webhooks (absent: nothing waits, nothing set aside)."""
    if not webhook_ids:
        return {}
    rows = await session.execute(
        select(Delivery.webhook_id, Delivery.state, func.count())
        .where(
            Delivery.webhook_id.in_(list(webhook_ids)), Delivery.state.in_((*WAITING, State.SKIPPED.value))
        )
        .group_by(Delivery.webhook_id, Delivery.state)
    )
    waiting: dict[int, int] = {}
    set_aside: dict[int, int] = {}
    for webhook_id, state, count in rows:
        counts = set_aside if state == State.SKIPPED else waiting
        counts[webhook_id] = counts.get(webhook_id, 0) + count
    return {
        webhook_id: Backlog(waiting.get(webhook_id, 0), set_aside.get(webhook_id, 0))
        for webhook_id in waiting.keys() | set_aside.keys()
    }


async def bound(
    session: AsyncSession, rows: Sequence[dict[str, Any]], paused: Collection[int], limit: int
) -> int:
    """Set aside the new ``rows`` (from `rows.new_delivery`, in order) of the ``paused`` webhooks
    that would take their backlog beyond ``limit`` waiting deliveries: they become ``skipped``
    with `BACKLOG_FULL` as their reason. Returns how many were set aside."""
    held = {row["webhook_id"] for row in rows} & set(paused)
    if not held:
        return 0
    room = {webhook_id: limit for webhook_id in held}
    for webhook_id, backlog in (await backlogs(session, held)).items():
        room[webhook_id] = max(0, limit - backlog.waiting)
    set_aside = 0
    for row in rows:
        webhook_id = row["webhook_id"]
        if webhook_id not in held or row["state"] != State.PENDING:  # a silenced row never waits
            continue
        if room[webhook_id] > 0:
            room[webhook_id] -= 1
            continue
        row["state"] = State.SKIPPED.value
        row["last_error"] = BACKLOG_FULL
        set_aside += 1
    return set_aside
