"""Works off the bot's stored events and sends its queued messages, outside the requests.

Runs in each process that serves ``/hooks/feishu/events`` (``serve`` and ``api``); several
processes share the tables. Both tables are queues on the outbox's primitives: rows are claimed
with a lease (``outbox.claim_due``, ``SKIP LOCKED`` on PostgreSQL), their states are the outbox's
(`State`), and what follows a failed try is the delivery policy's ``after_attempt`` over the bot's
own schedule. A new event wakes it at once; it also looks every few seconds, so work left by a
stopped process is picked up. No database transaction is held open across a call to Feishu.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.delivery.policy import after_attempt
from hookcast.directmessages import MessengerPool
from hookcast.feishubot import service
from hookcast.feishubot.client import BotApi, ChatGone
from hookcast.feishubot.pushed import Envelope, FeishuRefusal, parse_event
from hookcast.platforms.app_client.base import Stop
from hookcast.platforms.base import Outcome, Permanent, PlatformName, RetryAfter
from hookcast.store import outbox
from hookcast.store.directory import ImAppRow
from hookcast.store.feishu_chats import FeishuBotEvent, FeishuBotMessage
from hookcast.store.outbox import State

log = structlog.get_logger("hookcast.feishubot")

BATCH = 50
LEASE = timedelta(seconds=60)
# The delay before each try (the first is at once); eight tries in all, then the row is dead.
SCHEDULE = (0.0, 1.0, 5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)


async def bot_api(session: AsyncSession, messengers: MessengerPool, platform: PlatformName) -> BotApi | None:
    """The bot's calls through the platform's IM app client (shared with direct messages), or
    None when no app is set up or it is disabled."""
    app = messengers.get(platform, await session.get(ImAppRow, platform.value))
    return BotApi(app) if app is not None else None


class BotRunner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        box: SecretBox,
        messengers: MessengerPool,
        *,
        is_postgres: bool,
        poll_interval: float = 5.0,
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._messengers = messengers
        self._is_postgres = is_postgres
        self._poll = poll_interval
        self._wake = asyncio.Event()

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("feishu bot pass failed")
                busy = False
            if busy:
                continue
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: see delivery/worker.py
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()

    async def run_once(self) -> bool:
        """One pass: due events, then due messages. Whether there may be more to do at once."""
        events = await self._claim(FeishuBotEvent)
        for event_id in events:
            await self._work_event(event_id)
        messages = await self._claim(FeishuBotMessage)
        for message_id in messages:
            await self._send(message_id)
        return len(events) >= BATCH or len(messages) >= BATCH or bool(events)

    async def _claim(self, table: type[FeishuBotEvent] | type[FeishuBotMessage]) -> list[int]:
        now = utcnow()
        async with self._sessions.begin() as session:
            rows = await outbox.claim_due(
                session,
                table,
                now=now,
                lease_until=now + LEASE,
                limit=BATCH,
                skip_locked=self._is_postgres,
                waiting=State.PENDING,
                working=State.SENDING,
            )
        return sorted(row.id for row in rows)

    # --- events -----------------------------------------------------------------------------

    async def _work_event(self, row_id: int) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(FeishuBotEvent, row_id)
            if row is None:
                return
            platform = PlatformName(row.platform)
            envelope = Envelope(row.event_id, row.event_type, row.payload)
            attempts, base_url, key = row.attempts + 1, row.base_url, row.event_id
            api = await bot_api(session, self._messengers, platform)
        parsed = parse_event(envelope)
        if isinstance(parsed, FeishuRefusal):
            await self._finish_event(row_id, State.FAILED, f"not understood: {parsed.reason}", attempts)
            return
        question = service.membership_question(parsed)
        membership: service.Membership | None = None
        if question is not None:
            if api is None:
                reason = f"no {platform.value} IM app is set up: the bot cannot check or answer"
                await self._finish_event(row_id, State.FAILED, reason, attempts)
                return
            try:
                member = await api.is_member(question.chat_id, question.open_id)
                membership = service.Membership.MEMBER if member else service.Membership.STRANGER
            except ChatGone:
                membership = service.Membership.BOT_NOT_IN_CHAT
            except Stop as stop:
                await self._retry_event(row_id, attempts, getattr(stop.outcome, "reason", "failed"))
                return
        async with self._sessions.begin() as session:
            ctx = service.Context(platform, base_url, self._box, utcnow(), key)
            done = await service.apply(session, ctx, parsed, membership)
            await outbox.settle(
                session,
                FeishuBotEvent,
                row_id,
                now=utcnow(),
                state=State.DELIVERED,
                outcome=done,
                attempts=attempts,
            )
        log.info("feishu bot event handled", event_id=key, outcome=done)
        self.kick()  # its messages are due now

    async def _retry_event(self, row_id: int, attempts: int, reason: str) -> None:
        now = utcnow()
        step = after_attempt(RetryAfter(reason), attempts, SCHEDULE, now)
        if step.next_attempt_at is None:
            await self._finish_event(row_id, step.state, reason, attempts)
            return
        async with self._sessions.begin() as session:
            await outbox.settle(
                session,
                FeishuBotEvent,
                row_id,
                now=now,
                state=step.state,
                outcome=f"will retry: {reason}",
                attempts=attempts,
                next_attempt_at=step.next_attempt_at,
            )

    async def _finish_event(self, row_id: int, state: State, outcome: str, attempts: int) -> None:
        log.warning("feishu bot event not handled", row=row_id, reason=outcome)
        async with self._sessions.begin() as session:
            await outbox.settle(
                session, FeishuBotEvent, row_id, now=utcnow(), state=state, outcome=outcome, attempts=attempts
            )

    # --- messages ---------------------------------------------------------------------------

    async def _send(self, row_id: int) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(FeishuBotMessage, row_id)
            if row is None:
                return
            platform = PlatformName(row.platform)
            api = await bot_api(session, self._messengers, platform)
            target = (row.receive_id_type, row.receive_id)
            card: dict[str, Any] = json.loads(self._box.open(row.card_sealed))
            uuid, attempts = row.uuid, row.attempts + 1
        outcome: Outcome
        if api is None:
            outcome = Permanent(f"no {platform.value} IM app is set up")
        else:
            _, outcome = await api.send_card(*target, card, uuid)
        now = utcnow()
        step = after_attempt(outcome, attempts, SCHEDULE, now)
        if step.error:
            log.warning("feishu bot message not sent", row=row_id, state=step.state.value, reason=step.error)
        async with self._sessions.begin() as session:
            await outbox.settle(
                session,
                FeishuBotMessage,
                row_id,
                now=now,
                state=step.state,
                last_error=step.error,
                attempts=attempts,
                **({"next_attempt_at": step.next_attempt_at} if step.next_attempt_at is not None else {}),
            )
